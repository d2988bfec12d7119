// FLV tag body parsing for RTMP audio (type 8) and video (type 9) messages. openivs carries H.264 + AAC
// only, so everything else is classified as unsupported with a name the broadcaster will recognise —
// including Enhanced RTMP (the ExVideoTagHeader / ExAudioTagHeader FourCC forms) for HEVC, AV1, VP9,
// Opus and friends. Enhanced RTMP's `avc1` and `mp4a` forms are the same codecs and are accepted.
// Returned payloads are views into the message buffer: no copy.

import { BitstreamError } from './errors.js';

export type VideoTag =
  | { kind: 'config'; record: Buffer }
  | { kind: 'frame'; keyframe: boolean; cts: number; data: Buffer }
  | { kind: 'ignore' }
  | { kind: 'unsupported'; description: string };

export type AudioTag =
  | { kind: 'config'; asc: Buffer }
  | { kind: 'frame'; data: Buffer }
  | { kind: 'ignore' }
  | { kind: 'unsupported'; description: string };

const IGNORE = { kind: 'ignore' } as const;
const VIDEO_CODECS: Record<number, string> = {
  1: 'JPEG',
  2: 'Sorenson H.263',
  3: 'Screen Video',
  4: 'On2 VP6',
  5: 'On2 VP6 with alpha',
  6: 'Screen Video v2',
  12: 'HEVC (non-standard FLV codec id 12)',
  13: 'AV1 (non-standard FLV codec id 13)',
};
const VIDEO_FOURCCS: Record<string, string> = { hvc1: 'HEVC (H.265)', av01: 'AV1', vp09: 'VP9', vp08: 'VP8' };
const AUDIO_FORMATS: Record<number, string> = {
  0: 'linear PCM',
  1: 'ADPCM',
  2: 'MP3',
  3: 'linear PCM',
  4: 'Nellymoser',
  5: 'Nellymoser',
  6: 'Nellymoser',
  7: 'G.711 A-law',
  8: 'G.711 mu-law',
  11: 'Speex',
  13: 'Opus (non-standard FLV sound format 13)',
  14: 'MP3',
  15: 'device-specific audio',
};
const AUDIO_FOURCCS: Record<string, string> = { Opus: 'Opus', '.mp3': 'MP3', 'ac-3': 'AC-3', 'ec-3': 'E-AC-3', fLaC: 'FLAC' };
const VIDEO_HINT = 'openivs accepts H.264 (AVC) video';
const AUDIO_HINT = 'openivs accepts AAC audio';

export function parseVideoTag(body: Buffer): VideoTag {
  if (body.length < 1) return IGNORE;
  const b0 = body[0]!;
  if (b0 & 0x80) return parseExVideo(body, b0);
  const frameType = b0 >> 4;
  const codecId = b0 & 0x0f;
  if (frameType === 5) return IGNORE; // video info / command frame: no picture
  if (codecId !== 7) {
    const name = VIDEO_CODECS[codecId] ?? `FLV video codec id ${codecId}`;
    return { kind: 'unsupported', description: `video codec ${name} is not supported; ${VIDEO_HINT}` };
  }
  if (body.length < 5) throw new BitstreamError('AVC video tag shorter than its 5-byte header');
  const packetType = body[1]!;
  if (packetType === 0) return { kind: 'config', record: body.subarray(5) };
  if (packetType !== 1) return IGNORE; // 2 = end of sequence
  const cts = body.readIntBE(2, 3); // signed 24-bit composition time offset
  return frame(frameType === 1, cts, body.subarray(5));
}

/** Enhanced RTMP: [IsExHeader:1][FrameType:3][PacketType:4][FourCC:4] ... */
function parseExVideo(body: Buffer, b0: number): VideoTag {
  if (body.length < 5) throw new BitstreamError('Enhanced RTMP video tag shorter than its header');
  const frameType = (b0 >> 4) & 0x07;
  const packetType = b0 & 0x0f;
  const fourcc = body.toString('latin1', 1, 5);
  if (fourcc !== 'avc1') {
    const name = VIDEO_FOURCCS[fourcc] ?? `'${printable(fourcc)}'`;
    return { kind: 'unsupported', description: `video codec ${name} (Enhanced RTMP) is not supported; ${VIDEO_HINT}` };
  }
  if (packetType >= 5) {
    return {
      kind: 'unsupported',
      description: `Enhanced RTMP video packet type ${packetType} (multitrack/ModEx) is not supported`,
    };
  }
  if (frameType === 5 || packetType === 2 || packetType === 4) return IGNORE; // command, end, metadata
  if (packetType === 0) return { kind: 'config', record: body.subarray(5) };
  if (packetType === 3) return frame(frameType === 1, 0, body.subarray(5)); // CodedFramesX: cts is 0
  if (body.length < 8) throw new BitstreamError('Enhanced RTMP coded frame shorter than its header');
  return frame(frameType === 1, body.readIntBE(5, 3), body.subarray(8));
}

function frame(keyframe: boolean, cts: number, data: Buffer): VideoTag {
  return data.length === 0 ? IGNORE : { kind: 'frame', keyframe, cts, data };
}

export function parseAudioTag(body: Buffer): AudioTag {
  if (body.length < 1) return IGNORE;
  const format = body[0]! >> 4;
  if (format === 9) return parseExAudio(body);
  if (format !== 10) {
    const name = AUDIO_FORMATS[format] ?? `FLV sound format ${format}`;
    return { kind: 'unsupported', description: `audio codec ${name} is not supported; ${AUDIO_HINT}` };
  }
  if (body.length < 2) throw new BitstreamError('AAC audio tag shorter than its 2-byte header');
  return aacPacket(body[1]!, body.subarray(2));
}

/** Enhanced RTMP v2: [SoundFormat=9:4][AudioPacketType:4][FourCC:4] ... */
function parseExAudio(body: Buffer): AudioTag {
  if (body.length < 5) throw new BitstreamError('Enhanced RTMP audio tag shorter than its header');
  const packetType = body[0]! & 0x0f;
  const fourcc = body.toString('latin1', 1, 5);
  if (fourcc !== 'mp4a') {
    const name = AUDIO_FOURCCS[fourcc] ?? `'${printable(fourcc)}'`;
    return { kind: 'unsupported', description: `audio codec ${name} (Enhanced RTMP) is not supported; ${AUDIO_HINT}` };
  }
  if (packetType > 1) {
    return { kind: 'unsupported', description: `Enhanced RTMP audio packet type ${packetType} is not supported` };
  }
  return aacPacket(packetType, body.subarray(5));
}

function aacPacket(packetType: number, data: Buffer): AudioTag {
  if (packetType === 0) return { kind: 'config', asc: data };
  if (packetType !== 1 || data.length === 0) return IGNORE;
  return { kind: 'frame', data };
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}
