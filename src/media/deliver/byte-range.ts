// Single byte ranges of complete segments (RFC 9110 14): Amazon's IVS player probes bandwidth with `Range:
// bytes=0-32766` on the last complete segment every segment, which without ranges costs a whole segment each time.
// Only `bytes=first-last`, `bytes=first-` and `bytes=-suffix` are honoured; anything else (other units, several
// ranges, bad syntax) is ignored, as RFC 9110 allows, and the whole segment is sent.

export type RangeDecision = { kind: 'whole' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

const RANGE = /^bytes=(\d{0,15})-(\d{0,15})$/;

/** What to send of a `size`-byte object for a request's Range header (`end` inclusive). */
export function decideRange(header: string | undefined, size: number): RangeDecision {
  if (header === undefined) return { kind: 'whole' };
  const m = RANGE.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'whole' };
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? Infinity : Number(m[2]);
  if (last < start) return { kind: 'whole' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(last, size - 1) };
}
