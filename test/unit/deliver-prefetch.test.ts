// Prefetch segments over real HTTP (node:http server, undici fetch as the client): a LOW rendition's segment in
// progress is answered at once with its parts so far and grows part by part until the segment closes, byte-identical
// to the complete segment; the next one waits for its first part; later ones, NORMAL renditions and ended streams
// 404; the stream ending mid-segment completes it; held responses are bounded, and released when the client leaves.
// Complete segments answer single byte ranges (Amazon's IVS player probes bandwidth with them).

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { streamWaiters } from '../../src/media/deliver/blocking.js';
import { decideRange } from '../../src/media/deliver/byte-range.js';
import { sendSegment, SEGMENT_CACHE } from '../../src/media/deliver/media-objects.js';
import { heldPrefetches, isPrefetchSegment } from '../../src/media/deliver/prefetch.js';
import { HlsSegmenter } from '../../src/media/package/segmenter.js';
import type { LiveStream } from '../../src/media/registry/live-stream.js';
import type { AccessUnit } from '../../src/media/types.js';
import { audioTrack, synthetic, videoTrack } from './fixtures/package-synthetic.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Rig {
  seg: HlsSegmenter;
  stream: object;
  units: AccessUnit[];
  /** Pushes units up to (excluding) DTS `ms`. */
  pushTo(ms: number): void;
}

function rig(lowLatency = true): Rig {
  const seg = new HlsSegmenter({ partTargetMs: lowLatency ? 334 : undefined });
  seg.setTracks(videoTrack(), audioTrack());
  const units = synthetic({ durationMs: 20_000 });
  let next = 0;
  return {
    seg,
    stream: {},
    units,
    pushTo(ms) {
      while (next < units.length && units[next]!.dts < ms) seg.push(units[next++]!);
    },
  };
}

describe('prefetch segments over HTTP', { timeout: 30_000 }, () => {
  let server: Server;
  let base: string;
  let current: Rig;
  let maxWaiters = 100;

  before(async () => {
    server = createServer((req, res) => {
      const n = Number(/\/(\d+)\.ts$/.exec(req.url ?? '')?.[1]);
      sendSegment(
        current.stream as LiveStream,
        current.seg,
        n,
        'ts',
        res,
        req.method === 'HEAD',
        req.url ?? '',
        maxWaiters,
        req.headers.range,
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  /** Reads a streamed response chunk by chunk; `received()` is what arrived so far. */
  async function open(n: number) {
    const res = await fetch(`${base}/${n}.ts`);
    const chunks: Buffer[] = [];
    let finished = false;
    const reader = res.body!.getReader();
    const done = (async () => {
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        chunks.push(Buffer.from(value));
      }
      finished = true;
    })();
    return {
      res,
      done,
      received: () => Buffer.concat(chunks),
      finished: () => finished,
      cancel: () => reader.cancel(),
    };
  }

  async function until(what: string, test: () => boolean, ms = 3000): Promise<void> {
    for (const deadline = Date.now() + ms; !test(); await sleep(10)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    }
  }

  it('streams the segment in progress from its parts so far, then part by part, ending byte-identical to the segment', async () => {
    current = rig();
    current.pushTo(4_700); // segments 0 and 1 complete, segment 2 has two parts
    assert.equal(current.seg.openSequence, 2);
    assert.ok(isPrefetchSegment(current.seg, 2) && isPrefetchSegment(current.seg, 3) && !isPrefetchSegment(current.seg, 4));
    const r = await open(2);
    assert.equal(r.res.status, 200);
    assert.equal(r.res.headers.get('content-length'), null, 'no length: streamed');
    assert.equal(r.res.headers.get('transfer-encoding'), 'chunked');
    assert.equal(r.res.headers.get('cache-control'), SEGMENT_CACHE, 'cached like the complete segment');
    assert.equal(r.res.headers.get('access-control-allow-origin'), '*');
    const parts = () => [0, 1, 2, 3, 4, 5].map((i) => current.seg.findPart(2, i)).filter((p) => p !== undefined);
    const sum = () => parts().reduce((a, p) => a + p.bytes.length, 0);
    await until('the parts so far', () => r.received().length === sum());
    assert.equal(heldPrefetches(current.seg), 1);
    current.pushTo(5_400);
    await until('the next part', () => r.received().length === sum());
    assert.ok(!r.finished(), 'still open while the segment grows');
    current.pushTo(6_100); // segment 2 closes at 6 s
    await r.done;
    const segment = current.seg.window.find(2)!;
    assert.ok(r.received().equals(segment.bytes), 'the bytes of the complete segment');
    assert.equal(heldPrefetches(current.seg), 0);
    // Once complete, the same URL answers the same bytes with a length.
    const again = await fetch(`${base}/2.ts`);
    assert.equal(again.headers.get('content-length'), String(segment.bytes.length));
    assert.ok(Buffer.from(await again.arrayBuffer()).equals(segment.bytes));
  });

  it('holds the next segment until its first part, and 404s beyond it', async () => {
    current = rig();
    current.pushTo(4_200);
    const pending = fetch(`${base}/3.ts`);
    await until('held before it starts', () => heldPrefetches(current.seg) === 1);
    current.pushTo(6_500); // segment 3 starts at 6 s and gets a part
    const next = await pending;
    assert.equal(next.status, 200);
    const reader = next.body!.getReader();
    const first = await reader.read();
    assert.ok(first.value && first.value.length > 0);
    current.pushTo(8_100);
    const chunks = [Buffer.from(first.value)];
    for (let c = await reader.read(); !c.done; c = await reader.read()) chunks.push(Buffer.from(c.value));
    assert.ok(Buffer.concat(chunks).equals(current.seg.window.find(3)!.bytes));
    const beyond = await fetch(`${base}/${current.seg.openSequence! + 2}.ts`);
    assert.equal(beyond.status, 404);
    assert.match(await beyond.text(), /"error_code":"not_found"/);
  });

  it('completes the segment in progress when the stream ends, and 404s the one that never started', async () => {
    current = rig();
    current.pushTo(4_500);
    const inProgress = await open(2);
    const never = fetch(`${base}/3.ts`);
    await until('both held', () => heldPrefetches(current.seg) === 2);
    current.seg.end();
    await inProgress.done;
    assert.ok(inProgress.received().equals(current.seg.window.find(2)!.bytes), 'the final, shorter segment');
    assert.equal((await never).status, 404);
    assert.equal(heldPrefetches(current.seg), 0);
    assert.equal((await fetch(`${base}/2.ts`)).status, 200);
  });

  it('serves no prefetch for NORMAL renditions (no parts)', async () => {
    current = rig(false);
    current.pushTo(4_500);
    assert.equal(current.seg.openSequence, 2);
    assert.equal(isPrefetchSegment(current.seg, 2), false);
    assert.equal((await fetch(`${base}/2.ts`)).status, 404);
  });

  it('bounds held responses (503 past the stream budget) and releases a held one when its client leaves', async () => {
    current = rig();
    current.pushTo(4_500);
    maxWaiters = 1;
    try {
      const held = await open(2);
      await until('one held', () => heldPrefetches(current.seg) === 1);
      const refused = await fetch(`${base}/3.ts`);
      assert.equal(refused.status, 503);
      assert.match(await refused.text(), /"error_code":"service_unavailable"/);
      await held.cancel();
      await until('released', () => heldPrefetches(current.seg) === 0);
      assert.equal(streamWaiters(current.stream).budget.used, 0);
      assert.equal(current.seg.listenerCount('part'), 0, 'no packager listener left behind');
    } finally {
      maxWaiters = 100;
    }
  });

  it('answers a single byte range of a complete segment with 206 (416 past its end, the whole segment otherwise)', async () => {
    current = rig();
    current.pushTo(4_500);
    const whole = current.seg.window.find(0)!.bytes;
    const probe = await fetch(`${base}/0.ts`, { headers: { range: 'bytes=0-32766' } });
    assert.equal(probe.status, 206);
    const size = Math.min(32_767, whole.length);
    assert.equal(probe.headers.get('content-range'), `bytes 0-${size - 1}/${whole.length}`);
    assert.equal(probe.headers.get('content-length'), String(size));
    assert.ok(Buffer.from(await probe.arrayBuffer()).equals(whole.subarray(0, size)));
    const tail = await fetch(`${base}/0.ts`, { headers: { range: 'bytes=-100' } });
    assert.ok(Buffer.from(await tail.arrayBuffer()).equals(whole.subarray(whole.length - 100)));
    const past = await fetch(`${base}/0.ts`, { headers: { range: `bytes=${whole.length}-` } });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), `bytes */${whole.length}`);
    const several = await fetch(`${base}/0.ts`, { headers: { range: 'bytes=0-1,5-9' } });
    assert.equal(several.status, 200);
    assert.equal((await several.arrayBuffer()).byteLength, whole.length);
  });
});

describe('decideRange', () => {
  it('honours one bytes range and ignores what it does not understand', () => {
    assert.deepEqual(decideRange(undefined, 100), { kind: 'whole' });
    assert.deepEqual(decideRange('bytes=0-9', 100), { kind: 'partial', start: 0, end: 9 });
    assert.deepEqual(decideRange('bytes=90-200', 100), { kind: 'partial', start: 90, end: 99 });
    assert.deepEqual(decideRange('bytes=10-', 100), { kind: 'partial', start: 10, end: 99 });
    assert.deepEqual(decideRange('bytes=-10', 100), { kind: 'partial', start: 90, end: 99 });
    assert.deepEqual(decideRange('bytes=-1000', 100), { kind: 'partial', start: 0, end: 99 });
    assert.deepEqual(decideRange('bytes=100-', 100), { kind: 'unsatisfiable' });
    assert.deepEqual(decideRange('bytes=-0', 100), { kind: 'unsatisfiable' });
    for (const h of ['bytes=9-0', 'bytes=-', 'items=0-1', 'bytes=0-1,3-4', 'bytes=a-b', 'bytes=1234567890123456-']) {
      assert.deepEqual(decideRange(h, 100), { kind: 'whole' }, h);
    }
  });
});
