// CMAF chunking of an LL-HLS part (src/media/package/fmp4/chunks.ts): one chunk per video frame with the audio frames
// that start during it, audio alone in groups of AUDIO_FRAMES_PER_CHUNK, and exact decode times for every slice.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUDIO_FRAMES_PER_CHUNK, sliceRun, splitIntoChunks } from '../../src/media/package/fmp4/chunks.js';
import type { TrackRun } from '../../src/media/package/fmp4/track-run.js';

function run(trackId: number, base: number, durations: number[]): TrackRun {
  const data = durations.map((_, i) => Buffer.alloc(10 + i, i));
  return {
    trackId,
    baseDecodeTime: base,
    samples: durations.map((duration, i) => ({ duration, size: data[i]!.length, flags: 0, cto: 0 })),
    data,
    dataSize: data.reduce((n, d) => n + d.length, 0),
    withCto: trackId === 1,
  };
}

describe('fMP4 CMAF chunks', () => {
  it('slices a run with its own base decode time, samples and bytes', () => {
    const r = run(1, 9000, [3000, 3003, 2997, 3000]);
    const s = sliceRun(r, 1, 3);
    assert.equal(s.baseDecodeTime, 12_000);
    assert.deepEqual(
      s.samples.map((x) => x.duration),
      [3003, 2997],
    );
    assert.deepEqual(s.data, r.data.slice(1, 3));
    assert.equal(s.dataSize, 11 + 12);
  });

  it('makes one chunk per video frame; audio joins the frame it starts during, early audio the first, late audio the last', () => {
    // Video at 0, 1/30, 2/30 s (90 kHz); audio frames of 1024 samples at 48 kHz, from 10 ms before the first frame.
    const video = run(1, 90_000, [3000, 3000, 3000]);
    const audio = run(2, 48_000 - 480, [1024, 1024, 1024, 1024, 1024]);
    const chunks = splitIntoChunks({ run: video, timescale: 90_000 }, { run: audio, timescale: 48_000 });
    assert.equal(chunks.length, 3);
    const audioStarts = (c: TrackRun[]) =>
      c.filter((r) => r.trackId === 2).flatMap((r) => r.samples.map((_, i) => r.baseDecodeTime + i * 1024));
    // Audio starts (s): 0.99, 1.0113, 1.0327, 1.054, 1.0753; frames at 1.0, 1.0333, 1.0667.
    assert.deepEqual(audioStarts(chunks[0]!), [47_520, 48_544, 49_568]);
    assert.deepEqual(audioStarts(chunks[1]!), [50_592]);
    assert.deepEqual(audioStarts(chunks[2]!), [51_616]);
    for (const [k, c] of chunks.entries()) {
      assert.equal(c[0]!.trackId, 1);
      assert.equal(c[0]!.baseDecodeTime, 90_000 + 3000 * k);
      assert.equal(c[0]!.samples.length, 1);
    }
    const total = chunks
      .flat()
      .filter((r) => r.trackId === 2)
      .reduce((n, r) => n + r.samples.length, 0);
    assert.equal(total, 5, 'every audio frame exactly once');
  });

  it('groups audio alone by AUDIO_FRAMES_PER_CHUNK, and leaves a chunk without audio to video alone', () => {
    const audio = run(
      2,
      0,
      Array.from({ length: 7 }, () => 1024),
    );
    const chunks = splitIntoChunks(undefined, { run: audio, timescale: 48_000 });
    assert.deepEqual(
      chunks.map((c) => c[0]!.samples.length),
      [AUDIO_FRAMES_PER_CHUNK, AUDIO_FRAMES_PER_CHUNK, 7 - 2 * AUDIO_FRAMES_PER_CHUNK],
    );
    assert.deepEqual(
      chunks.map((c) => c[0]!.baseDecodeTime),
      [0, 1024 * AUDIO_FRAMES_PER_CHUNK, 2048 * AUDIO_FRAMES_PER_CHUNK],
    );
    const video = splitIntoChunks({ run: run(1, 0, [3000, 3000]), timescale: 90_000 }, undefined);
    assert.deepEqual(
      video.map((c) => c.length),
      [1, 1],
    );
    assert.deepEqual(splitIntoChunks(undefined, undefined), []);
  });
});
