// Public surface of the packager: access units in, segments and playlists out.

export { BitrateMeter, estimateBandwidth } from './bitrate.js';
export {
  PART_HOLD_BACK_PARTS,
  PART_LISTING_TARGETS,
  PREFETCH_SEGMENTS,
  PREFETCH_TAG,
  renderLowLatencyPlaylist,
  renditionReportFor,
  SKIP_BOUNDARY_TARGETS,
  type LowLatencyRenderOptions,
  type LowLatencyUris,
  type RenditionReport,
} from './ll-playlist.js';
export {
  comparePositions,
  DEFAULT_PART_TARGET_MS,
  type LowLatencyPlaylistState,
  type Part,
  type PartPosition,
  type PendingSegment,
} from './parts.js';
export {
  renderMediaPlaylist,
  renderMultivariantPlaylist,
  targetDurationFor,
  type MediaPlaylistInput,
  type MultivariantInput,
  type RenditionEntry,
  type SegmentUri,
} from './playlists.js';
export { programDateTimeFor } from './program-date-time.js';
export { renditionEntry } from './rendition-entry.js';
export {
  SEGMENT_METADATA_DESCRIPTION,
  segmentMetadataJson,
  segmentMetadataTag,
  type SegmentMetadataFields,
} from './segment-metadata.js';
export { SegmentWindow } from './segment-window.js';
export { HlsSegmenter, type HlsSegmenterOptions, type SegmenterEvents } from './segmenter.js';
export { Timeline, type TimelineOptions } from './timeline.js';
export { TsSegmentWriter } from './ts-segment-writer.js';
export { TsMuxer, type MuxUnit, type TsMuxerOptions } from './ts/muxer.js';
export type { MediaPlaylistState, MetadataKind, Segment, SegmentWriter, TimedUnit, TrackSet } from './types.js';
