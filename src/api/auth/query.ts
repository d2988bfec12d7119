// Raw query string → the decoded `query` object SignatureV4 canonicalises (it re-encodes names and
// values with RFC 3986 rules, so the canonical form does not depend on how the client encoded them).

export type Query = Record<string, string | string[]>;

function decode(s: string): string {
  if (s.indexOf('%') < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    // Malformed escapes: keep the text; the signature comparison then decides.
    return s;
  }
}

/**
 * Parses `a=1&b=2&a=3` (a leading `?` is tolerated). Repeated names become arrays, in order.
 * `+` stays a literal plus: AWS signers encode a space as %20, never as `+`.
 */
export function parseQuery(raw: string): Query {
  // No prototype: a parameter named `__proto__` or `constructor` is just a parameter.
  const out: Query = Object.create(null) as Query;
  let start = raw.charCodeAt(0) === 63 /* ? */ ? 1 : 0;
  while (start < raw.length) {
    let end = raw.indexOf('&', start);
    if (end < 0) end = raw.length;
    if (end > start) {
      const eq = raw.indexOf('=', start);
      const hasValue = eq >= 0 && eq < end;
      const key = decode(raw.slice(start, hasValue ? eq : end));
      const value = hasValue ? decode(raw.slice(eq + 1, end)) : '';
      const prev = out[key];
      if (prev === undefined) out[key] = value;
      else if (typeof prev === 'string') out[key] = [prev, value];
      else prev.push(value);
    }
    start = end + 1;
  }
  return out;
}

/** One value of a query parameter (the first when repeated). */
export function queryValue(q: Query, name: string): string | undefined {
  const v = q[name];
  return typeof v === 'string' ? v : v?.[0];
}
