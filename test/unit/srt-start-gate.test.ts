// The demuxer holds video until the audio configuration is known (mpegts/start-gate.ts): ffmpeg's TS muxer sends the
// first video keyframe before any audio PES, and a packager fed in that order would start video-only and cut a
// discontinuity when audio appears. Checked on real ffmpeg TS: every video call comes after the audio configuration,
// nothing is lost or reordered within a track; video-only TS is not delayed; a stream whose audio never comes starts
// after the bound.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { TsDemuxer } from '../../src/media/ingest/mpegts/demuxer.js';
import type { TsMediaHandler } from '../../src/media/ingest/mpegts/start-gate.js';
import { makeTs, pidOf, readTs, tempDir, tsPackets } from '../helpers/srt-media.js';

type Call = 'videoConfig' | 'audioConfig' | 'video' | 'audio';

class Calls implements TsMediaHandler {
  order: Call[] = [];
  videoDts: number[] = [];
  onVideoConfig(): void {
    this.order.push('videoConfig');
  }
  onAudioConfig(): void {
    this.order.push('audioConfig');
  }
  onAccessUnit(au: { track: 'video' | 'audio'; dts: number }): void {
    this.order.push(au.track);
    if (au.track === 'video') this.videoDts.push(au.dts);
  }
  onUnsupported(): void {}
}

function demux(buf: Buffer): Calls {
  const calls = new Calls();
  const d = new TsDemuxer(calls);
  for (let off = 0; off < buf.length; off += 1316) d.push(buf.subarray(off, off + 1316));
  d.end();
  return calls;
}

describe('MPEG-TS start gate: video waits for the audio configuration', () => {
  let dir: string;
  let av: Buffer;
  let videoOnly: Buffer;
  before(async () => {
    dir = tempDir();
    av = readTs(await makeTs(dir, 'av', { seconds: 3 }));
    videoOnly = readTs(await makeTs(dir, 'v', { seconds: 2, audio: [] }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('ffmpeg TS puts video first on the wire, yet the audio configuration reaches the session before any video', () => {
    const packets = tsPackets(av);
    const firstPes = (pid: number) => packets.findIndex((p) => pidOf(p) === pid && (p[1]! & 0x40) !== 0);
    assert.ok(firstPes(0x100) < firstPes(0x101), 'precondition: ffmpeg sends the first video PES before the first audio PES');
    const calls = demux(av);
    const audioConfigAt = calls.order.indexOf('audioConfig');
    assert.ok(audioConfigAt >= 0, 'audio configured');
    assert.ok(audioConfigAt < calls.order.indexOf('videoConfig'), `order: ${calls.order.slice(0, 6).join(', ')}`);
    assert.ok(audioConfigAt < calls.order.indexOf('video'));
    const sorted = [...calls.videoDts].sort((a, b) => a - b);
    assert.deepEqual(calls.videoDts, sorted, 'video keeps its order');
    assert.ok(calls.videoDts.length >= 85, `all ~90 video frames delivered, got ${calls.videoDts.length}`);
  });

  it('video-only TS (the PMT declares no audio) is passed on without waiting', () => {
    const calls = new Calls();
    const d = new TsDemuxer(calls);
    d.push(videoOnly.subarray(0, Math.floor(videoOnly.length / 2 / 188) * 188)); // no end(): nothing flushed by it
    assert.ok(calls.order.includes('videoConfig') && calls.order.includes('video'), 'video delivered before the end');
  });

  it('audio declared but never sent: video starts after about 2 s of held media, in order', () => {
    // Drop every packet of the audio PID: the PMT still declares it.
    const noAudio = Buffer.concat(tsPackets(av).filter((p) => pidOf(p) !== 0x101));
    const calls = new Calls();
    const d = new TsDemuxer(calls);
    for (let off = 0; off < noAudio.length; off += 1316) d.push(noAudio.subarray(off, off + 1316));
    assert.ok(calls.videoDts.length > 0, 'released by the bound before the end of the stream');
    const span = calls.videoDts[calls.videoDts.length - 1]! - calls.videoDts[0]!;
    assert.ok(span >= 2_000, `held span ${span} ms reached the bound before release`);
    assert.ok(!calls.order.includes('audioConfig'));
  });
});
