// AMF0 encoding for the server's command replies and status events (and for tests that play a client).
// Replies are few and small, so clarity wins over speed: parts are collected and concatenated once.

import { EcmaArray, type AmfObject, type AmfValue } from './amf0.js';
import { AmfError } from './errors.js';

/** Encodes the values one after another, as a command or data message body. */
export function encodeAmf0(...values: AmfValue[]): Buffer {
  const parts: Buffer[] = [];
  for (const v of values) encodeValue(v, parts, 0);
  return Buffer.concat(parts);
}

function encodeValue(v: AmfValue, parts: Buffer[], depth: number): void {
  if (depth > 32) throw new AmfError('AMF0 value nested too deeply to encode');
  if (v === null) parts.push(Buffer.of(0x05));
  else if (v === undefined) parts.push(Buffer.of(0x06));
  else if (typeof v === 'number') parts.push(number(v));
  else if (typeof v === 'boolean') parts.push(Buffer.of(0x01, v ? 1 : 0));
  else if (typeof v === 'string') parts.push(string(v));
  else if (v instanceof Date) parts.push(date(v));
  else if (Array.isArray(v)) {
    const head = Buffer.allocUnsafe(5);
    head[0] = 0x0a;
    head.writeUInt32BE(v.length, 1);
    parts.push(head);
    for (const item of v) encodeValue(item, parts, depth + 1);
  } else if (v instanceof EcmaArray) {
    const head = Buffer.allocUnsafe(5);
    head[0] = 0x08;
    head.writeUInt32BE(Object.keys(v.entries).length, 1);
    parts.push(head);
    properties(v.entries, parts, depth);
  } else {
    parts.push(Buffer.of(0x03));
    properties(v, parts, depth);
  }
}

function properties(obj: AmfObject, parts: Buffer[], depth: number): void {
  for (const key of Object.keys(obj)) {
    parts.push(shortString(key));
    encodeValue(obj[key], parts, depth + 1);
  }
  parts.push(Buffer.of(0x00, 0x00, 0x09));
}

function number(n: number): Buffer {
  const b = Buffer.allocUnsafe(9);
  b[0] = 0x00;
  b.writeDoubleBE(n, 1);
  return b;
}

function string(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  if (bytes.length <= 0xffff) return Buffer.concat([Buffer.of(0x02, bytes.length >> 8, bytes.length & 0xff), bytes]);
  const head = Buffer.allocUnsafe(5);
  head[0] = 0x0c;
  head.writeUInt32BE(bytes.length, 1);
  return Buffer.concat([head, bytes]);
}

/** A property name: u16 length + UTF-8, no marker. */
function shortString(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  if (bytes.length > 0xffff) throw new AmfError('AMF0 property name longer than 65535 bytes');
  const head = Buffer.allocUnsafe(2);
  head.writeUInt16BE(bytes.length, 0);
  return Buffer.concat([head, bytes]);
}

function date(d: Date): Buffer {
  const b = Buffer.alloc(11);
  b[0] = 0x0b;
  b.writeDoubleBE(d.getTime(), 1);
  return b; // the trailing time-zone field stays 0, as the spec requires
}
