// The last few seconds of a transcoded stream's source, whole GOPs only, so a restarted ffmpeg can start at the
// source keyframe right after what its renditions last emitted instead of at the next keyframe to arrive. Starting
// later would leave a hole of one or more GOPs in every rung, and since rung segments are cut at the source's
// keyframes, the rung would then count one segment fewer than the source for the rest of the broadcast: the same
// media sequence number would name different moments in different variants.
//
// Bounded in time and in bytes: a GOP is dropped from the front once the ones after it cover the window, or while
// the bytes exceed the cap (a single GOP above the cap is not kept at all). It holds references to the units' own
// buffers, no copies.

import type { AccessUnit } from '../types.js';

export interface ReplayBufferOptions {
  /** Source time kept behind the newest unit (default 6 s: a restart's backoff, ffmpeg's start and the rung lag). */
  windowMs?: number;
  /** Payload bytes kept at most (default 16 MiB: 6 s of a 20 Mbps source). */
  maxBytes?: number;
}

interface Gop {
  startDts: number;
  units: AccessUnit[];
  bytes: number;
}

export class ReplayBuffer {
  private readonly windowMs: number;
  private readonly maxBytes: number;
  private gops: Gop[] = [];
  private bytes = 0;
  /** Start of the newest GOP no longer kept (dropped, or cleared away): nothing continues from before it. */
  private forgottenFrom = -Infinity;
  private newestDts = -Infinity;

  constructor(opts: ReplayBufferOptions = {}) {
    this.windowMs = opts.windowMs ?? 6000;
    this.maxBytes = opts.maxBytes ?? 16 * 1024 * 1024;
  }

  /** Keeps `au` (units before the first keyframe are not replayable and are ignored). */
  push(au: AccessUnit): void {
    this.newestDts = Math.max(this.newestDts, au.dts);
    if (au.track === 'video' && au.keyframe) this.gops.push({ startDts: au.dts, units: [], bytes: 0 });
    const gop = this.gops.at(-1);
    if (!gop) return;
    gop.units.push(au);
    gop.bytes += au.data.length;
    this.bytes += au.data.length;
    this.trim(au.dts);
  }

  /** Forgets everything (the source's decoder configuration changed: older units need the old one). */
  clear(): void {
    this.forgottenFrom = Math.max(this.forgottenFrom, this.gops.at(-1)?.startDts ?? this.newestDts);
    this.gops = [];
    this.bytes = 0;
  }

  /**
   * The units from the first keyframe after `dts` on (DTS order as received), or undefined when it is not kept:
   * not arrived yet, or already dropped (then what is kept would not continue from `dts` without a hole, and only
   * add latency).
   */
  after(dts: number): AccessUnit[] | undefined {
    if (this.forgottenFrom > dts) return undefined;
    const first = this.gops.findIndex((g) => g.startDts > dts);
    if (first < 0) return undefined;
    return this.gops.slice(first).flatMap((g) => g.units);
  }

  /** Payload bytes held (the tests check the bounds with it). */
  get heldBytes(): number {
    return this.bytes;
  }

  private trim(newestDts: number): void {
    // The oldest GOP goes once the one after it still starts inside the window, so the window is always covered.
    while (this.gops.length > 1 && (newestDts - this.gops[1]!.startDts >= this.windowMs || this.bytes > this.maxBytes)) {
      const gop = this.gops.shift()!;
      this.bytes -= gop.bytes;
      this.forgottenFrom = Math.max(this.forgottenFrom, gop.startDts);
    }
    // A single GOP over the cap (a very long GOP): keep nothing until the next keyframe rather than grow.
    if (this.bytes > this.maxBytes) this.clear();
  }
}
