// Timed metadata in fMP4: `emsg` (DASH event message) boxes carrying an ID3v2.4 tag, written at top level before the
// moof of the fragment that follows the metadata call. Two carriages, because the players that matter read different
// ones and each ignores the other's:
//   - version 1, scheme `https://aomedia.org/emsg/ID3`: what hls.js and Safari read from CMAF segments. Its absolute
//     64-bit presentation_time needs no reference point.
//   - version 0, scheme `urn:twitch:id3`: the only one Amazon's IVS player turns into TEXT_METADATA_CUE (and where it
//     reads the per-segment `segmentmetadata` tag). Its presentation_time_delta is relative to the earliest
//     presentation time of the segment (ISO/IEC 23009-1 5.10.3.3), here the HLS segment the box sits in, not the
//     LL-HLS part: a player that loads whole segments (IVS's) sees one segment, whatever parts it was served as.
// hls.js only reads emsg schemes matching /\/emsg[-/]ID3/i, so it never sees the `urn:twitch:id3` boxes.

import { cString, fields, fullBox } from './box.js';

export const ID3_SCHEME = 'https://aomedia.org/emsg/ID3';
export const TWITCH_ID3_SCHEME = 'urn:twitch:id3';
/** Same clock as the video track and MPEG-TS PTS, so ms convert exactly. */
export const EMSG_TIMESCALE = 90_000;
/** event_duration 0xFFFFFFFF = unknown. */
export const EMSG_DURATION_UNKNOWN = 0xffffffff;

export interface EmsgFields {
  timescale: number;
  /** v1: presentation_time; v0: presentation_time_delta. */
  presentationTime: number;
  eventDuration: number;
  id: number;
  schemeIdUri: string;
  value: string;
  messageData: Buffer;
}

const ticks = (ms: number) => Math.max(0, Math.round(ms * (EMSG_TIMESCALE / 1000)));

/** An emsg v1 box (hls.js, Safari) for an ID3 tag presented at `ptsMs` (output timeline). */
export function id3Emsg(ptsMs: number, id3: Buffer, id: number): Buffer {
  return emsgV1({
    timescale: EMSG_TIMESCALE,
    presentationTime: ticks(ptsMs),
    eventDuration: EMSG_DURATION_UNKNOWN,
    id,
    schemeIdUri: ID3_SCHEME,
    value: '',
    messageData: id3,
  });
}

/** An emsg v0 box (Amazon's IVS player) for an ID3 tag presented at `ptsMs`, in a segment starting at `segmentStartMs`. */
export function twitchId3Emsg(ptsMs: number, segmentStartMs: number, id3: Buffer, id: number): Buffer {
  return emsgV0({
    timescale: EMSG_TIMESCALE,
    presentationTime: ticks(ptsMs - segmentStartMs),
    eventDuration: EMSG_DURATION_UNKNOWN,
    id,
    schemeIdUri: TWITCH_ID3_SCHEME,
    value: '',
    messageData: id3,
  });
}

export function emsgV1(e: EmsgFields): Buffer {
  const head = fields(20, (f) => {
    f.u32(e.timescale).u64(e.presentationTime).u32(e.eventDuration).u32(e.id);
  });
  return fullBox('emsg', 1, 0, head, cString(e.schemeIdUri), cString(e.value), e.messageData);
}

export function emsgV0(e: EmsgFields): Buffer {
  if (e.presentationTime > 0xffffffff) throw new RangeError(`emsg v0 presentation_time_delta too large: ${e.presentationTime}`);
  const tail = fields(16, (f) => {
    f.u32(e.timescale).u32(e.presentationTime).u32(e.eventDuration).u32(e.id);
  });
  return fullBox('emsg', 0, 0, cString(e.schemeIdUri), cString(e.value), tail, e.messageData);
}
