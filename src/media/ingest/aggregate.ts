// RTMP Aggregate messages (type 22): a run of FLV tags (11-byte header, body, 4-byte back pointer) sent as
// one message. Few publishers use them, but they are legal; their sub-tag timestamps are rebased onto the
// aggregate message's own timestamp, as the spec requires.

import { BitstreamError } from './errors.js';

export interface AggregateTag {
  type: number;
  timestamp: number;
  body: Buffer;
}

export function splitAggregate(payload: Buffer, timestamp: number): AggregateTag[] {
  const out: AggregateTag[] = [];
  let first: number | undefined;
  for (let pos = 0; pos < payload.length; ) {
    if (pos + 11 > payload.length) throw new BitstreamError('aggregate sub-tag header truncated');
    const type = payload[pos]! & 0x1f;
    const size = payload.readUIntBE(pos + 1, 3);
    const ts = (payload.readUIntBE(pos + 4, 3) | (payload[pos + 7]! << 24)) >>> 0;
    const end = pos + 11 + size;
    if (end > payload.length) throw new BitstreamError('aggregate sub-tag body truncated');
    first ??= ts;
    out.push({ type, timestamp: (timestamp + ts - first) >>> 0, body: payload.subarray(pos + 11, end) });
    pos = Math.min(end + 4, payload.length); // skip the PreviousTagSize back pointer
  }
  return out;
}
