// The SigV4 timestamp format ("ISO-8601 basic": 20261126T103100Z), parsed and printed without
// Date-string parsing on the hot path, plus the RFC 1123 `Date` header some clients sign instead.

/** Milliseconds since the epoch, or undefined when `s` is not exactly YYYYMMDDTHHMMSSZ. */
export function parseAmzDate(s: string): number | undefined {
  if (s.length !== 16 || s.charCodeAt(8) !== 84 /* T */ || s.charCodeAt(15) !== 90 /* Z */) return undefined;
  for (let i = 0; i < 15; i++) {
    if (i === 8) continue;
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const year = +s.slice(0, 4),
    month = +s.slice(4, 6),
    day = +s.slice(6, 8);
  const hour = +s.slice(9, 11),
    minute = +s.slice(11, 13),
    second = +s.slice(13, 15);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 20261131 over to December 1st; a round trip rejects such dates.
  return formatAmzDate(ms) === s ? ms : undefined;
}

export function formatAmzDate(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-26T10:31:00.000Z
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 13) + iso.slice(14, 16) + iso.slice(17, 19) + 'Z';
}

/** The `Date` header (RFC 1123, e.g. "Thu, 26 Nov 2026 10:31:00 GMT"), or undefined. */
export function parseHttpDate(s: string): number | undefined {
  const ms = Date.parse(s);
  // Whole seconds only: the string to sign carries seconds, so fractions cannot have been signed.
  return Number.isFinite(ms) && ms % 1000 === 0 ? ms : undefined;
}
