// The loopback-only event-loop reading behind /_openivs/health?loop, which the fuzzing tests use to
// prove that hostile input never stalls the server: figures present, windows restart at each read,
// and a plain health check stays the small public answer it always was.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useServer } from '../helpers/use-server.js';
import { readLoop } from '../helpers/loop-probe.js';

describe('health ?loop', () => {
  const { server } = useServer();

  it('reports the longest event-loop delay and memory of each window from loopback', async () => {
    await readLoop(server);
    await new Promise((r) => setTimeout(r, 300));
    const reading = await readLoop(server);
    assert.ok(reading.windowMs >= 250 && reading.windowMs < 10_000, `window ${reading.windowMs} ms`);
    assert.ok(reading.maxDelayMs >= 0 && reading.maxDelayMs >= reading.meanDelayMs);
    assert.ok(reading.rssBytes > 10 * 1024 * 1024 && reading.rssBytes < 4 * 1024 ** 3, `rss ${reading.rssBytes}`);
    const next = await readLoop(server);
    assert.ok(next.windowMs < reading.windowMs + 1000, 'each reading starts a new window');
  });

  it('answers a plain health check without the figures', async () => {
    const res = await fetch(`${server.url}/_openivs/health`);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });
});
