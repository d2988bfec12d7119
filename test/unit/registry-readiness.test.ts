// Unit tests for when a broadcast is announced (registry/readiness.ts): not before the source has a complete segment,
// then at once for a stream without transcoded renditions, after every rung has one too for a transcoded stream, or
// after the ladder grace when a rung lags; never after the stream ended; once only.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HlsSegmenter } from '../../src/media/package/segmenter.js';
import { LiveStream, type ChannelSnapshot } from '../../src/media/registry/live-stream.js';
import { whenPlayable } from '../../src/media/registry/readiness.js';
import { audioTrack, synthetic, videoTrack } from './fixtures/package-synthetic.js';

const channel: ChannelSnapshot = {
  arn: 'arn:aws:ivs:us-west-2:000000000000:channel/AbCdEfGhIjKl',
  id: 'AbCdEfGhIjKl',
  name: 'c',
  account: '000000000000',
  region: 'us-west-2',
  type: 'STANDARD',
  latencyMode: 'LOW',
  containerFormat: 'TS',
  authorized: false,
  restriction: undefined,
  playbackUrl: 'http://127.0.0.1/x.m3u8',
  doc: {},
};
const handle = { disconnect: () => undefined, bytesReceived: 0, remoteAddress: '127.0.0.1' };
const packaging = { targetSegmentMs: 2000, windowSegments: 6, partTargetMs: 334 };

function newStream(rungs: string[] = []): LiveStream {
  const stream = new LiveStream('st-AAAAAAAAAAAAAAAAAAAAAAA', channel, new Date(), handle, packaging);
  stream.source.setTracks(videoTrack(), audioTrack());
  for (const name of rungs) {
    const rung = new HlsSegmenter({ targetDurationMs: 2000, partTargetMs: 334 });
    rung.setTracks(videoTrack(640, 360), audioTrack());
    stream.renditions.set(name, rung);
  }
  return stream;
}

/** Feeds `ms` of media (2 s GOPs) into a rendition, from `fromMs`. */
function feed(segmenter: HlsSegmenter, fromMs: number, ms: number): void {
  for (const au of synthetic({ startMs: fromMs, durationMs: ms })) segmenter.push(au);
}

describe('whenPlayable', () => {
  it('a passthrough stream is announced with its first complete segment, not with the first keyframe or part', () => {
    const stream = newStream();
    let announced = 0;
    whenPlayable(stream, () => announced++);
    feed(stream.source, 0, 1900);
    assert.ok(stream.source.lastPartPosition(), 'parts exist already');
    assert.equal(announced, 0);
    feed(stream.source, 1900, 200); // the next keyframe at 2 s closes segment 0
    assert.equal(stream.source.window.last?.sequence, 0);
    assert.equal(announced, 1);
    feed(stream.source, 2100, 4000);
    assert.equal(announced, 1, 'once');
  });

  it('a transcoded stream waits for every rung to have a segment too', () => {
    const stream = newStream(['360p30', '160p30']);
    let announced = 0;
    const cancel = whenPlayable(stream, () => announced++, 60_000);
    feed(stream.source, 0, 4100);
    feed(stream.renditions.get('360p30')!, 0, 2100);
    assert.equal(announced, 0, 'one rung still has no segment');
    feed(stream.renditions.get('160p30')!, 0, 2100);
    assert.equal(announced, 1);
    cancel();
  });

  it('a lagging rung holds the announcement back at most the ladder grace', async () => {
    const stream = newStream(['360p30']);
    let announcedAt: number | undefined;
    const start = Date.now();
    whenPlayable(
      stream,
      () => {
        announcedAt = Date.now();
      },
      150,
    );
    feed(stream.source, 0, 2100);
    assert.equal(announcedAt, undefined);
    for (let waited = 0; announcedAt === undefined && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    assert.ok(announcedAt !== undefined, 'announced after the grace without the rung');
    assert.ok(announcedAt - start >= 140, `after ${announcedAt - start} ms`);
  });

  it('a stream that ends first is never announced, and cancel stops the watch', async () => {
    const stream = newStream(['360p30']);
    let announced = 0;
    whenPlayable(stream, () => announced++, 50);
    stream.ended = true;
    feed(stream.source, 0, 2100);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(announced, 0);
    const other = newStream();
    whenPlayable(other, () => announced++)();
    feed(other.source, 0, 2100);
    assert.equal(announced, 0);
  });
});
