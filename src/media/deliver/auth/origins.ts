// Origin rules of playback tokens: `aws:access-control-allow-origin` is a comma-separated list of origins, where `*`
// alone allows any origin and a `*` inside an origin (e.g. `https://*.example.com`) stands for one or more host
// characters. Matching is case-insensitive (scheme and host are); `*` never spans a `/`, `:` or other character an
// attacker could use to smuggle another host into the comparison.

export type OriginPatterns = readonly string[];

/** Splits the claim into patterns; undefined when it lists none. */
export function parseOriginClaim(claim: string): OriginPatterns | undefined {
  const patterns = claim.split(',').map((p) => p.trim().toLowerCase()).filter((p) => p !== '');
  return patterns.length > 0 ? patterns : undefined;
}

const compiled = new Map<string, RegExp>();
const MAX_COMPILED = 1_000;

function regexFor(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    const body = pattern.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[a-z0-9-]+(?:\\.[a-z0-9-]+)*');
    re = new RegExp(`^${body}$`);
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

export function originAllowed(patterns: OriginPatterns, origin: string | undefined): boolean {
  if (origin === undefined || origin === '') return false;
  const o = origin.toLowerCase();
  for (const p of patterns) {
    if (p === '*' || p === o) return true;
    if (p.includes('*') && regexFor(p).test(o)) return true;
  }
  return false;
}
