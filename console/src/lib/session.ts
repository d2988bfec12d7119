// The signed-in identity: access key id, secret and region, kept in sessionStorage only (it dies with the tab and
// is never sent anywhere: requests carry SigV4 signatures made from it). Components subscribe to changes (sign-in,
// account switch, region switch, sign-out).

export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

const KEY = 'openivs.console.session';
const listeners = new Set<() => void>();
let current: Session | undefined = read();

function read(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (raw === null) return undefined;
    const s = JSON.parse(raw) as Partial<Session>;
    return typeof s.accessKeyId === 'string' && typeof s.secretAccessKey === 'string' && typeof s.region === 'string'
      ? { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, region: s.region }
      : undefined;
  } catch {
    return undefined;
  }
}

export function getSession(): Session | undefined {
  return current;
}

export function setSession(next: Session | undefined): void {
  current = next;
  if (next === undefined) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, JSON.stringify(next));
  for (const l of listeners) l();
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
