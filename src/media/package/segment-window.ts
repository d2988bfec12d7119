// The bounded in-memory window of a rendition's segments. The last `size` segments are listed in the playlist;
// `retain` more stay fetchable after they leave it, because a player may request a segment from a playlist it
// loaded just before the slide (RFC 8216 6.2.2). Anything older is released, bounding memory per stream. A segment's
// bytes may move from memory to a file while it is in the window (cold-segments.ts); the window only holds them.

import type { StoredSegment } from './types.js';

export class SegmentWindow {
  private readonly all: StoredSegment[] = [];
  /** Count of EXT-X-DISCONTINUITY tags that have left the listed window (EXT-X-DISCONTINUITY-SEQUENCE). */
  discontinuitySequence = 0;

  constructor(
    private readonly size: number,
    private readonly retain: number,
  ) {
    if (size < 1) throw new RangeError('window size must be at least 1');
  }

  /** Adds the newest segment; returns the segments released (no longer listed nor retained). */
  push(segment: StoredSegment): StoredSegment[] {
    this.all.push(segment);
    const listedStart = this.all.length - this.size;
    if (listedStart > 0) {
      const leaving = this.all[listedStart - 1]!;
      if (leaving.discontinuity) this.discontinuitySequence++;
    }
    const excess = this.all.length - (this.size + this.retain);
    return excess > 0 ? this.all.splice(0, excess) : [];
  }

  /** The segment `n` places before the newest (0: the newest), listed or retained. */
  fromEnd(n: number): StoredSegment | undefined {
    return n >= 0 ? this.all[this.all.length - 1 - n] : undefined;
  }

  /** Segments listed in the playlist, oldest first. */
  get listed(): readonly StoredSegment[] {
    return this.all.length > this.size ? this.all.slice(this.all.length - this.size) : this.all;
  }

  /** Media sequence number of the first listed segment. */
  get mediaSequence(): number {
    const listed = this.listed;
    return listed.length > 0 ? listed[0]!.sequence : 0;
  }

  /** A listed or retained segment by sequence number. */
  find(sequence: number): StoredSegment | undefined {
    const first = this.all[0];
    if (!first) return undefined;
    const seg = this.all[sequence - first.sequence];
    return seg && seg.sequence === sequence ? seg : undefined;
  }

  /** Video frames per second over the listed segments, or undefined without video. */
  frameRate(): number | undefined {
    let frames = 0;
    let ms = 0;
    for (const s of this.listed) {
      frames += s.videoFrames;
      ms += s.durationMs;
    }
    return frames > 0 && ms > 0 ? (frames * 1000) / ms : undefined;
  }

  get last(): StoredSegment | undefined {
    return this.all[this.all.length - 1];
  }
}
