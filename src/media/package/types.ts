// The packager's vocabulary: finished segments, the container-writer seam (TS today, fMP4 later) and the track set a
// rendition is packaged with. Times are milliseconds on the packager's output timeline unless a field says otherwise.

import type { AudioTrackInfo, VideoTrackInfo } from '../types.js';

export interface TrackSet {
  video?: VideoTrackInfo;
  audio?: AudioTrackInfo;
}

export interface Segment {
  /** Media sequence number (EXT-X-MEDIA-SEQUENCE numbering). */
  sequence: number;
  /** From the DTS of this segment's first unit to the first unit of the next one (EXTINF). */
  durationMs: number;
  /** DTS of the first unit, output timeline (continuous across discontinuities, see Timeline). */
  startDts: number;
  /** Wall clock of the first unit at ingest, kept monotonic and consistent with durations (EXT-X-PROGRAM-DATE-TIME). */
  programDateTime: Date;
  /** Preceded by EXT-X-DISCONTINUITY: the encoder restarted, timestamps jumped, or the track configuration changed. */
  discontinuity: boolean;
  /** Starts with a video keyframe (or has no video): decodable without the previous segment. */
  independent: boolean;
  /** Video access units in the segment (frame-rate measurement). */
  videoFrames: number;
  bytes: Buffer;
}

/** An ad break a rendition signals (InsertAdBreak); ad-markers.ts renders it. */
export interface AdBreakMark {
  /** The InsertAdBreak answer's adBreakId; the DATERANGE ID. */
  id: string;
  /** SCTE-35 splice_event_id. */
  eventId: number;
  /** When InsertAdBreak was accepted (wall clock, the timeline of EXT-X-PROGRAM-DATE-TIME). */
  requestedAt: Date;
  durationMs: number;
  /** Resolved once a segment starts at or after `requestedAt`: the break's start (that segment's PDT). */
  start?: Date;
}

/** `timed`: PutMetadata's text; `segment`: the tag at the start of every segment (segment-metadata.ts). */
export type MetadataKind = 'timed' | 'segment';

/** One access unit on the output timeline, as handed to a SegmentWriter. */
export interface TimedUnit {
  track: 'video' | 'audio';
  pts: number;
  dts: number;
  keyframe: boolean;
  data: Buffer;
}

/**
 * A container writer for one rendition. The segmenter decides where segments (and later parts) start; the writer
 * only turns units into bytes. The bytes of a segment are the concatenation of its parts, so an LL-HLS part is a
 * part() call and a plain segment is begin … finish().
 */
export interface SegmentWriter {
  /** File extension of segments, e.g. `ts` or `m4s`. */
  readonly extension: string;
  /** Track configuration for segments begun from now on. */
  setTracks(tracks: TrackSet): void;
  /** Starts a segment (TS: PAT/PMT; fMP4: nothing until samples arrive). */
  begin(): void;
  write(unit: TimedUnit): void;
  /**
   * Timed metadata (an ID3v2.4 tag) presented at `ptsMs`; TS: ID3 PES, fMP4: emsg before the next moof. `kind`
   * `segment` is the per-segment tag (segment-metadata.ts), which fMP4 carries only where Amazon's IVS player reads it.
   */
  writeMetadata(ptsMs: number, id3: Buffer, kind?: MetadataKind): void;
  /** Closes the current part: the bytes since begin() or the previous part(). */
  part(): Buffer;
  /** Closes the segment: all of its bytes. */
  finish(): Buffer;
  /** Initialization section (fMP4 init segment, EXT-X-MAP); undefined for self-initializing containers (TS). */
  initSection(): Buffer | undefined;
}

/** What a media playlist renderer needs, as of now. */
export interface MediaPlaylistState {
  segments: readonly Segment[];
  mediaSequence: number;
  discontinuitySequence: number;
  /** Lower bound for EXT-X-TARGETDURATION (the largest ever seen), so it does not shrink between reloads. */
  targetDurationS?: number;
  ended: boolean;
  /** Ad breaks to signal (InsertAdBreak), resolved against `segments` (ad-markers.ts); absent when none. */
  adBreaks?: readonly AdBreakMark[];
}
