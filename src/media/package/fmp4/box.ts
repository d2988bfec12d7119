// A tiny ISO BMFF (MP4) box writer. Boxes are built bottom-up: a box's payload is an array of already-built Buffers
// (fields, child boxes) that is concatenated exactly once with its 8-byte header, so sizes always add up. Fixed-size
// field runs are written through `Fields`, a cursor over one preallocated buffer that checks it was filled exactly.

/** `size | type | payload…`: one allocation for the whole box. */
export function box(type: string, ...payload: Buffer[]): Buffer {
  let size = 8;
  for (const p of payload) size += p.length;
  const out = Buffer.allocUnsafe(size);
  writeBoxHeader(out, 0, size, type);
  let off = 8;
  for (const p of payload) off += p.copy(out, off);
  return out;
}

/** A FullBox: `version` (8 bits) and `flags` (24 bits) precede the payload. */
export function fullBox(type: string, version: number, flags: number, ...payload: Buffer[]): Buffer {
  return box(type, versionAndFlags(version, flags), ...payload);
}

export function versionAndFlags(version: number, flags: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE((((version & 0xff) << 24) | (flags & 0xffffff)) >>> 0, 0);
  return b;
}

/** Writes a box header at `off`; the caller fills the `size - 8` bytes after it. Returns the payload offset. */
export function writeBoxHeader(target: Buffer, off: number, size: number, type: string): number {
  if (type.length !== 4) throw new Error(`box type must be 4 characters: ${type}`);
  if (size > 0xffffffff) throw new RangeError(`box ${type} too large: ${size}`);
  target.writeUInt32BE(size, off);
  target.write(type, off + 4, 'latin1');
  return off + 8;
}

/** Writes a FullBox header (size, type, version, flags); returns the payload offset. */
export function writeFullBoxHeader(
  target: Buffer,
  off: number,
  size: number,
  type: string,
  version: number,
  flags: number,
): number {
  writeBoxHeader(target, off, size, type);
  target.writeUInt32BE((((version & 0xff) << 24) | (flags & 0xffffff)) >>> 0, off + 8);
  return off + 12;
}

/** Unsigned 64-bit big-endian from a non-negative safe integer; returns the offset after it. */
export function writeU64(target: Buffer, off: number, v: number): number {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`u64 out of range: ${v}`);
  target.writeUInt32BE(Math.floor(v / 2 ** 32), off);
  return target.writeUInt32BE(v % 2 ** 32, off + 4);
}

/** A cursor writing big-endian fields into a preallocated buffer (or a slice of one). */
export class Fields {
  readonly buf: Buffer;
  off: number;
  private readonly end: number;

  constructor(sizeOrTarget: number | Buffer, offset = 0) {
    this.buf = typeof sizeOrTarget === 'number' ? Buffer.alloc(sizeOrTarget) : sizeOrTarget;
    this.off = offset;
    this.end = this.buf.length;
  }

  u8(v: number): this {
    this.buf[this.off++] = v & 0xff;
    return this;
  }
  u16(v: number): this {
    this.buf.writeUInt16BE(v & 0xffff, this.off);
    this.off += 2;
    return this;
  }
  u24(v: number): this {
    this.buf.writeUIntBE(v & 0xffffff, this.off, 3);
    this.off += 3;
    return this;
  }
  u32(v: number): this {
    this.buf.writeUInt32BE(v >>> 0, this.off);
    this.off += 4;
    return this;
  }
  i32(v: number): this {
    this.buf.writeInt32BE(v, this.off);
    this.off += 4;
    return this;
  }

  /** Unsigned 64-bit from a non-negative safe integer. */
  u64(v: number): this {
    this.off = writeU64(this.buf, this.off, v);
    return this;
  }

  zeros(n: number): this {
    this.buf.fill(0, this.off, this.off + n);
    this.off += n;
    return this;
  }
  bytes(b: Buffer): this {
    this.off += b.copy(this.buf, this.off);
    return this;
  }
  /** Four latin1 characters (a box type, brand or handler). */
  fourcc(s: string): this {
    this.buf.write(s.padEnd(4, ' ').slice(0, 4), this.off, 'latin1');
    this.off += 4;
    return this;
  }

  /** The filled buffer; throws unless exactly all of it was written (catches size arithmetic slips). */
  done(): Buffer {
    if (this.off !== this.end) throw new Error(`fields: wrote ${this.off} of ${this.end} bytes`);
    return this.buf;
  }
}

/** Shorthand: allocate `size` bytes, let `fill` write them, and check they were all written. */
export function fields(size: number, fill: (f: Fields) => void): Buffer {
  const f = new Fields(size);
  fill(f);
  return f.done();
}

/** A null-terminated UTF-8 string (hdlr name, emsg scheme/value). */
export function cString(s: string): Buffer {
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
}

/** The unity transformation matrix of mvhd/tkhd (16.16 and 2.30 fixed point). */
export const UNITY_MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];
