// Channel leases across nodes on one real PostgreSQL: each "node" is a store of its own (its own
// connection pool), as separate openivs processes would be. Racing acquirers get one winner, the
// concurrent-broadcasts quota holds cluster-wide, a node whose lease was taken over cannot write as
// owner, and a takeover cannot slip between an owner's check and its commit.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LeaseLostError } from '../../src/storage/errors.js';
import { openPostgresStore } from '../../src/storage/postgres/index.js';
import type { AcquireRequest, Store } from '../../src/storage/store.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';

const scope = { account: '123456789012', region: 'us-west-2' };
const arn = (id: string) => `arn:aws:ivs:${scope.region}:${scope.account}:channel/${id}`;
const req = (channel: string, nodeId: string, over: Partial<AcquireRequest> = {}): AcquireRequest => ({
  scope,
  channelArn: arn(channel),
  nodeId,
  ttlMs: 60_000,
  maxLive: 100,
  ...over,
});

let pg: PgServer;
let nodeA: Store;
let nodeB: Store;

before(async () => {
  pg = await startPostgres();
  const url = await pg.createDatabase();
  [nodeA, nodeB] = await Promise.all([openPostgresStore({ url }), openPostgresStore({ url })]);
});
after(async () => {
  await Promise.all([nodeA?.close(), nodeB?.close()]);
  await pg?.destroy();
});

describe('channel leases across nodes (PostgreSQL)', () => {
  it('nodes racing for one channel: exactly one wins, the others see it as holder', async () => {
    for (let round = 0; round < 8; round++) {
      const channel = `race${round}`;
      const racers = ['a1', 'a2', 'a3', 'b1', 'b2', 'b3'].map((node) =>
        (node.startsWith('a') ? nodeA : nodeB).channelLeases.acquire(req(channel, node)),
      );
      const results = await Promise.all(racers);
      const winners = results.filter((r) => r.ok);
      assert.equal(winners.length, 1, `round ${round}: ${JSON.stringify(results)}`);
      const winner = winners[0]!.ok ? winners[0]!.lease : undefined;
      assert.equal(winner?.epoch, 1);
      for (const r of results) {
        if (!r.ok) assert.deepEqual([r.reason, r.reason === 'held' && r.holder.nodeId], ['held', winner?.nodeId]);
      }
    }
  });

  it('the concurrent-broadcasts quota counts the whole cluster in the granting transaction', async () => {
    const limit = 3;
    const quotaScope = { account: '210987654321', region: 'eu-west-1' };
    const attempts = Array.from({ length: 16 }, (_, i) => {
      const node = i % 2 === 0 ? nodeA : nodeB;
      return node.channelLeases.acquire({
        scope: quotaScope,
        channelArn: `arn:aws:ivs:eu-west-1:210987654321:channel/q${i}`,
        nodeId: `n${i % 2}`,
        ttlMs: 60_000,
        maxLive: limit,
      });
    });
    const results = await Promise.all(attempts);
    assert.equal(results.filter((r) => r.ok).length, limit);
    assert.ok(results.every((r) => r.ok || (r.reason === 'quota' && r.live === limit)));
    assert.equal((await nodeB.channelLeases.listLive(quotaScope)).length, limit);
  });

  it('a node whose expired lease was taken over cannot write as owner', async () => {
    const owner = await nodeA.channelLeases.acquire(req('fenced', 'A', { ttlMs: 200 }));
    assert.ok(owner.ok);
    await nodeA.sessions.insert({
      streamId: 'st-fenced',
      ...scope,
      channelArn: arn('fenced'),
      startTime: new Date().toISOString(),
    });
    await sleep(400); // A stopped renewing (dead, or cut off from the database)
    const stolen = await nodeB.channelLeases.stealExpired('B', 60_000, 10);
    assert.deepEqual(
      stolen.map((s) => [s.lease.channelArn, s.lease.epoch, s.previousNodeId]),
      [[arn('fenced'), 2, 'A']],
    );
    const endTime = new Date().toISOString();
    // The old owner's write is refused and rolled back with its transaction.
    await assert.rejects(
      nodeA.transaction(async (tx) => {
        await tx.sessions.appendEvent('st-fenced', { name: 'Stream End', type: 'IVS Stream State Change', eventTime: endTime });
        await tx.channelLeases.assertHeld(owner.lease);
        await tx.sessions.update('st-fenced', { endTime });
      }),
      LeaseLostError,
    );
    const untouched = await nodeB.sessions.get('st-fenced');
    assert.deepEqual([untouched?.endTime, untouched?.doc.truncatedEvents.length], [null, 0]);
    assert.equal(await nodeA.channelLeases.renew('A', [owner.lease], 60_000).then((r) => r.length), 0);
    assert.equal(await nodeA.channelLeases.release(owner.lease), false);
    // The new owner ends the session and lets go.
    await nodeB.transaction(async (tx) => {
      await tx.channelLeases.assertHeld(stolen[0]!.lease);
      await tx.sessions.update('st-fenced', { endTime });
      assert.equal(await tx.channelLeases.release(stolen[0]!.lease), true);
    });
    assert.equal((await nodeA.sessions.get('st-fenced'))?.endTime, endTime);
    assert.equal(await nodeA.channelLeases.get(arn('fenced')), undefined);
  });

  it("a takeover waits for the owner's transaction that checked its lease", async () => {
    const owner = await nodeA.channelLeases.acquire(req('inflight', 'A', { ttlMs: 200 }));
    assert.ok(owner.ok);
    await nodeA.sessions.insert({
      streamId: 'st-inflight',
      ...scope,
      channelArn: arn('inflight'),
      startTime: new Date().toISOString(),
    });
    await sleep(400); // expired, but nobody took it yet: A may still act as owner
    const order: string[] = [];
    let checked!: () => void;
    const ownerChecked = new Promise<void>((resolve) => (checked = resolve));
    const ownerWrite = nodeA.transaction(async (tx) => {
      await tx.channelLeases.assertHeld(owner.lease);
      checked();
      await sleep(400);
      await tx.sessions.update('st-inflight', { endTime: '2026-01-01T00:00:00.000Z' });
      order.push('owner committed');
    });
    await ownerChecked;
    // A sweep for dead leases skips the row the owner holds instead of waiting for it ...
    assert.deepEqual(await nodeB.channelLeases.stealExpired('B', 60_000, 10), []);
    // ... and an acquire waits for the owner's commit before taking over.
    const takeover = nodeB.channelLeases.acquire(req('inflight', 'B')).then((r) => {
      order.push('takeover granted');
      return r;
    });
    await ownerWrite;
    const granted = await takeover;
    assert.deepEqual(order, ['owner committed', 'takeover granted']);
    assert.ok(granted.ok && granted.lease.epoch === 2 && granted.tookOverFrom === 'A');
    assert.equal((await nodeB.sessions.get('st-inflight'))?.endTime, '2026-01-01T00:00:00.000Z');
    await assert.rejects(nodeA.channelLeases.assertHeld(owner.lease), LeaseLostError);
  });
});
