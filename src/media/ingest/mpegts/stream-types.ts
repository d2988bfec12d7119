// Which elementary streams of a PMT openivs carries (the first H.264 and the first ADTS AAC stream) and names for
// the media it cannot carry, so a broadcaster sending HEVC or Opus over SRT is told what to change, as on RTMP.
// Everything else (ID3 timed metadata, SCTE-35, KLV, teletext, subtitles, a second audio track) is ignored.

import type { PmtStream } from './psi.js';

export const STREAM_TYPE_H264 = 0x1b;
export const STREAM_TYPE_AAC_ADTS = 0x0f;

const VIDEO_TYPES: Record<number, string> = {
  0x01: 'MPEG-1 video',
  0x02: 'MPEG-2 video',
  0x10: 'MPEG-4 Part 2 video',
  0x20: 'H.264 SVC',
  0x24: 'HEVC (H.265)',
  0x33: 'VVC (H.266)',
  0x42: 'AVS',
  0xea: 'VC-1',
};
const AUDIO_TYPES: Record<number, string> = {
  0x03: 'MPEG-1 audio (MP2/MP3)',
  0x04: 'MPEG-2 audio (MP2/MP3)',
  0x11: 'AAC in LATM',
  0x1c: 'MPEG-4 audio without ADTS',
  0x81: 'AC-3',
  0x87: 'E-AC-3',
};
/** Private PES (stream_type 0x06) identified by a registration descriptor. */
const PRIVATE_VIDEO: Record<string, string> = { HEVC: 'HEVC (H.265)', AV01: 'AV1', VP09: 'VP9' };
const PRIVATE_AUDIO: Record<string, string> = { Opus: 'Opus', 'AC-3': 'AC-3', EAC3: 'E-AC-3' };
const DESCRIPTOR_AC3 = 0x6a;
const DESCRIPTOR_EAC3 = 0x7a;

export interface StreamSelection {
  video?: PmtStream;
  audio?: PmtStream;
  /** Set when the program has video (or audio) and none of it is a codec openivs carries. */
  unsupported?: string;
}

export function selectStreams(streams: PmtStream[]): StreamSelection {
  const video = streams.find((s) => s.streamType === STREAM_TYPE_H264);
  const audio = streams.find((s) => s.streamType === STREAM_TYPE_AAC_ADTS);
  const selection: StreamSelection = {};
  if (video) selection.video = video;
  if (audio) selection.audio = audio;
  const otherVideo = video ? undefined : streams.map(videoName).find((n) => n !== undefined);
  const otherAudio = audio ? undefined : streams.map(audioName).find((n) => n !== undefined);
  if (otherVideo) selection.unsupported = `video codec ${otherVideo} is not supported; openivs accepts H.264 (AVC) video`;
  else if (otherAudio) selection.unsupported = `audio codec ${otherAudio} is not supported; openivs accepts AAC audio`;
  return selection;
}

function videoName(s: PmtStream): string | undefined {
  const name = s.streamType === 0x06 ? PRIVATE_VIDEO[s.registration ?? ''] : VIDEO_TYPES[s.streamType];
  return name && `${name} (MPEG-TS stream_type 0x${hex(s.streamType)})`;
}

function audioName(s: PmtStream): string | undefined {
  let name = s.streamType === 0x06 ? PRIVATE_AUDIO[s.registration ?? ''] : AUDIO_TYPES[s.streamType];
  if (!name && s.streamType === 0x06 && s.descriptorTags.includes(DESCRIPTOR_AC3)) name = 'AC-3';
  if (!name && s.streamType === 0x06 && s.descriptorTags.includes(DESCRIPTOR_EAC3)) name = 'E-AC-3';
  return name && `${name} (MPEG-TS stream_type 0x${hex(s.streamType)})`;
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}
