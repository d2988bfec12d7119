// Source arrival times by presentation time, so rendition units can carry the wall clock at which the
// *source* frame arrived rather than the moment ffmpeg finished encoding it. Program date-time is derived
// from `arrival`; taking it from the encoder output would shift renditions later than the source by the
// transcode delay. With `-copyts -enc_time_base -1` a video frame keeps its source pts exactly; re-encoded
// audio is re-framed, so its lookups fall back to the nearest earlier source unit.

import type { AccessUnit } from '../types.js';

/** How far (ms) below the wanted pts a backward scan continues: covers B-frame reordering in the source. */
const REORDER_WINDOW_MS = 2000;

class Ring {
  private readonly pts: Float64Array;
  private readonly arrival: Float64Array;
  private next = 0;
  private count = 0;

  constructor(private readonly capacity: number) {
    this.pts = new Float64Array(capacity);
    this.arrival = new Float64Array(capacity);
  }

  add(pts: number, arrival: number): void {
    this.pts[this.next] = pts;
    this.arrival[this.next] = arrival;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** Exact pts match if present, else the entry with the greatest pts at or below `pts`. */
  find(pts: number): number | undefined {
    let best: number | undefined;
    let bestPts = -Infinity;
    for (let k = 1; k <= this.count; k++) {
      const i = (this.next - k + this.capacity) % this.capacity;
      const p = this.pts[i]!;
      if (p === pts) return this.arrival[i]!;
      if (p < pts && p > bestPts) {
        bestPts = p;
        best = this.arrival[i]!;
      }
      if (p < pts - REORDER_WINDOW_MS && best !== undefined) break;
    }
    return best;
  }
}

export class ArrivalMap {
  private readonly video: Ring;
  private readonly audio: Ring;

  /** `capacity` units per track: ~17 s of 60 fps video, ~21 s of 48 kHz AAC at the default. */
  constructor(capacity = 1024) {
    this.video = new Ring(capacity);
    this.audio = new Ring(capacity);
  }

  record(au: AccessUnit): void {
    (au.track === 'video' ? this.video : this.audio).add(au.pts, au.arrival);
  }

  /** The source's arrival for this presentation time; `fallback` (default: now) when it is unknown. */
  lookup(track: AccessUnit['track'], pts: number, fallback = Date.now()): number {
    return (track === 'video' ? this.video : this.audio).find(pts) ?? fallback;
  }
}
