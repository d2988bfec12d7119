// H.264 in MPEG-TS (stream_type 0x1B) to the media plane's form: Annex B byte streams (start codes) become AVCC
// (4-byte NAL lengths), parameter sets are taken out of band into an AVCDecoderConfigurationRecord (what the FLV
// path receives as its sequence header), and access unit delimiters and filler data are dropped (the packager writes
// its own AUD and parameter sets). One PES carries one access unit, as every common encoder writes it.

import { BitReader, nalToRbsp } from '../bit-reader.js';
import { BitstreamError } from '../errors.js';

const NAL_IDR = 5;
const NAL_SPS = 7;
const NAL_PPS = 8;
const NAL_AUD = 9;
const NAL_FILLER = 12;

export interface AnnexBUnit {
  /** AVCC: each kept NAL unit behind a 4-byte big-endian length. Empty when the unit carried no picture data. */
  data: Buffer;
  keyframe: boolean;
  sps: Buffer[];
  pps: Buffer[];
}

/** Offsets [start, end) of the NAL units in an Annex B buffer (start codes and trailing zero bytes excluded). */
export function splitAnnexB(buf: Buffer): Array<[number, number]> {
  const units: Array<[number, number]> = [];
  let start = -1;
  let i = 0;
  while (i + 2 < buf.length) {
    const one = buf.indexOf(1, i + 2);
    if (one < 0) break;
    if (buf[one - 1] === 0 && buf[one - 2] === 0) {
      if (start >= 0) units.push([start, trimZeros(buf, start, one - 2)]);
      start = one + 1;
    }
    i = one - 1;
  }
  if (start >= 0 && start < buf.length) units.push([start, trimZeros(buf, start, buf.length)]);
  return units.filter(([s, e]) => e > s);
}

function trimZeros(buf: Buffer, start: number, end: number): number {
  while (end > start && buf[end - 1] === 0) end--;
  return end;
}

/** Converts one access unit. Throws BitstreamError for a NAL unit with forbidden_zero_bit set (corruption). */
export function annexBToAvcc(buf: Buffer): AnnexBUnit {
  const sps: Buffer[] = [];
  const pps: Buffer[] = [];
  const kept: Buffer[] = [];
  let keyframe = false;
  let size = 0;
  for (const [s, e] of splitAnnexB(buf)) {
    const header = buf[s]!;
    if (header & 0x80) throw new BitstreamError('H.264 NAL unit with forbidden_zero_bit set');
    const type = header & 0x1f;
    const nal = buf.subarray(s, e);
    if (type === NAL_SPS) sps.push(nal);
    else if (type === NAL_PPS) pps.push(nal);
    else if (type !== NAL_AUD && type !== NAL_FILLER) {
      if (type === NAL_IDR) keyframe = true;
      kept.push(nal);
      size += 4 + nal.length;
    }
  }
  const data = Buffer.allocUnsafe(size);
  let off = 0;
  for (const nal of kept) {
    data.writeUInt32BE(nal.length, off);
    off += 4 + nal.copy(data, off + 4);
  }
  return { data, keyframe, sps, pps };
}

/**
 * An AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.3.3.1) for 4-byte NAL lengths, with the chroma and bit
 * depth extension that high profiles carry (the SPS says which values).
 */
export function buildAvcDecoderConfig(sps: Buffer[], pps: Buffer[]): Buffer {
  const first = sps[0];
  if (!first || first.length < 4) throw new BitstreamError('no usable SPS for the decoder configuration');
  if (sps.length > 31 || pps.length > 255) throw new BitstreamError('too many parameter sets');
  const parts: Buffer[] = [Buffer.from([1, first[1]!, first[2]!, first[3]!, 0xff, 0xe0 | sps.length])];
  for (const s of sps) parts.push(u16(s.length), s);
  parts.push(Buffer.from([pps.length]));
  for (const p of pps) parts.push(u16(p.length), p);
  const ext = highProfileExtension(first);
  if (ext) parts.push(ext);
  return Buffer.concat(parts);
}

function u16(n: number): Buffer {
  if (n > 0xffff) throw new BitstreamError('parameter set longer than 65535 bytes');
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16BE(n);
  return b;
}

const HIGH_PROFILES = new Set([100, 110, 122, 144]);

/** chroma_format, bit depths and no SPS extensions, for the profiles whose avcC carries them. */
function highProfileExtension(sps: Buffer): Buffer | null {
  if (!HIGH_PROFILES.has(sps[1]!)) return null;
  const r = new BitReader(nalToRbsp(sps), 4);
  r.ue(); // seq_parameter_set_id
  const chromaFormat = r.ue();
  if (chromaFormat > 3) throw new BitstreamError(`invalid chroma_format_idc ${chromaFormat}`);
  if (chromaFormat === 3) r.skip(1);
  const lumaDepth = r.ue();
  const chromaDepth = r.ue();
  if (lumaDepth > 6 || chromaDepth > 6) throw new BitstreamError('invalid bit depth');
  return Buffer.from([0xfc | chromaFormat, 0xf8 | lumaDepth, 0xf8 | chromaDepth, 0]);
}
