// How much the fuzzing tests (test/fuzz/) do: a small, fixed budget in `npm test` so the suite stays
// fast and deterministic enough for CI, scaled up by FUZZ_SCALE for the long run (`npm run fuzz`).
// A failing case prints its seed; FUZZ_SEED replays it.

/** Runs (or cases) for a property: `base` in CI, `base × FUZZ_SCALE` in a long run. */
export function fuzzRuns(base: number): number {
  const scale = Number(process.env.FUZZ_SCALE ?? 1);
  return Math.max(1, Math.round(base * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

/** The seed for fast-check or a mutation loop: FUZZ_SEED when replaying, else a fresh one (printed on failure). */
export function fuzzSeed(): number {
  const fixed = process.env.FUZZ_SEED;
  return fixed !== undefined && fixed !== '' ? Number(fixed) : Math.floor(Math.random() * 2 ** 31);
}
