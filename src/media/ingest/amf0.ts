// AMF0 (Action Message Format 0) decoding and encoding for RTMP commands and data messages. Decoding is
// defensive: every read is bounds-checked, counts are never trusted for allocation, nesting is limited, and
// anything malformed throws AmfError, so a hostile publisher can only get its own connection closed.
// Objects are plain JS objects; an own property named `__proto__` is defined, never assigned, so decoded
// input cannot swap an object's prototype.

import { AmfError } from './errors.js';

export type AmfValue = number | boolean | string | null | undefined | Date | AmfValue[] | AmfObject | EcmaArray;
export interface AmfObject {
  [key: string]: AmfValue;
}

/** Encodes as an AMF0 ECMA array (what onMetaData uses); decoding yields a plain object. */
export class EcmaArray {
  constructor(readonly entries: AmfObject) {}
}

export const MAX_AMF_DEPTH = 32;

const M = {
  NUMBER: 0x00, BOOLEAN: 0x01, STRING: 0x02, OBJECT: 0x03, NULL: 0x05, UNDEFINED: 0x06, ECMA_ARRAY: 0x08,
  OBJECT_END: 0x09, STRICT_ARRAY: 0x0a, DATE: 0x0b, LONG_STRING: 0x0c, UNSUPPORTED: 0x0d, XML: 0x0f,
  TYPED_OBJECT: 0x10,
} as const;

/** Decodes every value in `buf` from `start` to the end. */
export function decodeAmf0(buf: Buffer, start = 0): AmfValue[] {
  const r = new AmfReader(buf, start);
  const out: AmfValue[] = [];
  while (r.pos < buf.length) out.push(r.value(0));
  return out;
}

class AmfReader {
  constructor(private readonly buf: Buffer, public pos: number) {}

  value(depth: number): AmfValue {
    if (depth > MAX_AMF_DEPTH) throw new AmfError('AMF0 nesting too deep');
    const marker = this.u8();
    switch (marker) {
      case M.NUMBER: return this.f64();
      case M.BOOLEAN: return this.u8() !== 0;
      case M.STRING: return this.str(this.u16());
      case M.LONG_STRING: case M.XML: return this.str(this.u32());
      case M.NULL: return null;
      case M.UNDEFINED: case M.UNSUPPORTED: return undefined;
      case M.OBJECT: return this.props(depth, false);
      case M.TYPED_OBJECT: this.str(this.u16()); return this.props(depth, false);
      case M.ECMA_ARRAY: this.u32(); return this.props(depth, true); // the count is only a hint
      case M.STRICT_ARRAY: return this.array(depth);
      case M.DATE: return this.date();
      default: throw new AmfError(`unsupported AMF0 marker 0x${marker.toString(16)} at ${this.pos - 1}`);
    }
  }

  private props(depth: number, lenientEnd: boolean): AmfObject {
    const obj: AmfObject = {};
    for (;;) {
      // Some encoders omit the end marker after an ECMA array that closes the message.
      if (lenientEnd && this.pos === this.buf.length) return obj;
      const key = this.str(this.u16());
      if (key === '' && this.buf[this.pos] === M.OBJECT_END) {
        this.pos++;
        return obj;
      }
      setProp(obj, key, this.value(depth + 1));
    }
  }

  private array(depth: number): AmfValue[] {
    const count = this.u32();
    // Each element takes at least one byte, so a count beyond what is left is malformed (and not allocated).
    if (count > this.buf.length - this.pos) throw new AmfError(`strict array count ${count} exceeds input`);
    const out: AmfValue[] = [];
    for (let i = 0; i < count; i++) out.push(this.value(depth + 1));
    return out;
  }

  private date(): Date {
    const ms = this.f64();
    this.advance(2); // time zone: reserved, should be 0
    return new Date(ms);
  }

  private u8(): number {
    return this.buf[this.advance(1)]!;
  }

  private u16(): number {
    return this.buf.readUInt16BE(this.advance(2));
  }

  private u32(): number {
    return this.buf.readUInt32BE(this.advance(4));
  }

  private f64(): number {
    return this.buf.readDoubleBE(this.advance(8));
  }

  private str(len: number): string {
    const start = this.advance(len);
    return this.buf.toString('utf8', start, start + len);
  }

  /** Checks that `n` bytes remain, advances past them and returns where they start. */
  private advance(n: number): number {
    const start = this.pos;
    if (start + n > this.buf.length) throw new AmfError(`AMF0 input truncated at ${start}`);
    this.pos = start + n;
    return start;
  }
}

function setProp(obj: AmfObject, key: string, value: AmfValue): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}
