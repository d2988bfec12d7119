// Maps ingest timestamps (RTMP ms: may start anywhere, may jump when the encoder restarts or wraps) onto the
// packager's output timeline. Normally output = input + a constant offset, so renditions fed from one transcoder
// keep aligned timestamps. When a track's DTS lands more than `jumpThresholdMs` away from where it was expected,
// and also away from every other track's latest DTS (else it is a gap in one track, e.g. video stalled while audio
// went on), the offset is rebased so the output continues where it left off: PTS stays monotonic across
// EXT-X-DISCONTINUITY, which keeps players that ignore the tag (and ffmpeg) and the PCR happy, and the caller is
// told to mark one.

export interface TimelineOptions {
  /** Output = input + this, until the first jump; leaves room so PCR (DTS − delay) never goes negative. */
  initialOffsetMs?: number;
  jumpThresholdMs?: number;
  /**
   * Forward jumps up to this long are kept as gaps instead of rebased. A transcoded rendition needs
   * this: after its ffmpeg restarts, input resumes at a later source keyframe, and rebasing would
   * shift it away from the source rendition's timestamps. Default 0 (every jump rebases).
   */
  maxForwardGapMs?: number;
}

interface TrackClock {
  lastOut: number;
  /** Last sane DTS step, used to predict the next DTS. */
  step: number;
}

export class Timeline {
  private offset: number;
  private readonly threshold: number;
  private readonly maxForwardGap: number;
  private readonly clocks = new Map<string, TrackClock>();
  /** Set by map() when this unit caused a rebase. */
  jumped = false;

  constructor(options: TimelineOptions = {}) {
    this.offset = options.initialOffsetMs ?? 10_000;
    this.threshold = options.jumpThresholdMs ?? 1_000;
    this.maxForwardGap = options.maxForwardGapMs ?? 0;
  }

  /** Output DTS for an input DTS on `track`; the same offset applies to the unit's PTS (see offsetMs). */
  map(track: string, dts: number): number {
    this.jumped = false;
    let out = dts + this.offset;
    const clock = this.clocks.get(track);
    if (!clock) {
      this.clocks.set(track, { lastOut: out, step: 0 });
      return out;
    }
    const expected = clock.lastOut + clock.step;
    const keptGap = out > expected && out - expected <= this.maxForwardGap;
    if (!keptGap && Math.abs(out - expected) > this.threshold && !this.nearOtherTrack(track, out)) {
      // Restart after the furthest track end, so no track's new units overlap its old ones.
      out = this.latestEnd();
      this.offset = out - dts;
      this.jumped = true;
    }
    const step = out - clock.lastOut;
    if (step > 0 && step <= this.threshold) clock.step = step;
    clock.lastOut = out;
    return out;
  }

  private latestEnd(): number {
    let end = -Infinity;
    for (const clock of this.clocks.values()) end = Math.max(end, clock.lastOut + clock.step);
    return end;
  }

  private nearOtherTrack(track: string, out: number): boolean {
    for (const [name, clock] of this.clocks) {
      if (name !== track && Math.abs(out - clock.lastOut) <= this.threshold) return true;
    }
    return false;
  }

  /** The current input → output offset (ms). */
  get offsetMs(): number {
    return this.offset;
  }

  /** Where the track is expected to continue: last DTS plus its usual step (end of the last unit). */
  trackEnd(track: string): number | undefined {
    const clock = this.clocks.get(track);
    return clock && clock.lastOut + clock.step;
  }
}
