// The bounded in-memory window of a rendition's segments. The last `size` segments are listed in the playlist;
// `retain` more stay fetchable after they leave it, because a player may request a segment from a playlist it
// loaded just before the slide (RFC 8216 6.2.2). Anything older is released, bounding memory per stream.

import type { Segment } from './types.js';

export class SegmentWindow {
  private readonly all: Segment[] = [];
  /** Count of EXT-X-DISCONTINUITY tags that have left the listed window (EXT-X-DISCONTINUITY-SEQUENCE). */
  discontinuitySequence = 0;

  constructor(
    private readonly size: number,
    private readonly retain: number,
  ) {
    if (size < 1) throw new RangeError('window size must be at least 1');
  }

  push(segment: Segment): void {
    this.all.push(segment);
    const listedStart = this.all.length - this.size;
    if (listedStart > 0) {
      const leaving = this.all[listedStart - 1]!;
      if (leaving.discontinuity) this.discontinuitySequence++;
    }
    while (this.all.length > this.size + this.retain) this.all.shift();
  }

  /** Segments listed in the playlist, oldest first. */
  get listed(): readonly Segment[] {
    return this.all.length > this.size ? this.all.slice(this.all.length - this.size) : this.all;
  }

  /** Media sequence number of the first listed segment. */
  get mediaSequence(): number {
    const listed = this.listed;
    return listed.length > 0 ? listed[0]!.sequence : 0;
  }

  /** A listed or retained segment by sequence number. */
  find(sequence: number): Segment | undefined {
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

  get last(): Segment | undefined {
    return this.all[this.all.length - 1];
  }
}
