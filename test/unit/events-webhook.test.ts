// Webhook delivery end to end: a real node:http receiver on 127.0.0.1, the SQLite outbox and the
// dispatcher. Covers order and payload, HMAC signatures, retries after 5xx (FIFO held), no
// redirects, and delivery resuming from the store after a restart.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEvents, streamStateChange, verifyWebhookSignature, type EventOrigin } from '../../src/events/index.js';
import { createLogger } from '../../src/logging.js';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import type { Store } from '../../src/storage/store.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
type Responder = (req: Received, index: number, res: ServerResponse) => void;

/** A webhook receiver recording every request; respond decides each answer (default 200). */
async function receiver(respond: Responder = (_r, _i, res) => res.end('ok')) {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req
      .setEncoding('utf8')
      .on('data', (c: string) => (body += c))
      .on('end', () => {
        const r = { path: req.url ?? '', headers: req.headers, body };
        requests.push(r);
        respond(r, requests.length - 1, res);
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?token=t`;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url, requests, close };
}

async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const dirs: string[] = [];
async function tempStore(): Promise<{ dir: string; store: Store }> {
  const dir = await mkdtemp(join(tmpdir(), 'openivs-events-'));
  dirs.push(dir);
  return { dir, store: await openSqliteStore({ dataDir: dir }) };
}
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const log = createLogger('silent');
const fast = { baseDelayMs: 20, maxDelayMs: 100, jitter: 0 };
const origin: EventOrigin = {
  account: '000000000000',
  region: 'us-west-2',
  channelArn: 'arn:aws:ivs:us-west-2:000000000000:channel/abc',
  channelName: 'demo',
  streamId: 'st-abc',
};
const lifecycle = () =>
  (['Session Created', 'Stream Start', 'Stream End', 'Session Ended'] as const).map((name) => streamStateChange(origin, name));
const names = (reqs: Received[]) => reqs.map((r) => (JSON.parse(r.body) as { detail: { event_name: string } }).detail.event_name);

describe('webhook sink', () => {
  it('delivers a session lifecycle in order, signed, with the exact envelope', async () => {
    const rx = await receiver();
    const { store } = await tempStore();
    const { outbox, dispatcher } = createEvents({
      store,
      log,
      retry: fast,
      sinks: [{ kind: 'webhook', url: rx.url, secret: 's3cret' }],
    });
    await dispatcher.start();
    try {
      const events = lifecycle();
      await outbox.transaction(store, (_tx, emit) => emit(...events));
      await waitFor(() => rx.requests.length === 4, '4 deliveries');
      assert.deepEqual(names(rx.requests), ['Session Created', 'Stream Start', 'Stream End', 'Session Ended']);
      rx.requests.forEach((r, i) => {
        assert.equal(r.path, '/hook?token=t');
        assert.equal(r.headers['content-type'], 'application/json');
        assert.deepEqual(JSON.parse(r.body), events[i]);
        assert.equal(r.headers['x-openivs-event-id'], events[i]!.id);
        const headers = {
          timestamp: r.headers['x-openivs-timestamp'] as string,
          signature: r.headers['x-openivs-signature'] as string,
        };
        assert.match(headers.signature, /^sha256=[0-9a-f]{64}$/);
        assert.ok(verifyWebhookSignature('s3cret', headers, r.body), 'signature verifies');
      });
      await waitFor(async () => (await store.outbox.pendingCount()) === 0, 'rows marked delivered');
    } finally {
      await dispatcher.stop();
      await store.close();
      await rx.close();
    }
  });

  it('retries after 500s with backoff, delivers once, and holds later events behind', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const rx = await receiver((_r, i, res) => {
      if (i < 2) return void res.writeHead(500).end('try later');
      // Hold the third try so the test can look at the row between the failures and the success.
      if (i === 2) return void released.then(() => res.end('ok'));
      res.end('ok');
    });
    const { store } = await tempStore();
    const { outbox, dispatcher, sinks } = createEvents({ store, log, retry: fast, sinks: [{ kind: 'webhook', url: rx.url }] });
    await dispatcher.start();
    try {
      const [first, second] = lifecycle();
      await outbox.transaction(store, (_tx, emit) => emit(first!, second!));
      await waitFor(() => rx.requests.length === 3, 'the third try');
      const [head] = await store.outbox.pendingFor(sinks[0]!.name, 1);
      assert.equal(head?.eventId, first!.id);
      assert.equal(head?.attempts, 2);
      assert.match(head?.lastError ?? '', /answered 500: try later/);
      release();
      await waitFor(async () => (await store.outbox.pendingCount()) === 0, 'delivery after retries');
      await sleep(100);
      const ids = rx.requests.map((r) => r.headers['x-openivs-event-id']);
      assert.deepEqual(ids, [first!.id, first!.id, first!.id, second!.id], 'three tries of the first, then the second');
      assert.equal(rx.requests[0]!.headers['x-openivs-signature'], undefined, 'no secret, no signature');
    } finally {
      await dispatcher.stop();
      await store.close();
      await rx.close();
    }
  });

  it('does not follow redirects and retries timeouts', async () => {
    const rx = await receiver((r, i, res) => {
      if (r.path !== '/hook?token=t') return void res.end('wrong place');
      if (i === 0) return void res.writeHead(302, { location: '/elsewhere' }).end();
      if (i === 1) return void setTimeout(() => res.end('too late'), 500);
      res.end('ok');
    });
    const { store } = await tempStore();
    const { outbox, dispatcher } = createEvents({
      store,
      log,
      retry: fast,
      sinks: [{ kind: 'webhook', url: rx.url, timeoutMs: 100 }],
    });
    await dispatcher.start();
    try {
      const [event] = lifecycle();
      await outbox.record(store, [event!]);
      outbox.notify([event!]);
      await waitFor(async () => (await store.outbox.pendingCount()) === 0, 'delivery');
      assert.deepEqual(
        rx.requests.map((r) => r.path),
        ['/hook?token=t', '/hook?token=t', '/hook?token=t'],
      );
    } finally {
      await dispatcher.stop();
      await store.close();
      await rx.close();
    }
  });

  it('resumes pending deliveries from the store after a restart', async () => {
    let answering = false;
    const rx = await receiver((_r, _i, res) => {
      // Until the restart, hang: the delivery is in flight when the first dispatcher stops.
      if (answering) res.end('ok');
    });
    const { dir, store } = await tempStore();
    const sinks = [{ kind: 'webhook' as const, url: rx.url, secret: 'k' }];
    const first = createEvents({ store, log, retry: fast, sinks });
    await first.dispatcher.start();
    const events = lifecycle();
    await first.outbox.transaction(store, (_tx, emit) => emit(...events));
    await waitFor(() => rx.requests.length === 1, 'the first attempt');
    await first.dispatcher.stop(50);
    assert.equal(await store.outbox.pendingCount(), 4, 'nothing was lost or marked');
    await store.close();

    answering = true;
    const reopened = await openSqliteStore({ dataDir: dir });
    const second = createEvents({ store: reopened, log, retry: fast, sinks });
    await second.dispatcher.start();
    try {
      await waitFor(async () => (await reopened.outbox.pendingCount()) === 0, 'delivery after restart');
      const delivered = rx.requests.slice(1);
      assert.deepEqual(
        delivered.map((r) => r.headers['x-openivs-event-id']),
        events.map((e) => e.id),
      );
      assert.deepEqual(names(delivered), ['Session Created', 'Stream Start', 'Stream End', 'Session Ended']);
    } finally {
      await second.dispatcher.stop();
      await reopened.close();
      await rx.close();
    }
  });
});
