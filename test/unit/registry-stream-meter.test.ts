// StreamMeter: per-second ingest figures from access units (30 fps video with a keyframe every 2 s, AAC audio),
// zero-filled seconds while media stops, the viewer count of each second, and the bounded ring.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamMeter } from '../../src/media/registry/stream-meter.js';
import type { AccessUnit } from '../../src/media/types.js';

const T0 = 1_800_000_000_000;

/** `seconds` of 30 fps video (10 kB frames, a keyframe every 60) and AAC audio (46 frames/s of 400 B), in arrival order. */
function feed(meter: StreamMeter, fromMs: number, seconds: number): void {
  const units: AccessUnit[] = [];
  for (let f = 0; f < seconds * 30; f++) {
    const ms = fromMs + Math.round((f * 1000) / 30);
    units.push({ track: 'video', dts: ms, pts: ms, keyframe: f % 60 === 0, data: Buffer.alloc(10_000), arrival: T0 + ms });
  }
  for (let a = 0; a < seconds * 46; a++) {
    const ms = fromMs + Math.round((a * 1000) / 46);
    units.push({ track: 'audio', dts: ms, pts: ms, keyframe: true, data: Buffer.alloc(400), arrival: T0 + ms });
  }
  for (const au of units.sort((x, y) => x.arrival - y.arrival)) meter.onUnit(au);
}

describe('StreamMeter', () => {
  it('measures bit rates, frame rate and keyframe interval per second', () => {
    const meter = new StreamMeter(() => 7);
    feed(meter, 0, 5);
    const samples = meter.samples(T0 + 5_500);
    assert.equal(samples.length, 5);
    assert.deepEqual(
      samples.map((s) => s.time),
      [0, 1, 2, 3, 4].map((s) => T0 + s * 1000),
    );
    for (const s of samples) {
      assert.equal(s.ingestVideoBitrate, 30 * 10_000 * 8);
      assert.equal(s.ingestAudioBitrate, 46 * 400 * 8);
      assert.ok(Math.abs(s.ingestFramerate - 30) < 0.5, String(s.ingestFramerate));
      assert.equal(s.concurrentViews, 7);
    }
    assert.equal(samples[0]!.keyframeInterval, null, 'one keyframe is no interval');
    assert.equal(samples[4]!.keyframeInterval, 2);
    assert.deepEqual(
      meter.samples(T0 + 5_500, T0 + 3_000).map((s) => s.time),
      [T0 + 4_000],
    );
  });

  it('counts seconds without media as zeros and keeps a bounded history', () => {
    const meter = new StreamMeter(() => 0, 10);
    feed(meter, 0, 2);
    const samples = meter.samples(T0 + 6_000);
    assert.equal(samples.length, 6);
    assert.deepEqual(
      samples.slice(2).map((s) => s.ingestVideoBitrate),
      [0, 0, 0, 0],
    );
    assert.equal(meter.samples(T0 + 60_000).length, 10);
  });
});
