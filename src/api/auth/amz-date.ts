// The SigV4 timestamp format ("ISO-8601 basic": 20261126T103100Z), parsed and printed without
// Date-string parsing on the hot path, plus the RFC 1123 `Date` header some clients sign instead.

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const digits = (s: string, from: number, to: number) => {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (s.charCodeAt(i) - 48);
  return n;
};

/**
 * Milliseconds since the epoch, or undefined when `s` is not exactly YYYYMMDDTHHMMSSZ naming a real
 * instant. Checked field by field, not by printing the result back (toISOString was, profiled, a
 * tenth of verification); what it accepts is what that round trip accepted: years 0100-9999 (Date.UTC
 * reads 0-99 as 1900-1999), the days each month has, no 24:00 and no leap second.
 */
export function parseAmzDate(s: string): number | undefined {
  if (s.length !== 16 || s.charCodeAt(8) !== 84 /* T */ || s.charCodeAt(15) !== 90 /* Z */) return undefined;
  for (let i = 0; i < 15; i++) {
    if (i === 8) continue;
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const year = digits(s, 0, 4),
    month = digits(s, 4, 6),
    day = digits(s, 6, 8);
  const hour = digits(s, 9, 11),
    minute = digits(s, 11, 13),
    second = digits(s, 13, 15);
  if (year < 100 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  if (day > (month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!)) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second);
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
