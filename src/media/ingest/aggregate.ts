// RTMP Aggregate messages (type 22): a run of FLV tags (11-byte header, body, 4-byte back pointer) sent as
// one message. Few publishers use them, but they are legal; their sub-tag timestamps are rebased onto the
// aggregate message's own timestamp, as the spec requires. Sub-tags are visited in place, never collected,
// and their number is capped: one 16 MiB aggregate of empty tags would otherwise be a million access
// units handed downstream in a single turn of the event loop. Real aggregates hold well under a second.

import { BitstreamError } from './errors.js';

/** About ten seconds of 60 fps video with its audio: far above what any relay packs into one message. */
export const MAX_AGGREGATE_TAGS = 1024;

export type AggregateVisitor = (type: number, timestamp: number, body: Buffer) => void;

/**
 * Calls `visit` for each sub-tag, in order, with a view of its body. The whole message is checked first,
 * so a truncated aggregate delivers nothing.
 */
export function forEachAggregateTag(payload: Buffer, timestamp: number, visit: AggregateVisitor): void {
  walk(payload, undefined);
  walk(payload, (type, ts, start, end) => visit(type, ts, payload.subarray(start, end)), timestamp);
}

type RawVisitor = (type: number, timestamp: number, start: number, end: number) => void;

function walk(payload: Buffer, visit: RawVisitor | undefined, timestamp = 0): void {
  let first: number | undefined;
  let count = 0;
  for (let pos = 0; pos < payload.length;) {
    if (++count > MAX_AGGREGATE_TAGS) throw new BitstreamError(`aggregate message holds more than ${MAX_AGGREGATE_TAGS} tags`);
    if (pos + 11 > payload.length) throw new BitstreamError('aggregate sub-tag header truncated');
    const type = payload[pos]! & 0x1f;
    const size = payload.readUIntBE(pos + 1, 3);
    const ts = (payload.readUIntBE(pos + 4, 3) | (payload[pos + 7]! << 24)) >>> 0;
    const end = pos + 11 + size;
    if (end > payload.length) throw new BitstreamError('aggregate sub-tag body truncated');
    first ??= ts;
    visit?.(type, (timestamp + ts - first) >>> 0, pos + 11, end);
    pos = Math.min(end + 4, payload.length); // skip the PreviousTagSize back pointer
  }
}
