// Hostile AMF0 bodies built byte by byte (the ingest's encoder refuses to build most of them): command
// messages whose arguments are huge strict arrays, objects with huge numbers of keys, long strings, deep
// nesting. Each builder writes straight into one buffer so a test can make multi-megabyte messages fast.

import { encodeAmf0 } from '../../src/media/ingest/amf0-encode.js';
import type { AmfValue } from '../../src/media/ingest/amf0.js';

/** AMF0 strict array (0x0a) of `count` nulls: 5 + count bytes that decode to `count` elements. */
export function strictArrayOfNulls(count: number): Buffer {
  const out = Buffer.alloc(5 + count, 0x05);
  out[0] = 0x0a;
  out.writeUInt32BE(count, 1);
  return out;
}

/** AMF0 object (0x03, or 0x08 ECMA array) with `count` distinct keys `k0`, `k1` … each holding null. */
export function objectOfKeys(count: number, marker = 0x03): Buffer {
  const head = marker === 0x08 ? 5 : 1;
  let size = head + 3;
  for (let i = 0; i < count; i++) size += 2 + 1 + String(i).length + 1;
  const out = Buffer.allocUnsafe(size);
  out[0] = marker;
  if (marker === 0x08) out.writeUInt32BE(count, 1);
  let pos = head;
  for (let i = 0; i < count; i++) {
    const key = `k${i}`;
    pos = out.writeUInt16BE(key.length, pos);
    pos += out.write(key, pos, 'latin1');
    out[pos++] = 0x05;
  }
  out.writeUIntBE(0x000009, pos, 3);
  return out;
}

/** `depth` nested strict arrays of one element around a null. */
export function nestedArrays(depth: number): Buffer {
  const out = Buffer.alloc(depth * 5 + 1, 0x05);
  for (let i = 0; i < depth; i++) {
    out[i * 5] = 0x0a;
    out.writeUInt32BE(1, i * 5 + 1);
  }
  return out;
}

/** AMF0 long string (0x0c) of `length` copies of `fill`. */
export function longString(length: number, fill = 'a'): Buffer {
  const out = Buffer.alloc(5 + length, fill);
  out[0] = 0x0c;
  out.writeUInt32BE(length, 1);
  return out;
}

/** A command body: name, transaction id, then raw AMF0 values appended as they are. */
export function rawCommand(name: string, txn: number, ...raw: (Buffer | AmfValue)[]): Buffer {
  return Buffer.concat([encodeAmf0(name, txn), ...raw.map((v) => (Buffer.isBuffer(v) ? v : encodeAmf0(v)))]);
}
