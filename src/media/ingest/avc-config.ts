// AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.3.3.1) → VideoTrackInfo. The record is kept exactly
// as received (fMP4 `avcC` needs it verbatim); SPS/PPS are views into it. Size, profile and level come from
// the first SPS, not from onMetaData, because encoders' metadata is often missing or stale.

import type { AudioTrackInfo, VideoTrackInfo } from '../types.js';
import { parseAudioSpecificConfig } from './aac.js';
import { BitstreamError } from './errors.js';
import { parseSps } from './sps.js';

export interface AvcConfig {
  nalLengthSize: number;
  sps: Buffer[];
  pps: Buffer[];
}

export function parseAvcConfig(record: Buffer): AvcConfig {
  if (record.length < 7) throw new BitstreamError('AVCDecoderConfigurationRecord truncated');
  if (record[0] !== 1) throw new BitstreamError(`AVCDecoderConfigurationRecord version ${record[0]}`);
  const nalLengthSize = (record[4]! & 0x03) + 1;
  let pos = 5;
  const sps: Buffer[] = [];
  const pps: Buffer[] = [];
  pos = readParameterSets(record, pos, record[pos]! & 0x1f, sps);
  if (pos >= record.length) throw new BitstreamError('AVCDecoderConfigurationRecord has no PPS count');
  readParameterSets(record, pos, record[pos]!, pps);
  if (sps.length === 0) throw new BitstreamError('AVCDecoderConfigurationRecord without an SPS');
  return { nalLengthSize, sps, pps };
}

/** Reads `count` u16-length-prefixed NAL units after the count byte at `pos`; returns the position after them. */
function readParameterSets(rec: Buffer, pos: number, count: number, out: Buffer[]): number {
  let p = pos + 1;
  for (let i = 0; i < count; i++) {
    if (p + 2 > rec.length) throw new BitstreamError('parameter set length truncated');
    const len = rec.readUInt16BE(p);
    if (p + 2 + len > rec.length) throw new BitstreamError('parameter set truncated');
    out.push(rec.subarray(p + 2, p + 2 + len));
    p += 2 + len;
  }
  return p;
}

export function videoTrackInfo(record: Buffer, frameRate: number | undefined): VideoTrackInfo {
  const avc = parseAvcConfig(record);
  const sps = parseSps(avc.sps[0]!);
  const info: VideoTrackInfo = {
    codec: 'avc',
    codecString: sps.codecString,
    width: sps.width,
    height: sps.height,
    profile: sps.profile,
    level: sps.level,
    nalLengthSize: avc.nalLengthSize,
    decoderConfig: record,
    sps: avc.sps,
    pps: avc.pps,
  };
  if (frameRate !== undefined) info.frameRate = frameRate;
  return info;
}

export function audioTrackInfo(asc: Buffer): AudioTrackInfo {
  const c = parseAudioSpecificConfig(asc);
  return {
    codec: 'aac',
    codecString: c.codecString,
    objectType: c.objectType,
    sampleRate: c.sampleRate,
    channels: c.channels,
    audioSpecificConfig: asc,
  };
}
