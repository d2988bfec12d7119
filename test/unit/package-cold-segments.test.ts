// Segments behind the live edge in files (cold-segments.ts): which segments leave memory, that their files and parts'
// ranges hold exactly the emitted bytes, that they are served byte-identical (whole, ranges, parts), and that files
// go with their segment, their stream and a restart.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sendPart, sendSegment } from '../../src/media/deliver/media-objects.js';
import { ColdSegmentFiles, readFileRange } from '../../src/media/package/cold-segments.js';
import type { Part } from '../../src/media/package/parts.js';
import { HlsSegmenter } from '../../src/media/package/segmenter.js';
import type { FileRange, MediaBytes, Segment } from '../../src/media/package/types.js';
import type { LiveStream } from '../../src/media/registry/live-stream.js';
import { audioTrack, synthetic, videoTrack } from './fixtures/package-synthetic.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isFile = (b: MediaBytes): b is FileRange => !Buffer.isBuffer(b);

async function until(what: string, test: () => boolean, ms = 3000): Promise<void> {
  for (const deadline = Date.now() + ms; !test(); await sleep(10)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

interface Rig {
  root: string;
  files: ColdSegmentFiles;
  seg: HlsSegmenter;
  /** Copies of what the segmenter emitted, by sequence (parts: the final ones, as the segment's slices). */
  segments: Map<number, Buffer>;
  parts: Map<number, Buffer[]>;
  pushTo(ms: number): void;
}

function rig(windowSize = 3, retain = 1, hot = 2): Rig {
  const root = join(mkdtempSync(join(tmpdir(), 'openivs-cold-')), 'live-segments');
  const files = new ColdSegmentFiles(root, hot);
  const seg = new HlsSegmenter({ partTargetMs: 334, windowSize, retainAfterWindow: retain, coldFiles: files.rendition() });
  seg.setTracks(videoTrack(), audioTrack());
  const segments = new Map<number, Buffer>();
  const parts = new Map<number, Buffer[]>();
  seg.on('part', (p: Part) => {
    const list = parts.get(p.sequence) ?? [];
    list[p.index] = Buffer.from(p.bytes);
    parts.set(p.sequence, list);
  });
  seg.on('segment', (s: Segment) => segments.set(s.sequence, Buffer.from(s.bytes)));
  const units = synthetic({ durationMs: 30_000, videoBytes: 3000 });
  let next = 0;
  return {
    root,
    files,
    seg,
    segments,
    parts,
    pushTo(ms) {
      while (next < units.length && units[next]!.dts < ms) seg.push(units[next++]!);
    },
  };
}

/** Sequences whose segment is in the window, and of those, the ones in memory. */
function residency(seg: HlsSegmenter, from: number, to: number): { kept: number[]; inMemory: number[] } {
  const kept: number[] = [];
  const inMemory: number[] = [];
  for (let n = from; n <= to; n++) {
    const s = seg.window.find(n);
    if (!s) continue;
    kept.push(n);
    if (Buffer.isBuffer(s.bytes)) inMemory.push(n);
  }
  return { kept, inMemory };
}

describe('cold segment files', () => {
  it('empties what a previous run left when the root is opened', () => {
    const parent = mkdtempSync(join(tmpdir(), 'openivs-cold-'));
    const root = join(parent, 'live-segments');
    mkdirSync(join(root, '7'), { recursive: true });
    writeFileSync(join(root, '7', '12.ts'), 'stale');
    const files = new ColdSegmentFiles(root);
    assert.deepEqual(readdirSync(root), []);
    assert.equal(files.rendition().dir === files.rendition().dir, false, 'each segmenter its own directory');
    rmSync(parent, { recursive: true, force: true });
  });

  it('keeps the newest `hot` segments in memory and moves older ones, parts included, to files with the same bytes', async () => {
    const r = rig();
    r.pushTo(14_100); // segments 0..6 complete (2 s each), 7 in progress
    const last = r.seg.window.last!.sequence;
    assert.equal(last, 6);
    await until('older segments written', () => residency(r.seg, 0, last).inMemory.length === 2);
    const { kept, inMemory } = residency(r.seg, 0, last);
    assert.deepEqual(kept, [3, 4, 5, 6], 'window 3 + retained 1');
    assert.deepEqual(inMemory, [5, 6], 'the newest two stay in memory');
    for (const n of [3, 4]) {
      const stored = r.seg.window.find(n)!.bytes;
      assert.ok(isFile(stored));
      assert.deepEqual(readFileSync(stored.path), r.segments.get(n), `segment ${n}'s file`);
      let offset = 0;
      for (let i = 0; r.seg.findPart(n, i); i++) {
        const part = r.seg.findPart(n, i)!.bytes;
        assert.ok(isFile(part), `part ${n}.${i} served from the file`);
        assert.equal(part.path, stored.path);
        assert.equal(part.offset, offset, 'parts are consecutive ranges');
        offset += part.length;
        assert.deepEqual(await readFileRange(part), r.parts.get(n)![i], `part ${n}.${i}'s bytes`);
      }
      assert.equal(offset, stored.length, 'the parts cover the segment');
    }
    // Released segments took their files with them: the directory holds exactly the cold segments in the window.
    const dir = readdirSync(r.root);
    assert.equal(dir.length, 1);
    await until('released files removed', () => readdirSync(join(r.root, dir[0]!)).length === 2);
    assert.deepEqual(readdirSync(join(r.root, dir[0]!)).sort(), ['3.ts', '4.ts']);
    r.seg.release();
    await until('the directory removed', () => !existsSync(join(r.root, dir[0]!)));
    rmSync(join(r.root, '..'), { recursive: true, force: true });
  });

  it('a read of a file removed meanwhile answers nothing rather than short bytes', async () => {
    const r = rig();
    r.pushTo(10_100);
    await until('segment 2 written', () => isFile(r.seg.window.find(2)?.bytes ?? Buffer.alloc(0)));
    const range = r.seg.window.find(2)!.bytes as FileRange;
    rmSync(range.path);
    assert.equal(await readFileRange(range), undefined);
    assert.equal(await readFileRange({ ...range, path: range.path + '.x' }), undefined);
    rmSync(join(r.root, '..'), { recursive: true, force: true });
  });
});

describe('cold segments over HTTP', { timeout: 30_000 }, () => {
  let server: Server;
  let base: string;
  let r: Rig;

  before(async () => {
    r = rig(6, 2, 1);
    r.pushTo(20_100); // segments 0..9; window 4..9, retained 2..3; only 9 in memory
    await until('cold segments written', () => residency(r.seg, 0, 9).inMemory.length === 1);
    server = createServer((req, res) => {
      const url = req.url ?? '';
      const part = /\/(\d+)\.(\d+)\.ts$/.exec(url);
      if (part) {
        const route = {
          kind: 'part' as const,
          playbackKey: 'k',
          streamId: 's',
          rendition: 'source',
          sequence: Number(part[1]),
          index: Number(part[2]),
          extension: 'ts',
        };
        return void sendPart({} as LiveStream, r.seg, route, res, req.method === 'HEAD', url, 10);
      }
      const n = Number(/\/(\d+)\.ts$/.exec(url)?.[1]);
      sendSegment({} as LiveStream, r.seg, n, 'ts', res, req.method === 'HEAD', url, 10, req.headers.range);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
    rmSync(join(r.root, '..'), { recursive: true, force: true });
  });

  it('answers a cold segment exactly as a hot one: same bytes, same headers', async () => {
    assert.ok(isFile(r.seg.window.find(4)!.bytes));
    assert.ok(Buffer.isBuffer(r.seg.window.find(9)!.bytes));
    const cold = await fetch(`${base}/4.ts`);
    const hot = await fetch(`${base}/9.ts`);
    assert.equal(cold.status, 200);
    assert.deepEqual(Buffer.from(await cold.arrayBuffer()), r.segments.get(4));
    assert.equal(cold.headers.get('content-length'), String(r.segments.get(4)!.length));
    await hot.arrayBuffer();
    for (const h of ['content-type', 'cache-control', 'access-control-allow-origin']) {
      assert.equal(cold.headers.get(h), hot.headers.get(h), h);
    }
    const retained = await fetch(`${base}/2.ts`);
    assert.deepEqual(Buffer.from(await retained.arrayBuffer()), r.segments.get(2), 'retained after the playlist, from disk');
    assert.equal((await fetch(`${base}/1.ts`)).status, 404, 'released');
  });

  it('answers byte ranges of a cold segment from its file', async () => {
    const whole = r.segments.get(5)!;
    const mid = await fetch(`${base}/5.ts`, { headers: { range: 'bytes=1000-4999' } });
    assert.equal(mid.status, 206);
    assert.equal(mid.headers.get('content-range'), `bytes 1000-4999/${whole.length}`);
    assert.deepEqual(Buffer.from(await mid.arrayBuffer()), whole.subarray(1000, 5000));
    const past = await fetch(`${base}/5.ts`, { headers: { range: `bytes=${whole.length}-` } });
    assert.equal(past.status, 416);
    await past.arrayBuffer();
  });

  it('answers the parts of a cold segment from their ranges of its file', async () => {
    const expected = r.parts.get(6)!;
    assert.ok(expected.length >= 5);
    for (let i = 0; i < expected.length; i++) {
      assert.ok(isFile(r.seg.findPart(6, i)!.bytes));
      const res = await fetch(`${base}/6.${i}.ts`);
      assert.equal(res.status, 200);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), expected[i], `part 6.${i}`);
    }
  });

  it('a cold file gone underneath is answered 404, not short', async () => {
    const range = r.seg.window.find(7)!.bytes as FileRange;
    rmSync(range.path);
    assert.equal((await fetch(`${base}/7.ts`)).status, 404);
    assert.equal((await fetch(`${base}/7.0.ts`)).status, 404);
  });
});
