// The event outbox with several nodes on one real PostgreSQL: two dispatchers (two stores, as two
// processes) deliver to real HTTP webhook receivers. Each event reaches each sink exactly once when
// the receiver answers, in order per channel, never two deliveries to one sink at the same time; and
// when the node holding a sink's lane is killed (-9) mid-delivery, another node takes the lane over
// after its grant expires and sends that event again with the same event id, then the rest in order.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createEvents, type Events } from '../../src/events/index.js';
import { openPostgresStore } from '../../src/storage/postgres/index.js';
import type { Store } from '../../src/storage/store.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';

interface Received {
  path: string;
  eventId: string;
  status: number;
}

/** A webhook receiver: records every request, answers after delayMs, `answer` picks the status (undefined: never answer). */
async function receiver(delayMs: number, answer: (req: Received, nth: number) => number | undefined) {
  const log: Received[] = [];
  const inFlight = new Map<string, number>();
  let maxInFlight = 0;
  const closed: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '';
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const eventId = String(req.headers['x-openivs-event-id']);
      assert.equal(JSON.parse(Buffer.concat(chunks).toString()).id, eventId);
      inFlight.set(path, (inFlight.get(path) ?? 0) + 1);
      maxInFlight = Math.max(maxInFlight, inFlight.get(path)!);
      const entry: Received = { path, eventId, status: 0 };
      log.push(entry);
      const done = () => inFlight.set(path, inFlight.get(path)! - 1);
      const status = answer(entry, log.length);
      if (status === undefined) {
        req.socket.on('close', () => {
          done();
          closed.push(eventId);
        });
        return;
      }
      setTimeout(() => {
        entry.status = status;
        done();
        res.writeHead(status).end();
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    log,
    closed,
    get maxInFlight() {
      return maxInFlight;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

let pg: PgServer;
const stores: Store[] = [];
const dispatchers: Events[] = [];
const children: ChildProcess[] = [];

before(async () => {
  pg = await startPostgres();
});
after(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const e of dispatchers) await e.dispatcher.stop(500);
  for (const s of stores) await s.close();
  await pg?.destroy();
});

async function node(url: string): Promise<Store> {
  const store = await openPostgresStore({ url });
  stores.push(store);
  return store;
}

describe('event outbox on two nodes (PostgreSQL)', () => {
  it('delivers each event once per sink, in order per channel, one delivery per sink at a time', async (t) => {
    const url = await pg.createDatabase();
    // Every 5th request fails (HTTP 500): retries must keep the order and not duplicate successes.
    const hooks = await receiver(5, (_r, nth) => (nth % 5 === 0 ? 500 : 200));
    const sinks = [
      { kind: 'webhook' as const, url: `${hooks.url}/one` },
      { kind: 'webhook' as const, url: `${hooks.url}/two` },
    ];
    const delivered = new Map<string, number>();
    const nodes = await Promise.all(
      ['node-a', 'node-b'].map(async (name) => {
        const store = await node(url);
        // Count this node's successful deliveries from its own debug log.
        const log = pino(
          { level: 'debug' },
          {
            write: (line: string) => {
              if (JSON.parse(line).msg === 'events: delivered') delivered.set(name, (delivered.get(name) ?? 0) + 1);
            },
          },
        );
        const events = createEvents({
          store,
          log,
          sinks,
          holder: name,
          laneTtlMs: 5_000,
          pollIntervalMs: 200,
          retry: { baseDelayMs: 20, maxDelayMs: 100, jitter: 0 },
        });
        dispatchers.push(events);
        await events.dispatcher.start();
        return { store, events };
      }),
    );

    // Three channels at once; within a channel each event commits before the next, alternately on
    // either node, so the commit order per channel is the index order.
    const channels = ['ch1', 'ch2', 'ch3'];
    const perChannel = 12;
    const emitted = new Map<string, string[]>();
    await Promise.all(
      channels.map(async (channel) => {
        const ids: string[] = [];
        emitted.set(channel, ids);
        for (let i = 0; i < perChannel; i++) {
          const { store, events } = nodes[i % 2]!;
          const id = `${channel}-${i}`;
          await events.outbox.transaction(store, (_tx, emit) => emit({ id, detail: { channel, i } } as never));
          ids.push(id);
        }
      }),
    );
    const total = channels.length * perChannel;
    const succeeded = (path: string) => hooks.log.filter((r) => r.path === path && r.status === 200).map((r) => r.eventId);
    await until('every event at both sinks', () => succeeded('/one').length >= total && succeeded('/two').length >= total);
    await sleep(300); // anything duplicated would arrive now
    await until('every delivery to be marked', async () => (await nodes[0]!.store.outbox.pendingCount()) === 0, 5_000);

    for (const path of ['/one', '/two']) {
      const ids = succeeded(path);
      assert.equal(ids.length, total, `${path}: exactly once each (${ids.length} successes for ${total} events)`);
      assert.equal(new Set(ids).size, total);
      for (const channel of channels) {
        assert.deepEqual(
          ids.filter((id) => id.startsWith(`${channel}-`)),
          emitted.get(channel),
          `${path} ${channel} in order`,
        );
      }
    }
    assert.ok(
      hooks.log.some((r) => r.status === 500),
      'some attempts failed and were retried',
    );
    assert.equal(hooks.maxInFlight, 1, 'never two deliveries to one sink at once');
    assert.equal((delivered.get('node-a') ?? 0) + (delivered.get('node-b') ?? 0), 2 * total, 'each success marked once');
    // Which node holds a sink's lane is a race, and one node may hold both for the whole run (a fresh-clone CI run
    // saw node-a deliver all 72): that a second node delivers is shown by the takeover test below, not here.
    t.diagnostic(`deliveries by node: ${JSON.stringify([...delivered])}`);
    await hooks.close();
  });

  it('a node killed while delivering: another takes its lane over and resends that event, then the rest in order', async () => {
    const url = await pg.createDatabase();
    let first = true;
    // The first request is never answered: its sender dies with it in flight.
    const hook = await receiver(5, () => {
      if (!first) return 200;
      first = false;
      return undefined;
    });
    const sink = { kind: 'webhook' as const, url: `${hook.url}/hook` };
    const laneTtlMs = 2_000;
    const child = spawn(
      process.execPath,
      [new URL('./fixtures/cluster-dispatcher-node.js', import.meta.url).pathname, url, sink.url, String(laneTtlMs)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`dispatcher node exited (${code})`)));
    });

    const store = await node(url);
    const survivor = createEvents({
      store,
      log: pino({ level: 'silent' }),
      sinks: [sink],
      holder: 'survivor',
      laneTtlMs,
      pollIntervalMs: 100,
    });
    dispatchers.push(survivor);
    const ids = ['e1', 'e2', 'e3'];
    await store.outbox.enqueue(
      ids.map((id) => ({ id })),
      survivor.sinks.map((s) => s.name),
    );
    await until('the child to start delivering e1', () => hook.log.length === 1);
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await survivor.dispatcher.start();
    await until('the survivor to deliver everything', () => hook.log.filter((r) => r.status === 200).length === 3);
    const tookOver = Date.now() - killedAt;

    assert.deepEqual(
      hook.log.map((r) => r.eventId),
      ['e1', 'e1', 'e2', 'e3'],
      'e1 again (same event id), then the rest in order',
    );
    assert.deepEqual(hook.closed, ['e1'], "the dead node's request ended with its process");
    assert.equal(hook.maxInFlight, 1, 'the survivor did not send while the dead node still had its request open');
    assert.ok(tookOver < laneTtlMs + 3_000, `took over within the grant's lifetime (${tookOver} ms)`);
    // The receiver logs a 200 as it answers; the survivor marks the row delivered a moment later.
    await until('the last delivery to be marked', async () => (await store.outbox.pendingCount()) === 0, 5_000);
    await hook.close();
  });
});
