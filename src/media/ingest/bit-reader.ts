// MSB-first bit reader with Exp-Golomb codes, for H.264 SPS and AAC AudioSpecificConfig parsing.
// Reading past the end throws BitstreamError instead of yielding zeros, so a truncated or hostile
// parameter set fails loudly rather than producing a plausible-looking wrong size.

import { BitstreamError } from './errors.js';

export class BitReader {
  private bit = 0;

  constructor(
    private readonly buf: Buffer,
    startByte = 0,
  ) {
    this.bit = startByte * 8;
  }

  get bitsLeft(): number {
    return this.buf.length * 8 - this.bit;
  }

  u(n: number): number {
    if (n > 32) throw new RangeError('at most 32 bits at a time');
    if (n > this.bitsLeft) throw new BitstreamError('bitstream truncated');
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.buf[this.bit >> 3]!;
      v = v * 2 + ((byte >> (7 - (this.bit & 7))) & 1);
      this.bit++;
    }
    return v;
  }

  flag(): boolean {
    return this.u(1) === 1;
  }

  skip(n: number): void {
    if (n > this.bitsLeft) throw new BitstreamError('bitstream truncated');
    this.bit += n;
  }

  /** Unsigned Exp-Golomb ue(v). */
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) {
      if (++zeros > 31) throw new BitstreamError('Exp-Golomb code longer than 32 bits');
    }
    return zeros === 0 ? 0 : 2 ** zeros - 1 + this.u(zeros);
  }

  /** Signed Exp-Golomb se(v). */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }
}

/** Removes emulation prevention bytes (00 00 03 → 00 00) from a NAL unit, giving its RBSP. */
export function nalToRbsp(nal: Buffer): Buffer {
  let zeros = 0;
  let i = 0;
  for (; i < nal.length; i++) {
    if (zeros >= 2 && nal[i] === 3) break;
    zeros = nal[i] === 0 ? zeros + 1 : 0;
  }
  if (i === nal.length) return nal; // the common case: nothing to remove, no copy
  const out = Buffer.allocUnsafe(nal.length);
  nal.copy(out, 0, 0, i);
  let o = i;
  zeros = 0;
  for (i++; i < nal.length; i++) {
    const b = nal[i]!;
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    out[o++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, o);
}
