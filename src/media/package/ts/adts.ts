// ADTS framing for AAC in MPEG-TS (stream_type 0x0F): RTMP/FLV carries raw AAC frames plus one AudioSpecificConfig;
// TS needs a 7-byte ADTS header (no CRC) before every frame. The fixed fields come from the ASC when it is parseable
// (its sampling-frequency index and channel configuration are what the encoder really used), else from the track info.

import type { AudioTrackInfo } from '../../types.js';

export const ADTS_HEADER_SIZE = 7;
const SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

export interface AdtsFields {
  /** ADTS profile = MPEG-4 audio object type - 1; HE-AAC (5, 29) is signalled as LC with implicit SBR. */
  profile: number;
  samplingIndex: number;
  channelConfig: number;
}

export function samplingIndexFor(rate: number): number {
  let best = 0;
  for (let i = 1; i < SAMPLE_RATES.length; i++) {
    if (Math.abs(SAMPLE_RATES[i]! - rate) < Math.abs(SAMPLE_RATES[best]! - rate)) best = i;
  }
  return best;
}

export function adtsFields(info: AudioTrackInfo): AdtsFields {
  const asc = info.audioSpecificConfig;
  let objectType = info.objectType;
  let samplingIndex = samplingIndexFor(info.sampleRate);
  let channelConfig = info.channels;
  if (asc && asc.length >= 2) {
    objectType = asc[0]! >> 3;
    const idx = ((asc[0]! & 0x07) << 1) | (asc[1]! >> 7);
    if (idx < SAMPLE_RATES.length) {
      samplingIndex = idx;
      const ch = (asc[1]! >> 3) & 0x0f;
      if (ch > 0 && ch < 8) channelConfig = ch;
    }
  }
  const profile = objectType >= 1 && objectType <= 4 ? objectType - 1 : 1;
  return { profile, samplingIndex, channelConfig: channelConfig & 0x07 };
}

/** Writes a 7-byte ADTS header for a raw frame of `frameLength` bytes (protection_absent = 1, fullness 0x7FF). */
export function writeAdtsHeader(buf: Uint8Array, off: number, f: AdtsFields, frameLength: number): void {
  const total = frameLength + ADTS_HEADER_SIZE;
  buf[off] = 0xff;
  buf[off + 1] = 0xf1; // syncword end, MPEG-4, layer 0, protection_absent
  buf[off + 2] = (f.profile << 6) | (f.samplingIndex << 2) | ((f.channelConfig >> 2) & 0x01);
  buf[off + 3] = ((f.channelConfig & 0x03) << 6) | ((total >> 11) & 0x03);
  buf[off + 4] = (total >> 3) & 0xff;
  buf[off + 5] = ((total & 0x07) << 5) | 0x1f;
  buf[off + 6] = 0xfc; // buffer fullness low bits, one raw data block
}

/** Samples per AAC frame (1024 for AAC-LC) over the rate: the duration used to group frames into one PES. */
export function aacFrameDurationMs(info: AudioTrackInfo): number {
  return (1024 * 1000) / (info.sampleRate || 48000);
}
