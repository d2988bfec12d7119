// Origin rules of playback tokens: `aws:access-control-allow-origin` is a comma-separated list of origins, where `*`
// alone allows any origin and a `*` inside an origin (e.g. `https://*.example.com`) stands for one or more host
// characters. Matching is case-insensitive (scheme and host are); `*` never spans a `/`, `:` or other character an
// attacker could use to smuggle another host into the comparison.

export type OriginPatterns = readonly string[];

/** Splits the claim into patterns; undefined when it lists none. */
export function parseOriginClaim(claim: string): OriginPatterns | undefined {
  const patterns = claim
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter((p) => p !== '');
  return patterns.length > 0 ? patterns : undefined;
}

/**
 * Longest origin compared with patterns: `<scheme>://<host>[:<port>]` with a host of at most 253 characters fits
 * well within it; longer Origin headers are not origins anyone can allow (only `*` allows them).
 */
export const MAX_ORIGIN_LENGTH = 512;

// Characters of a host label; `*` stands for labels joined by dots: [a-z0-9-]+(\.[a-z0-9-]+)*.
const isLabelChar = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d;
const DOT = 0x2e;
const STAR = 0x2a;
// NFA state flags per pattern position; at a `*`: AT = needs its first label character, LABEL = inside a label
// (may end the `*` here), AFTER_DOT = needs a label character after a dot.
const AT = 1;
const LABEL = 2;
const AFTER_DOT = 4;

/**
 * Whether `origin` matches `pattern` (both lower-case), in O(origin × pattern) steps whatever they contain: the
 * pattern's automaton is simulated one character at a time. (A regular expression built from the pattern
 * backtracks exponentially: `https://*-*-*-*.example.com` against a 1 KB Origin took 40 s of the event loop.)
 */
export function wildcardMatch(pattern: string, origin: string): boolean {
  const m = pattern.length;
  let current = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  current[0] = AT;
  closeOver(pattern, current);
  for (let k = 0; k < origin.length; k++) {
    const c = origin.charCodeAt(k);
    next.fill(0);
    let any = false;
    for (let i = 0; i < m; i++) {
      const state = current[i]!;
      if (state === 0) continue;
      if (pattern.charCodeAt(i) === STAR) {
        if (isLabelChar(c)) next[i]! |= LABEL;
        else if (c === DOT && state & LABEL) next[i]! |= AFTER_DOT;
        else continue;
        any = true;
      } else if (pattern.charCodeAt(i) === c) {
        next[i + 1]! |= AT;
        any = true;
      }
    }
    if (!any) return false;
    closeOver(pattern, next);
    [current, next] = [next, current];
  }
  return (current[m]! & AT) !== 0;
}

/** A `*` inside a label may end there: the position after it becomes active (positions only move forward). */
function closeOver(pattern: string, states: Uint8Array): void {
  for (let i = 0; i < pattern.length; i++) {
    if (states[i]! & LABEL && pattern.charCodeAt(i) === STAR) states[i + 1]! |= AT;
  }
}

export function originAllowed(patterns: OriginPatterns, origin: string | undefined): boolean {
  if (origin === undefined || origin === '') return false;
  const o = origin.toLowerCase();
  for (const p of patterns) {
    if (p === '*' || p === o) return true;
    if (o.length <= MAX_ORIGIN_LENGTH && p.includes('*') && wildcardMatch(p, o)) return true;
  }
  return false;
}
