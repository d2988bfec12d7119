// EXT-X-PROGRAM-DATE-TIME for a new segment. Players compute latency and sync from it, so it must be monotonic and
// agree with the EXTINF durations; the ingest wall clock (`arrival`) jitters with network and encoder bursts. The
// previous PDT plus its duration is used while the arrival clock agrees with it within a tolerance; beyond that
// (a stall, a restart, clock drift) the arrival clock wins, but never at or before the previous PDT.

export interface PreviousSegmentTime {
  programDateTime: Date;
  durationMs: number;
}

export function programDateTimeFor(arrivalMs: number, previous?: PreviousSegmentTime, toleranceMs = 500): Date {
  if (!previous) return new Date(arrivalMs);
  const prev = previous.programDateTime.getTime();
  const expected = prev + previous.durationMs;
  const pdt = Math.abs(arrivalMs - expected) <= toleranceMs ? expected : arrivalMs;
  return new Date(Math.max(pdt, prev + 1));
}
