// The API latency histogram counted in plain numbers: for any observations it must expose exactly what prom-client's
// own Histogram exposes (prom-client stays the reference), bound values falling in their own bucket.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram, Registry } from 'prom-client';
import { PlainHistogram } from '../../src/metrics/plain-histogram.js';

const BOUNDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The sample lines of a scrape, sorted, each label set in name order (the two write le first or last). */
function samples(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const m = /^([^{ ]+)(?:\{(.*)\})? (.+)$/.exec(line)!;
      const labels = (m[2] ?? '').split(',').filter(Boolean).sort().join(',');
      return `${m[1]}{${labels}} ${Number(m[3]).toPrecision(12)}`;
    })
    .sort();
}

describe('PlainHistogram', () => {
  it('exposes what prom-client’s Histogram exposes for the same observations, bounds included', async () => {
    const plainRegistry = new Registry();
    const referenceRegistry = new Registry();
    const plain = new PlainHistogram('h_seconds', 'help', 'operation', BOUNDS, plainRegistry);
    const reference = new Histogram({
      name: 'h_seconds',
      help: 'help',
      labelNames: ['operation'],
      buckets: BOUNDS,
      registers: [referenceRegistry],
    });
    const values = [...BOUNDS, 0, 3, 1e-9, ...Array.from({ length: 500 }, () => Math.random() ** 3 * 4)];
    for (const [i, value] of values.entries()) {
      const operation = ['GetChannel', 'ListChannels', '-'][i % 3]!;
      plain.recorder(operation)(value);
      reference.labels(operation).observe(value);
    }
    assert.deepEqual(samples(await plainRegistry.metrics()), samples(await referenceRegistry.metrics()));
    assert.ok(samples(await plainRegistry.metrics()).length === 3 * (BOUNDS.length + 3));
  });

  it('a value on a bound counts in that bound’s bucket; reset zeroes and recorders made before it keep counting', async () => {
    const registry = new Registry();
    const histogram = new PlainHistogram('h_seconds', 'help', 'operation', [1, 2], registry);
    const record = histogram.recorder('X');
    record(1);
    record(2);
    record(2.5);
    const text = await registry.metrics();
    assert.match(text, /h_seconds_bucket\{le="1",operation="X"\} 1\n/);
    assert.match(text, /h_seconds_bucket\{le="2",operation="X"\} 2\n/);
    assert.match(text, /h_seconds_bucket\{le="\+Inf",operation="X"\} 3\n/);
    assert.match(text, /h_seconds_sum\{operation="X"\} 5.5\n/);
    histogram.reset();
    record(0.5);
    assert.match(await registry.metrics(), /h_seconds_count\{operation="X"\} 1\n/);
  });
});
