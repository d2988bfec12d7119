// Stream health as IVS reports it: STARVING when media arrives slower than real time (the encoder or
// its uplink cannot keep up) or stops arriving; HEALTHY again once it keeps pace. Pure: fed with
// (wall clock, media clock) samples and polled by the registry's timer.

export type Health = 'HEALTHY' | 'STARVING';

export interface HealthOptions {
  /** No media for this long means starving. */
  stallMs: number;
  /** Window over which media progress is compared with wall time. */
  windowMs: number;
  /** Media must advance at least this fraction of wall time over the window. */
  minRatio: number;
}

export const DEFAULT_HEALTH: HealthOptions = { stallMs: 3_000, windowMs: 6_000, minRatio: 0.8 };

interface Sample {
  wall: number;
  media: number;
}

export class HealthMonitor {
  private readonly samples: Sample[] = [];
  private lastArrival: number;
  private readonly startedAt: number;
  state: Health = 'HEALTHY';

  constructor(
    now: number,
    private readonly opts: HealthOptions = DEFAULT_HEALTH,
  ) {
    this.lastArrival = now;
    this.startedAt = now;
  }

  /** Records media progress: `mediaMs` is the newest decode timestamp seen. */
  onMedia(wallMs: number, mediaMs: number): void {
    this.lastArrival = wallMs;
    const last = this.samples[this.samples.length - 1];
    if (last && wallMs - last.wall < 250) return; // a few samples per second are plenty
    this.samples.push({ wall: wallMs, media: mediaMs });
  }

  /** Timestamp jumps (discontinuities) must not read as starvation or as a burst. */
  resetTimeline(): void {
    this.samples.length = 0;
  }

  /** Re-evaluates; returns the new state when it changed, else undefined. */
  evaluate(nowMs: number): Health | undefined {
    while (this.samples.length > 1 && nowMs - this.samples[0]!.wall > this.opts.windowMs) this.samples.shift();
    const next = this.isStarving(nowMs) ? 'STARVING' : 'HEALTHY';
    if (next === this.state) return undefined;
    this.state = next;
    return next;
  }

  private isStarving(nowMs: number): boolean {
    if (nowMs - this.lastArrival > this.opts.stallMs) return true;
    if (nowMs - this.startedAt < this.opts.windowMs) return false; // too early to judge the rate
    const first = this.samples[0];
    if (!first) return false;
    // Rate over the arrivals themselves: a gap since the last arrival is the stall check's business.
    const last = this.samples[this.samples.length - 1]!;
    const wall = last.wall - first.wall;
    const media = last.media - first.media;
    return wall >= this.opts.windowMs * 0.75 && media < wall * this.opts.minRatio;
  }
}
