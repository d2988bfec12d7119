// AMF0 (Action Message Format 0) decoding for RTMP commands and data messages. Decoding is defensive:
// every read is bounds-checked, counts are never trusted for allocation, and the caller's limits bound
// nesting depth, the number of values and the length of every string, checked before the bytes are
// turned into JS values. Anything malformed throws AmfError (AmfLimitError past a limit), so a hostile
// peer can only get its own connection closed. Objects are plain JS objects; an own property named
// `__proto__` is defined, never assigned, so decoded input cannot swap an object's prototype.

import { AmfError, AmfLimitError } from './errors.js';

export type AmfValue = number | boolean | string | null | undefined | Date | AmfValue[] | AmfObject | EcmaArray;
export interface AmfObject {
  [key: string]: AmfValue;
}

/** Encodes as an AMF0 ECMA array (what onMetaData uses); decoding yields a plain object. */
export class EcmaArray {
  constructor(readonly entries: AmfObject) {}
}

export const MAX_AMF_DEPTH = 32;

export interface AmfLimits {
  /** Containers (object, array) nested deeper than this are refused. */
  maxDepth: number;
  /** Values in the whole message, nested ones and object properties included. */
  maxValues: number;
  /** Bytes of any one string: values, long strings, XML, object keys, class names. */
  maxStringBytes: number;
}

/** Generous bounds for trusted input (ffmpeg's own FLV output); ingest passes tighter ones per message type. */
export const DEFAULT_AMF_LIMITS: AmfLimits = { maxDepth: MAX_AMF_DEPTH, maxValues: 1 << 16, maxStringBytes: 1 << 24 };

const M = {
  NUMBER: 0x00,
  BOOLEAN: 0x01,
  STRING: 0x02,
  OBJECT: 0x03,
  NULL: 0x05,
  UNDEFINED: 0x06,
  ECMA_ARRAY: 0x08,
  OBJECT_END: 0x09,
  STRICT_ARRAY: 0x0a,
  DATE: 0x0b,
  LONG_STRING: 0x0c,
  UNSUPPORTED: 0x0d,
  XML: 0x0f,
  TYPED_OBJECT: 0x10,
} as const;

/** Decodes every value in `buf` from `start` to the end. */
export function decodeAmf0(buf: Buffer, start = 0, limits: AmfLimits = DEFAULT_AMF_LIMITS): AmfValue[] {
  const r = new AmfReader(buf, start, limits);
  const out: AmfValue[] = [];
  while (r.pos < buf.length) out.push(r.value(0));
  return out;
}

class AmfReader {
  private values = 0;

  constructor(
    private readonly buf: Buffer,
    public pos: number,
    private readonly limits: AmfLimits,
  ) {}

  value(depth: number): AmfValue {
    if (depth > this.limits.maxDepth) throw new AmfLimitError(`AMF0 nesting too deep (limit ${this.limits.maxDepth})`);
    this.count(1);
    const marker = this.u8();
    switch (marker) {
      case M.NUMBER:
        return this.f64();
      case M.BOOLEAN:
        return this.u8() !== 0;
      case M.STRING:
        return this.str(this.u16());
      case M.LONG_STRING:
      case M.XML:
        return this.str(this.u32());
      case M.NULL:
        return null;
      case M.UNDEFINED:
      case M.UNSUPPORTED:
        return undefined;
      case M.OBJECT:
        return this.props(depth, false);
      case M.TYPED_OBJECT:
        this.str(this.u16());
        return this.props(depth, false);
      case M.ECMA_ARRAY:
        this.u32();
        return this.props(depth, true); // the count is only a hint
      case M.STRICT_ARRAY:
        return this.array(depth);
      case M.DATE:
        return this.date();
      default:
        throw new AmfError(`unsupported AMF0 marker 0x${marker.toString(16)} at ${this.pos - 1}`);
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
    this.count(count, 0); // refuse an oversized array before decoding any of it
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

  /** Counts `n` more values against maxValues; `commit` 0 only checks that they would fit. */
  private count(n: number, commit = n): void {
    if (this.values + n > this.limits.maxValues) {
      throw new AmfLimitError(`AMF0 message holds more than ${this.limits.maxValues} values`);
    }
    this.values += commit;
  }

  private str(len: number): string {
    if (len > this.limits.maxStringBytes) {
      throw new AmfLimitError(`AMF0 string of ${len} bytes exceeds the ${this.limits.maxStringBytes}-byte limit`);
    }
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
