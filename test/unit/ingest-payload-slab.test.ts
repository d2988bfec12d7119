// RTMP message payloads carved from shared slabs: each payload is exactly its size, no two overlap, bytes written
// into one survive every later take, and large payloads are allocated alone; the chunk reader carves only once a
// publish is accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteQueue } from '../../src/media/ingest/byte-queue.js';
import { ChunkReader, type RtmpMessage } from '../../src/media/ingest/chunk-reader.js';
import { ChunkWriter } from '../../src/media/ingest/chunk-writer.js';
import { DEFAULT_MESSAGE_SIZES, liveLimits, setupLimits } from '../../src/media/ingest/limits.js';
import { MSG } from '../../src/media/ingest/messages.js';
import { PayloadSlab } from '../../src/media/ingest/payload-slab.js';

test('payloads are exact, disjoint and keep their bytes across later takes', () => {
  const slab = new PayloadSlab();
  const taken: { buf: Buffer; fill: number }[] = [];
  let seed = 7;
  for (let i = 0; i < 2_000; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const n = seed % 70_000; // small, medium and, past 64 kB, large ones
    const buf = slab.take(n);
    assert.equal(buf.length, n);
    const fill = i & 0xff;
    buf.fill(fill);
    taken.push({ buf, fill });
  }
  for (const { buf, fill } of taken) {
    assert.ok(
      buf.every((b) => b === fill),
      'a later take overwrote an earlier payload',
    );
  }
  const ranges = taken
    .filter(({ buf }) => buf.length > 0)
    .map(({ buf }) => ({ ab: buf.buffer, start: buf.byteOffset, end: buf.byteOffset + buf.length }));
  const byBuffer = new Map<ArrayBufferLike, { start: number; end: number }[]>();
  for (const r of ranges) byBuffer.set(r.ab, [...(byBuffer.get(r.ab) ?? []), r]);
  for (const list of byBuffer.values()) {
    list.sort((a, b) => a.start - b.start);
    for (let i = 1; i < list.length; i++) assert.ok(list[i]!.start >= list[i - 1]!.end, 'payloads overlap');
  }
  assert.ok(byBuffer.size < ranges.length / 2, `slabs should be shared (${byBuffer.size} buffers for ${ranges.length})`);
});

test('a payload over a quarter of a slab is allocated alone', () => {
  const slab = new PayloadSlab();
  const small = slab.take(1_000);
  const large = slab.take(200_000);
  assert.notEqual(large.buffer, small.buffer);
  assert.equal(large.byteLength, 200_000);
  assert.equal(slab.take(1_000).buffer, small.buffer, 'the slab carries on after a large payload');
});

test('the chunk reader carves payloads only under the publishing limits, never before a publish is accepted', () => {
  const writer = new ChunkWriter();
  const bytes = Buffer.concat(
    [0, 1, 2].map((i) => writer.encode(6, MSG.COMMAND_AMF0, 0, i, Buffer.alloc(6_000, i))), // pool-exempt sizes
  );
  const read = (reader: ChunkReader): RtmpMessage[] => {
    const q = new ByteQueue();
    q.push(bytes);
    const out: RtmpMessage[] = [];
    for (let m = reader.read(q); m !== null; m = reader.read(q)) out.push(m);
    return out;
  };
  const before = read(new ChunkReader(setupLimits(DEFAULT_MESSAGE_SIZES)));
  assert.equal(before.length, 3);
  for (const m of before) assert.equal(m.payload.buffer.byteLength, 6_000, 'a setup message costs its own bytes');
  const live = read(new ChunkReader(liveLimits(DEFAULT_MESSAGE_SIZES)));
  assert.equal(live.length, 3);
  assert.equal(live[0]!.payload.buffer, live[2]!.payload.buffer, 'publishing payloads share a slab');
  live.forEach((m, i) => assert.ok(m.payload.equals(Buffer.alloc(6_000, i))));
});
