// The per-segment ID3 tag IVS writes at the start of every segment of every rendition: one TXXX frame with the
// description `segmentmetadata` and a JSON value. Amazon's IVS player needs it: it stops at the first MPEG-TS segment
// whose PMT declares the timed-metadata stream (stream_type 0x15) but carries no packet on it, so without this tag
// every segment without a PutMetadata call would stall it. The player also reads the JSON: `stream_offset` (seconds
// since the broadcast began, for Player.getStartOffset) and, with `cmd` `ld_lat_data`, `transc_r`/`transc_s` (epoch
// ms at which the transcoder received the segment's first frame and sent the segment on: its latency signals).
// Twitch's players read the same frame (TXXX `segmentmetadata`, `cmd` `ld_lat_data`, `transc_r`, `transc_s`); IVS's
// exact byte layout is undocumented, so the fields are the ones Amazon's player reads.
//
// Players that show every ID3 frame (hls.js on its metadata text track and FRAG_PARSING_METADATA, Safari's DataCues)
// show this one too, as they do on IVS: a TXXX whose description is `segmentmetadata`, unlike PutMetadata's (empty).

import { id3TxxxTag } from './id3.js';

/** The TXXX description Amazon's IVS player recognises. */
export const SEGMENT_METADATA_DESCRIPTION = 'segmentmetadata';

export interface SegmentMetadataFields {
  /** Wall clock (epoch ms) of the segment's first frame at ingest: its EXT-X-PROGRAM-DATE-TIME. */
  receivedAtMs: number;
  /** Wall clock (epoch ms) at which the packager started the segment. */
  sentAtMs: number;
  /** Seconds since the broadcast (this rendition's first segment) began. */
  streamOffsetS: number;
}

/** The JSON value of the frame; keys in the order Twitch writes them. */
export function segmentMetadataJson(f: SegmentMetadataFields): string {
  return JSON.stringify({
    cmd: 'ld_lat_data',
    stream_offset: Number(Math.max(0, f.streamOffsetS).toFixed(3)),
    transc_r: Math.round(f.receivedAtMs),
    transc_s: Math.round(Math.max(f.sentAtMs, f.receivedAtMs)),
  });
}

/** The ID3v2.4 tag carrying it. */
export function segmentMetadataTag(f: SegmentMetadataFields): Buffer {
  return id3TxxxTag(segmentMetadataJson(f), SEGMENT_METADATA_DESCRIPTION);
}
