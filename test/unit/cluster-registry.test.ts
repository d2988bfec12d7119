// The node registry on a real PostgreSQL with two nodes (two stores, as two processes would have):
// heartbeats make each node visible to the other with its stats, keep its leases alive, and stop when
// the node dies, after which it is reported dead and its leases can be taken over; a lease taken over
// is reported to its old holder; a restarted node releases what its previous run held. Also the node
// id kept in the data directory, and GET /_openivs/cluster's access rules with a real SigV4 verifier.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CredentialStore, SigV4Verifier } from '../../src/api/auth/index.js';
import { CLUSTER_PATH, clusterInfo, type ClusterEndpointDeps } from '../../src/cluster/endpoint.js';
import { loadNodeId, NODE_ID_FILE } from '../../src/cluster/node-id.js';
import { NodeRegistry, type NodeRegistryOptions } from '../../src/cluster/node-registry.js';
import { pino } from 'pino';
import { createLogger } from '../../src/logging.js';
import { StoreUnavailableError } from '../../src/storage/errors.js';
import { openPostgresStore } from '../../src/storage/postgres/index.js';
import type { LeaseRef, Store } from '../../src/storage/store.js';
import { signHeaders } from '../helpers/http.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';

const log = createLogger('silent');
const scope = { account: '123456789012', region: 'us-west-2' };
const arn = (id: string) => `arn:aws:ivs:${scope.region}:${scope.account}:channel/${id}`;

let pg: PgServer;
let url: string;
const stores: Store[] = [];
const registries: NodeRegistry[] = [];

async function node(): Promise<Store> {
  const store = await openPostgresStore({ url });
  stores.push(store);
  return store;
}
function registry(opts: Partial<NodeRegistryOptions> & Pick<NodeRegistryOptions, 'store' | 'nodeId'>): NodeRegistry {
  const r = new NodeRegistry({
    url: `http://${opts.nodeId}.internal:8080`,
    log,
    heartbeatMs: 100,
    deadAfterMs: 800,
    stats: () => ({ liveStreams: 0, freeTranscodeSlots: 0 }),
    ...opts,
  });
  registries.push(r);
  return r;
}

before(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase();
});
after(async () => {
  for (const r of registries) await r.stop().catch(() => undefined);
  for (const s of stores) await s.close().catch(() => undefined);
  await pg?.destroy();
});

describe('node registry (PostgreSQL)', () => {
  it('nodes see each other with their stats; a dead node is reported dead and its leases can be taken over', async () => {
    const [storeA, storeB] = [await node(), await node()];
    let streams = 1;
    const held: LeaseRef[] = [];
    // Generous bounds: a heartbeat delayed by a busy machine must not look like a death.
    const timing = { heartbeatMs: 200, deadAfterMs: 2_000 };
    const a = registry({
      store: storeA,
      nodeId: 'node-a',
      stats: () => ({ liveStreams: streams, freeTranscodeSlots: 2 }),
      heldLeases: () => held,
      ...timing,
    });
    const b = registry({ store: storeB, nodeId: 'node-b', ...timing });
    assert.deepEqual(await a.start(), []);
    await b.start();
    const lease = await storeA.channelLeases.acquire({
      scope,
      channelArn: arn('live'),
      nodeId: 'node-a',
      ttlMs: a.deadAfterMs,
      maxLive: 10,
    });
    assert.ok(lease.ok);
    held.push(lease.lease);
    await sleep(2_500); // longer than the lease's 2 s: only the heartbeats keep it
    streams = 3;
    await sleep(500);
    const seen = await b.list();
    assert.deepEqual(
      seen.map((n) => [n.nodeId, n.self, n.alive, n.url]),
      [
        ['node-a', false, true, 'http://node-a.internal:8080'],
        ['node-b', true, true, 'http://node-b.internal:8080'],
      ],
    );
    const viewA = seen[0]!;
    assert.deepEqual([viewA.liveStreams, viewA.freeTranscodeSlots], [3, 2]);
    assert.ok(viewA.ageMs < 2_000, `age ${viewA.ageMs}`);
    assert.ok(Date.parse(viewA.lastHeartbeat) > Date.parse(viewA.startedAt));
    assert.deepEqual(await storeB.channelLeases.stealExpired('node-b', 60_000, 10), [], 'renewed by the heartbeats');

    // node-a dies: its process can no longer reach the database.
    await storeA.close();
    await sleep(2_300);
    const afterDeath = await b.list();
    const deadA = afterDeath.find((n) => n.nodeId === 'node-a')!;
    assert.equal(deadA.alive, false);
    assert.ok(deadA.ageMs >= 2_000);
    assert.deepEqual(
      (await b.aliveNodes()).map((n) => n.nodeId),
      ['node-b'],
    );
    const taken = await storeB.channelLeases.stealExpired('node-b', 60_000, 10);
    assert.deepEqual(
      taken.map((t) => [t.lease.channelArn, t.previousNodeId, t.lease.epoch]),
      [[arn('live'), 'node-a', 2]],
    );
    await storeB.channelLeases.release(taken[0]!.lease);

    // A clean stop removes the node from the list.
    await b.stop();
    assert.deepEqual(
      (await storeB.nodes.list()).map((n) => n.nodeId),
      ['node-a'],
    );
  });

  it('reports leases taken over by another node, and a restart releases what the last run held', async () => {
    const [storeA, storeB] = [await node(), await node()];
    const first = await storeA.channelLeases.acquire({
      scope,
      channelArn: arn('lost'),
      nodeId: 'node-c',
      ttlMs: 100,
      maxLive: 10,
    });
    assert.ok(first.ok);
    await sleep(300); // node-c was cut off long enough for its lease to expire ...
    const other = await storeB.channelLeases.acquire({
      scope,
      channelArn: arn('lost'),
      nodeId: 'node-d',
      ttlMs: 60_000,
      maxLive: 10,
    });
    assert.ok(other.ok && other.tookOverFrom === 'node-c');
    // ... and when its heartbeats resume, it learns it no longer owns the channel.
    const lost: LeaseRef[][] = [];
    const c = registry({ store: storeA, nodeId: 'node-c', heldLeases: () => [first.lease], onLeasesLost: (l) => lost.push(l) });
    await c.start();
    assert.deepEqual(lost, [[first.lease]]);
    assert.equal((await storeA.channelLeases.get(arn('lost')))?.nodeId, 'node-d', 'the new owner keeps it');

    // node-e crashed holding a lease; its next run finds and releases it.
    const held = await storeA.channelLeases.acquire({
      scope,
      channelArn: arn('crashed'),
      nodeId: 'node-e',
      ttlMs: 60_000,
      maxLive: 10,
    });
    assert.ok(held.ok);
    const restarted = registry({ store: storeB, nodeId: 'node-e' });
    const leftOver = await restarted.start();
    assert.deepEqual(
      leftOver.map((l) => [l.channelArn, l.nodeId, l.epoch]),
      [[arn('crashed'), 'node-e', 1]],
    );
    assert.equal(await storeA.channelLeases.get(arn('crashed')), undefined);
  });

  it('keeps beating through a PostgreSQL outage and recovers by itself', async () => {
    const store = await node();
    const lines: string[] = [];
    const watched = registry({
      store,
      nodeId: 'node-f',
      deadAfterMs: 60_000,
      log: pino({ level: 'info' }, { write: (line: string) => lines.push(line) }),
    });
    await watched.start();
    await pg.stop();
    await sleep(500);
    await pg.start();
    await sleep(600);
    const me = (await watched.list()).find((n) => n.nodeId === 'node-f');
    assert.ok(me && me.alive && me.ageMs < 500, `beating again after the outage: ${JSON.stringify(me)}`);
    const messages = lines.map((l) => JSON.parse(l).msg as string);
    assert.deepEqual(
      messages.filter((m) => m.startsWith('cluster:')),
      ['cluster: heartbeat failed; retrying', 'cluster: heartbeats succeed again'],
      'one line when beats start failing, one when they succeed again',
    );
  });
});

describe('node id', () => {
  it('is created once in the data directory and kept across restarts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'openivs-nodeid-'));
    try {
      const id = loadNodeId(join(dir, 'nested'));
      assert.match(id, /^node-[0-9a-f]{12}$/);
      assert.equal(loadNodeId(join(dir, 'nested')), id);
      assert.notEqual(loadNodeId(dir), id, 'another data directory is another node');
      writeFileSync(join(dir, NODE_ID_FILE), 'garbage\n');
      assert.throws(() => loadNodeId(dir), /does not hold a node id/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('GET /_openivs/cluster', () => {
  const verifier = new SigV4Verifier(
    new CredentialStore([{ accessKeyId: 'op', secretAccessKey: 'op-secret', accountId: '000000000000' }]),
    { service: 'ivs', clockSkewMs: 300_000 },
  );
  const nodes = [
    {
      nodeId: 'node-1',
      url: 'http://n1:8080',
      self: true,
      alive: true,
      ageMs: 10,
      startedAt: '2026-01-01T00:00:00.000Z',
      lastHeartbeat: '2026-01-01T00:00:01.000Z',
      liveStreams: 1,
      freeTranscodeSlots: 2,
    },
  ];
  const deps: ClusterEndpointDeps = { nodeId: 'node-1', list: async () => nodes, verifySigned: (r) => verifier.verify(r) };
  const signed = (secretAccessKey: string) =>
    signHeaders({ port: 8080 }, { method: 'GET', path: CLUSTER_PATH }, { accessKeyId: 'op', secretAccessKey });

  it('answers loopback callers and SigV4-signed requests, and refuses others', async () => {
    const fromLoopback = await clusterInfo(deps, { method: 'GET', rawQuery: '', headers: {}, remoteAddress: '127.0.0.1' });
    assert.equal(fromLoopback.status, 200);
    assert.deepEqual(JSON.parse(fromLoopback.body), { nodeId: 'node-1', nodes });
    const v6 = await clusterInfo(deps, { method: 'GET', rawQuery: '', headers: {}, remoteAddress: '::ffff:127.0.0.1' });
    assert.equal(v6.status, 200);

    const anonymous = await clusterInfo(deps, {
      method: 'GET',
      rawQuery: '',
      headers: { host: '127.0.0.1:8080' },
      remoteAddress: '192.0.2.7',
    });
    assert.equal(anonymous.status, 403);
    assert.equal(anonymous.headers['x-amzn-ErrorType'], 'MissingAuthenticationTokenException');
    assert.ok(!anonymous.body.includes('node-1'));

    const good = await clusterInfo(deps, {
      method: 'GET',
      rawQuery: '',
      headers: await signed('op-secret'),
      remoteAddress: '192.0.2.7',
    });
    assert.equal(good.status, 200);
    assert.equal(JSON.parse(good.body).nodes[0].url, 'http://n1:8080');

    const wrong = await clusterInfo(deps, {
      method: 'GET',
      rawQuery: '',
      headers: await signed('not-the-secret'),
      remoteAddress: '192.0.2.7',
    });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.headers['x-amzn-ErrorType'], 'InvalidSignatureException');

    const post = await clusterInfo(deps, { method: 'POST', rawQuery: '', headers: {}, remoteAddress: '127.0.0.1' });
    assert.equal(post.status, 405);
  });

  it('answers a retryable InternalServerException when the node list cannot be read', async () => {
    const down: ClusterEndpointDeps = {
      ...deps,
      list: () => Promise.reject(new StoreUnavailableError('The database is unavailable. Please retry your request.')),
    };
    const answer = await clusterInfo(down, { method: 'GET', rawQuery: '', headers: {}, remoteAddress: '127.0.0.1' });
    assert.equal(answer.status, 500);
    assert.equal(answer.headers['x-amzn-ErrorType'], 'InternalServerException');
    assert.match(JSON.parse(answer.body).message, /database is unavailable/);
  });
});
