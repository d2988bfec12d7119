// What of a stream key may reach the logs. IVS keys look like `sk_<region>_<streamKeyId>_<secret>`: the
// part before the last `_` identifies the key without revealing the secret, so operators can still
// correlate refusals. Keys without that shape are not logged at all.

const MAX_LABEL = 48;

export function streamKeyLabel(streamKey: string): string {
  const cut = streamKey.lastIndexOf('_');
  if (cut <= 0) return '[redacted]';
  return `${streamKey.slice(0, Math.min(cut, MAX_LABEL))}_…`;
}

/** The publish name without its `?query` suffix (some encoders append parameters after the key). */
export function stripQuery(name: string): string {
  const q = name.indexOf('?');
  return q < 0 ? name : name.slice(0, q);
}

/** The application name from `connect`: no query, no surrounding slashes. */
export function normalizeApp(app: string): string {
  return stripQuery(app).replace(/^\/+|\/+$/g, '');
}
