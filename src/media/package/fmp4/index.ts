// Public surface of the fragmented-MP4 (CMAF) container: the SegmentWriter and the box builders it is made of.

export { box, fields, Fields, fullBox } from './box.js';
export { EMSG_TIMESCALE, emsgV1, ID3_SCHEME, id3Emsg, type EmsgFields } from './emsg.js';
export { Fmp4SegmentWriter } from './fmp4-segment-writer.js';
export { buildFragment } from './fragment.js';
export { audioTimescale, initSegment, TRACK_ID_AUDIO, TRACK_ID_VIDEO, VIDEO_TIMESCALE } from './init.js';
export { NON_SYNC_SAMPLE_FLAGS, SYNC_SAMPLE_FLAGS, TrackFragmenter, type Sample, type TrackRun } from './track-run.js';
