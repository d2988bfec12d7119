// LL-HLS partial segments (RFC 8216bis 4.4.4.9): the records the segmenter produces for channels with
// latencyMode LOW, the low-latency playlist state and the (msn, part) ordering used by blocking playlist reload.
//
// Part target: 334 ms by default, a third of a second rounded up onto the packager's millisecond timeline. It splits
// the default 2 s segment into six parts of 10 frames at 30 fps (20 at 60 fps); on a ms-rounded timeline 10 frames
// at 30 fps last 333 or 334 ms, and no part may exceed PART-TARGET, so 333 would force 9-frame parts plus a short
// tail. PART-HOLD-BACK (3 × part target) is then ~1 s, so players sit ~1–1.5 s behind the live edge. Every part but
// a segment's last must last at least 85% of the target (RFC 8216bis 4.4.3.7), which needs a frame interval ≤ 15% of
// it: ≥ 20 fps at 334 ms. 200 ms would break that rule at 25 fps (40 ms frames) and double the per-viewer request
// rate (each part is one held request); 500 ms would add half a second of latency for little gain.

import type { MediaPlaylistState } from './types.js';

export const DEFAULT_PART_TARGET_MS = 334;

/** One partial segment; its bytes are a slice of the parent segment's (parts concatenate to the segment). */
export interface Part {
  /** Media sequence number of the parent segment. */
  sequence: number;
  /** Part index within the parent segment, from 0. */
  index: number;
  /** DTS of the part's first unit, output timeline. */
  startDts: number;
  /** To the start of the next part (or the end of the parent segment for its last part). */
  durationMs: number;
  /** Starts with a video keyframe (or has no video): EXT-X-PART INDEPENDENT=YES. */
  independent: boolean;
  /**
   * While the parent segment is open (the 'part' event, findPart on the segment in progress) a view of the TS
   * packager's working buffer, which is written again for the next segment: valid until the parent closes, unless
   * pinned (buffer-pins.ts; responses pin what they send). Once the parent closes, a view of the segment's own bytes.
   */
  bytes: Buffer;
}

/** A part's place in the stream: (media sequence number, part index), ordered lexicographically. */
export interface PartPosition {
  msn: number;
  part: number;
}

/** <0, 0, >0 as a is before, at, after b. */
export function comparePositions(a: PartPosition, b: PartPosition): number {
  return a.msn !== b.msn ? a.msn - b.msn : a.part - b.part;
}

/** The segment being written: what the playlist lists of it before it completes. */
export interface PendingSegment {
  sequence: number;
  programDateTime: Date;
  discontinuity: boolean;
  /** Completed parts, in order. */
  parts: readonly Part[];
}

export interface LowLatencyPlaylistState extends MediaPlaylistState {
  partTargetMs: number;
  /** Completed parts of finished segments, by media sequence number (recent segments; renderers pick which to list). */
  parts: ReadonlyMap<number, readonly Part[]>;
  /** The segment in progress; undefined before the first keyframe and after end(). */
  pending?: PendingSegment;
  /** The part being written (EXT-X-PRELOAD-HINT); undefined after end(). */
  nextPart?: PartPosition;
}
