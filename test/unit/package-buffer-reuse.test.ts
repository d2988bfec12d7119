// The TS packager writes every segment of a rendition into one working buffer (packet-sink.ts) and reuses it once
// no response pins it (buffer-pins.ts). What could go wrong is silent: a part still being sent, overwritten by the
// next segment. So: a finished segment and its parts no longer share the working buffer; the buffer is written again
// when nothing pins it and never while something does (or after it was retired); and through the segmenter, a part
// pinned as it is emitted keeps its bytes to the end of a long stream, while unpinned views of the working buffer
// are overwritten (so the check can fail). Over HTTP, a prefetch response pins the parts it sent until it closes.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { sendSegment } from '../../src/media/deliver/media-objects.js';
import { isPinned, pin, retire } from '../../src/media/package/buffer-pins.js';
import { HlsSegmenter } from '../../src/media/package/segmenter.js';
import { PACKET_SIZE, PacketSink } from '../../src/media/package/ts/packet-sink.js';
import type { LiveStream } from '../../src/media/registry/live-stream.js';
import { audioTrack, synthetic, videoTrack } from './fixtures/package-synthetic.js';

/** Writes `count` packets filled with `fill` into the sink's slots. */
function writePackets(sink: PacketSink, count: number, fill: number): void {
  for (let i = 0; i < count; i++) {
    const off = sink.next();
    sink.buf.fill(fill, off, off + PACKET_SIZE);
  }
}

describe('TS working buffer reuse', () => {
  it('a taken segment is an exact copy, and the working buffer is written again when nothing pins it', () => {
    const sink = new PacketSink(64 * 1024);
    writePackets(sink, 4, 1);
    const part = sink.takePart();
    writePackets(sink, 4, 2);
    const working = sink.buf.buffer;
    const segment = sink.takeSegment();
    assert.equal(segment.length, 8 * PACKET_SIZE);
    assert.notEqual(segment.buffer, working, 'the segment is a copy');
    assert.ok(segment.subarray(0, 4 * PACKET_SIZE).every((b) => b === 1));
    assert.ok(segment.subarray(4 * PACKET_SIZE).every((b) => b === 2));
    writePackets(sink, 1, 3);
    assert.equal(sink.buf.buffer, working, 'the next segment reuses the working buffer');
    assert.equal(part[0], 3, 'an unpinned view of the working buffer sees the next segment: why senders pin');
  });

  it('a pinned part keeps its bytes: the next segment goes to a fresh buffer, until the pin is released', () => {
    const sink = new PacketSink(64 * 1024);
    writePackets(sink, 4, 1);
    const part = sink.takePart();
    const release = pin(part)!;
    assert.ok(release, 'the working buffer is a registered, reusable one');
    const first = sink.buf.buffer;
    sink.takeSegment();
    writePackets(sink, 10, 2);
    assert.notEqual(sink.buf.buffer, first, 'pinned: a fresh buffer');
    assert.ok(
      part.every((b) => b === 1),
      'the pinned part is unchanged',
    );
    release();
    release(); // releasing twice is harmless
    assert.equal(isPinned(part), false);
    const second = sink.buf.buffer;
    sink.takeSegment();
    writePackets(sink, 1, 4);
    assert.equal(sink.buf.buffer, second, 'the fresh buffer is reused in turn');
  });

  it('a retired buffer is never written again, pinned or not', () => {
    const sink = new PacketSink(64 * 1024);
    writePackets(sink, 2, 1);
    const part = sink.takePart();
    retire(part);
    const release = pin(part)!;
    release();
    assert.ok(isPinned(part));
    sink.takeSegment();
    writePackets(sink, 2, 2);
    assert.notEqual(sink.buf.buffer, part.buffer);
    assert.ok(part.every((b) => b === 1));
  });

  it('through the segmenter: pinned parts keep their bytes across 20 s, unpinned views are overwritten; finished parts share their segment', () => {
    const seg = new HlsSegmenter({ partTargetMs: 334 });
    seg.setTracks(videoTrack(), audioTrack());
    const pinned: { view: Buffer; copy: Buffer }[] = [];
    const unpinned: { view: Buffer; copy: Buffer }[] = [];
    const releases: (() => void)[] = [];
    seg.on('part', (p) => {
      const entry = { view: p.bytes, copy: Buffer.from(p.bytes) };
      // every other segment's parts are pinned (held to the end), so the buffer after each is fresh, then reused
      if (p.sequence % 2 === 0) {
        const release = pin(p.bytes);
        if (release) releases.push(release);
        pinned.push(entry);
      } else {
        unpinned.push(entry);
      }
    });
    const segments: { sequence: number; bytes: Buffer }[] = [];
    seg.on('segment', (s) => segments.push(s));
    for (const unit of synthetic({ durationMs: 20_000 })) seg.push(unit);
    assert.ok(segments.length >= 8, `segments: ${segments.length}`);
    assert.ok(releases.length > 10, 'parts of open segments were views of a reusable working buffer');
    for (const { view, copy } of pinned) assert.ok(view.equals(copy), 'a pinned part changed');
    const overwritten = unpinned.filter(({ view, copy }) => !view.equals(copy)).length;
    assert.ok(overwritten > 0, 'unpinned views of the working buffer were overwritten: the buffer was reused');
    for (const s of segments.filter((x) => seg.window.find(x.sequence))) {
      for (let i = 0; seg.findPart(s.sequence, i); i++) {
        assert.equal(seg.findPart(s.sequence, i)!.bytes.buffer, s.bytes.buffer, 'a finished part is a view of its segment');
      }
    }
    for (const release of releases) release();
  });

  it('over HTTP, a prefetch response pins the parts it sent until it closes', async () => {
    const seg = new HlsSegmenter({ partTargetMs: 334 });
    seg.setTracks(videoTrack(), audioTrack());
    const units = synthetic({ durationMs: 10_000 });
    let next = 0;
    const pushTo = (ms: number) => {
      while (next < units.length && units[next]!.dts < ms) seg.push(units[next++]!);
    };
    pushTo(4_500); // segments 0 and 1 done, 2 in progress with parts
    const sequence = seg.lowLatencyState()!.pending!.sequence;
    const firstPart = seg.findPart(sequence, 0)!;
    assert.equal(isPinned(firstPart.bytes), false);
    const server = createServer((req, res) => {
      sendSegment({} as LiveStream, seg, sequence, 'ts', res, req.method === 'HEAD', req.url ?? '', 100);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/${sequence}.ts`);
      const reader = res.body!.getReader();
      await reader.read(); // the parts so far have been written
      assert.equal(isPinned(firstPart.bytes), true, 'pinned while the response is open');
      pushTo(8_500); // the segment completes, the response ends
      const chunks: Uint8Array[] = [];
      for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(isPinned(firstPart.bytes), false, 'released once the response closed');
      assert.ok(seg.window.find(sequence), 'the segment completed');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
