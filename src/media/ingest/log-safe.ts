// What of a stream key may reach the logs. IVS keys look like `sk_<region>_<streamKeyId>_<secret>`: the
// part before the last `_` identifies the key without revealing the secret, so operators can still
// correlate refusals. Keys without that shape are not logged at all.

const MAX_LABEL = 48;
const SLASH = 0x2f;

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

/**
 * The application name from `connect`: no query, no surrounding slashes. A plain scan, linear in the
 * input: the name comes from an unauthenticated peer (a regular expression anchored at the end, like
 * /\/+$/, is quadratic on a long run of slashes that is followed by something else).
 */
export function normalizeApp(app: string): string {
  const bare = stripQuery(app);
  let start = 0;
  let end = bare.length;
  while (start < end && bare.charCodeAt(start) === SLASH) start++;
  while (end > start && bare.charCodeAt(end - 1) === SLASH) end--;
  return bare.slice(start, end);
}
