// The publish delay (src/metrics/streams.ts): a part's end on the wall clock is the previous segment's end (its
// program date-time plus duration) plus the part's offset on the output timeline; a segment's is its own PDT plus
// duration. Fed here with the events a packager emits, read back from the registry's text.

import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { StreamMetrics } from '../../src/metrics/streams.js';
import type { PublishedPart, PublishedSegment } from '../../src/metrics/ports.js';

function setup() {
  const register = new Registry();
  const metrics = new StreamMetrics(register, { streams: () => [] });
  const emitter = new EventEmitter();
  let now = 0;
  metrics.watch(
    {
      onPart: (l: (p: PublishedPart) => void) => emitter.on('part', l),
      onSegment: (l: (s: PublishedSegment) => void) => emitter.on('segment', l),
    },
    () => now,
  );
  const at = (ms: number) => (now = ms);
  const series = async (name: string) => {
    const text = await register.metrics();
    const m = new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  return { emitter, at, series };
}

describe('publish delay', () => {
  it('measures parts from the previous segment end and segments from their own end', async () => {
    const { emitter, at, series } = setup();
    // Parts before the first segment have no wall clock to compare with: not observed.
    at(10_500);
    emitter.emit('part', { startDts: 0, durationMs: 500 });
    // Segment 0: dts 0..2000, PDT 10 000 ms → ends at 12 000; published at 12 030.
    at(12_030);
    emitter.emit('segment', { startDts: 0, durationMs: 2_000, programDateTime: new Date(10_000) });
    // A part of the next segment: dts 2000..2500 → ends at 12 500 on the wall clock; published at 12 520.
    at(12_520);
    emitter.emit('part', { startDts: 2_000, durationMs: 500 });
    assert.equal(await series('openivs_publish_delay_seconds_count{kind="segment"}'), 1);
    assert.equal(await series('openivs_publish_delay_seconds_sum{kind="segment"}'), 0.03);
    assert.equal(await series('openivs_publish_delay_seconds_count{kind="part"}'), 1);
    assert.equal(await series('openivs_publish_delay_seconds_sum{kind="part"}'), 0.02);
  });

  it('reads a PDT slightly ahead of the clock as no delay, and ignores jumps', async () => {
    const { emitter, at, series } = setup();
    at(11_800); // 200 ms before the PDT says the segment ended
    emitter.emit('segment', { startDts: 0, durationMs: 2_000, programDateTime: new Date(10_000) });
    at(500_000); // a wall-clock jump (or a discontinuity): no delay to speak of
    emitter.emit('segment', { startDts: 2_000, durationMs: 2_000, programDateTime: new Date(12_000) });
    assert.equal(await series('openivs_publish_delay_seconds_count{kind="segment"}'), 1);
    assert.equal(await series('openivs_publish_delay_seconds_sum{kind="segment"}'), 0);
  });
});
