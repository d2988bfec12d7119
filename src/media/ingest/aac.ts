// MPEG-4 AudioSpecificConfig parsing (ISO/IEC 14496-3 §1.6.2.1): object type, output sample rate and
// channel count, plus the `mp4a.40.<ot>` codec string for HLS. HE-AAC signalled explicitly (object type
// 5 or 29) reports the extension (output) sample rate, which is what players present.

import { BitReader } from './bit-reader.js';
import { BitstreamError } from './errors.js';

export interface AacConfig {
  objectType: number;
  sampleRate: number;
  /** 0 when the channel layout is only given by a program config element (channelConfiguration 0). */
  channels: number;
  codecString: string;
}

/** Channel count per channelConfiguration (0 = defined in-band by a PCE; 8–10 and 15 are reserved). */
const CHANNELS: Record<number, number> = { 0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 8, 11: 7, 12: 8, 13: 24, 14: 8 };
const SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

export function parseAudioSpecificConfig(asc: Buffer): AacConfig {
  if (asc.length < 2) throw new BitstreamError('AudioSpecificConfig shorter than 2 bytes');
  const r = new BitReader(asc);
  const objectType = readObjectType(r);
  let sampleRate = readSampleRate(r);
  const channelConfig = r.u(4);
  if (objectType === 5 || objectType === 29) sampleRate = readSampleRate(r); // SBR/PS: output rate follows
  const channels = CHANNELS[channelConfig];
  if (channels === undefined) throw new BitstreamError(`reserved channelConfiguration ${channelConfig}`);
  return { objectType, sampleRate, channels, codecString: `mp4a.40.${objectType}` };
}

function readObjectType(r: BitReader): number {
  const ot = r.u(5);
  const full = ot === 31 ? 32 + r.u(6) : ot;
  if (full === 0) throw new BitstreamError('AudioSpecificConfig object type 0');
  return full;
}

function readSampleRate(r: BitReader): number {
  const index = r.u(4);
  if (index === 15) {
    const explicit = r.u(24);
    // Timing downstream divides by the rate; 0 (or a rate no AAC encoder produces) is a broken config.
    if (explicit < 1000) throw new BitstreamError(`explicit sampling frequency ${explicit} Hz`);
    return explicit;
  }
  const rate = SAMPLE_RATES[index];
  if (rate === undefined) throw new BitstreamError(`reserved sampling frequency index ${index}`);
  return rate;
}
