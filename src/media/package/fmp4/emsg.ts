// Timed metadata in fMP4: an `emsg` (DASH event message) version 1 box carrying an ID3v2.4 tag, scheme
// `https://aomedia.org/emsg/ID3` — what hls.js and Safari read from CMAF segments. Version 1 has an absolute 64-bit
// presentation_time (version 0's delta would be relative to the segment start, which parts make ambiguous). The box
// is written at top level before the moof of the fragment that follows the metadata call.

import { cString, fields, fullBox } from './box.js';

export const ID3_SCHEME = 'https://aomedia.org/emsg/ID3';
/** Same clock as the video track and MPEG-TS PTS, so ms convert exactly. */
export const EMSG_TIMESCALE = 90_000;
/** event_duration 0xFFFFFFFF = unknown. */
export const EMSG_DURATION_UNKNOWN = 0xffffffff;

export interface EmsgFields {
  timescale: number;
  presentationTime: number;
  eventDuration: number;
  id: number;
  schemeIdUri: string;
  value: string;
  messageData: Buffer;
}

/** An emsg v1 box for an ID3 tag presented at `ptsMs` (output timeline). */
export function id3Emsg(ptsMs: number, id3: Buffer, id: number): Buffer {
  return emsgV1({
    timescale: EMSG_TIMESCALE,
    presentationTime: Math.max(0, Math.round(ptsMs * (EMSG_TIMESCALE / 1000))),
    eventDuration: EMSG_DURATION_UNKNOWN,
    id,
    schemeIdUri: ID3_SCHEME,
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
