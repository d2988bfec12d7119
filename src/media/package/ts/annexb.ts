// H.264 framing for MPEG-TS (stream_type 0x1B): FLV carries AVCC (length-prefixed NAL units, parameter sets out of
// band); TS needs Annex B byte streams. Each access unit gets an access unit delimiter first (required by
// ISO/IEC 13818-1 for H.264 in TS, and what Safari expects), and IDR access units get the SPS/PPS in front so that
// every segment is independently decodable. Only start codes are new bytes: NAL payloads are referenced, not copied.

import type { VideoTrackInfo } from '../../types.js';
import type { Gather } from './gather.js';

const START_CODE = Buffer.from([0x00, 0x00, 0x00, 0x01]);
/** AUD with primary_pic_type 7 ("any slice type") and the RBSP stop bit. */
const AUD = Buffer.from([0x00, 0x00, 0x00, 0x01, 0x09, 0xf0]);

const NAL_IDR = 5;
const NAL_AUD = 9;

/** SPS and PPS of a track as one Annex B blob, computed once per track configuration. */
export function parameterSetsAnnexB(info: VideoTrackInfo): Buffer {
  const parts: Buffer[] = [];
  for (const nal of [...info.sps, ...info.pps]) parts.push(START_CODE, nal);
  return Buffer.concat(parts);
}

/** Reusable scratch for NAL boundaries so that scanning an access unit allocates nothing. */
export class AvccScanner {
  private starts: number[] = [];
  private ends: number[] = [];
  count = 0;
  hasIdr = false;

  /** Splits `data` into NAL units; stops at the first malformed length (the rest of the unit is dropped). */
  scan(data: Buffer, lengthSize: number): void {
    this.count = 0;
    this.hasIdr = false;
    let off = 0;
    while (off + lengthSize <= data.length) {
      const len = readLength(data, off, lengthSize);
      off += lengthSize;
      if (len === 0) continue;
      if (off + len > data.length) break;
      const type = data[off]! & 0x1f;
      if (type === NAL_IDR) this.hasIdr = true;
      if (type !== NAL_AUD) {
        this.starts[this.count] = off;
        this.ends[this.count] = off + len;
        this.count++;
      }
      off += len;
    }
  }

  /** Appends AUD, optional parameter sets, then each NAL unit with a start code. */
  emit(out: Gather, data: Buffer, parameterSets: Buffer | undefined): void {
    out.add(AUD);
    if (parameterSets) out.add(parameterSets);
    for (let i = 0; i < this.count; i++) {
      out.add(START_CODE);
      out.add(data, this.starts[i], this.ends[i]);
    }
  }
}

function readLength(data: Buffer, off: number, size: number): number {
  switch (size) {
    case 4:
      return data.readUInt32BE(off);
    case 2:
      return data.readUInt16BE(off);
    case 1:
      return data[off]!;
    case 3:
      return data.readUIntBE(off, 3);
    default:
      throw new Error(`unsupported NAL length size ${size}`);
  }
}
