// What metrics leave behind when the app stops, and --metrics off. The app is built and run in this process (as
// tests and embedders do) so what its metrics started can be watched from here: prom-client's own default collectors
// leave a GC observer (and an event-loop timer) running for good; after app.stop() the registry must be empty and a
// forced garbage collection must no longer be observed. With --metrics off there is no /metrics and no registry.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, describe, it } from 'node:test';
import type { Histogram } from 'prom-client';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { pollUntil, sleep } from '../helpers/live.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const dirs: string[] = [];
function config(...extra: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'openivs-metrics-lifecycle-'));
  dirs.push(dir);
  const args = ['--data-dir', dir, '--http-port', '0', '--rtmp-port', '0', '--srt-port', 'off', '--bind', '127.0.0.1'];
  return loadConfig([...args, '--log-level', 'silent', ...extra], {});
}

async function gcCount(histogram: Histogram): Promise<number> {
  const { values } = await histogram.get();
  return values.filter((v) => v.metricName === 'nodejs_gc_duration_seconds_count').reduce((n, v) => n + v.value, 0);
}

describe('metrics: nothing left running after app.stop(), and --metrics off', { timeout: 60_000 }, () => {
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('stops observing garbage collections and empties the registry when the app stops', async () => {
    const app = await buildApp(config());
    const { httpPort } = await app.start();
    collectGarbage();
    await sleep(50);
    const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
    const text = await res.text();
    for (const name of ['process_cpu_seconds_total', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_gc_duration_seconds_count'])
      assert.match(text, new RegExp(`^${name}`, 'm'), name);
    const gc = app.metrics!.register.getSingleMetric('nodejs_gc_duration_seconds') as Histogram;
    // Running: a forced collection is observed (the observer reports asynchronously).
    const before = await gcCount(gc);
    collectGarbage();
    await pollUntil('GC observed while running', async () => (await gcCount(gc)) > before, { timeoutMs: 5_000 });
    await app.stop();
    assert.equal(app.metrics!.register.getMetricsAsArray().length, 0, 'the registry is empty after stop');
    const stopped = await gcCount(gc);
    for (let i = 0; i < 3; i++) {
      collectGarbage();
      await sleep(50);
    }
    assert.equal(await gcCount(gc), stopped, 'garbage collections observed after stop: the GC observer leaked');
  });

  it('pause() stops the background sampling and resume() starts it again; /metrics answers throughout', async () => {
    const app = await buildApp(config());
    try {
      const { httpPort } = await app.start();
      const metrics = app.metrics!;
      const gc = metrics.register.getSingleMetric('nodejs_gc_duration_seconds') as Histogram;
      metrics.pause();
      await sleep(50);
      const paused = await gcCount(gc);
      for (let i = 0; i < 3; i++) {
        collectGarbage();
        await sleep(50);
      }
      assert.equal(await gcCount(gc), paused, 'a garbage collection was observed while paused');
      // The event-loop monitor records nothing while paused: after a scrape resets it, its count stays 0.
      const lagCount = async () => {
        const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
        return Number(/^nodejs_eventloop_lag_mean_seconds (\S+)$/m.exec(text)?.[1]);
      };
      await lagCount();
      await sleep(100);
      assert.equal(await lagCount(), 0, 'the event-loop monitor recorded delays while paused');
      metrics.resume();
      collectGarbage();
      await pollUntil('GC observed after resume', async () => (await gcCount(gc)) > paused, { timeoutMs: 5_000 });
      await sleep(100);
      // Also fails if the figures lag one scrape behind (the window read is the one the previous scrape closed).
      assert.ok((await lagCount()) > 0, 'the event-loop monitor records again after resume');
    } finally {
      await app.stop();
    }
  });

  it('--metrics off: no /metrics, no registry, the rest serves', async () => {
    const app = await buildApp(config('--metrics', 'off'));
    try {
      assert.equal(app.metrics, undefined);
      const { httpPort } = await app.start();
      const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
      const unknown = await fetch(`http://127.0.0.1:${httpPort}/no-such-route`);
      assert.equal(res.status, unknown.status, '/metrics answers like any unknown path');
      assert.deepEqual(await res.json(), await unknown.json());
      const health = await fetch(`http://127.0.0.1:${httpPort}/_openivs/health`);
      assert.equal(health.status, 200);
    } finally {
      await app.stop();
    }
  });

  it('rejects a --metrics value other than on or off', () => {
    assert.throws(() => config('--metrics', 'maybe'), /expected one of on, off/);
  });
});
