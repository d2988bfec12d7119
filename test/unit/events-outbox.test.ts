// The write side of events: rows commit with the caller's transaction (or not at all), live
// listeners hear only committed events, and sink configuration is checked.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEvents, streamStateChange, type EventOrigin, type IvsEventEnvelope } from '../../src/events/index.js';
import { createLogger } from '../../src/logging.js';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';

const log = createLogger('silent');
const origin: EventOrigin = {
  account: '000000000000',
  region: 'us-west-2',
  channelArn: 'arn:aws:ivs:us-west-2:000000000000:channel/o',
  channelName: 'o',
  streamId: 'st-o',
};
const hook = { kind: 'webhook' as const, url: 'http://127.0.0.1:9/a' };
const sinks = [
  hook,
  { kind: 'eventbridge' as const, region: 'us-west-2', eventBusName: 'default', endpoint: 'http://127.0.0.1:9' },
];

describe('event outbox', () => {
  it('writes nothing and announces nothing when the transaction throws', async () => {
    const store = await openSqliteStore({ filename: ':memory:' });
    const { outbox, live } = createEvents({ store, log, sinks });
    const heard: IvsEventEnvelope<object>[] = [];
    live.subscribe((e) => heard.push(e));
    try {
      await assert.rejects(
        outbox.transaction(store, async (tx, emit) => {
          await tx.sessions.insert({ ...origin, startTime: new Date().toISOString() });
          await emit(streamStateChange(origin, 'Session Created'), streamStateChange(origin, 'Stream Start'));
          throw new Error('state change failed');
        }),
        /state change failed/,
      );
      assert.equal(await store.outbox.pendingCount(), 0);
      assert.equal(await store.sessions.get('st-o'), undefined);
      assert.deepEqual(heard, []);

      // The same through record() inside a plain store transaction.
      await assert.rejects(
        store.transaction(async (tx) => {
          await outbox.record(tx, [streamStateChange(origin, 'Stream End')]);
          throw new Error('again');
        }),
        /again/,
      );
      assert.equal(await store.outbox.pendingCount(), 0);
    } finally {
      await store.close();
    }
  });

  it('commits one row per sink with the state change and announces after commit', async () => {
    const store = await openSqliteStore({ filename: ':memory:' });
    const { outbox, live, sinks: built } = createEvents({ store, log, sinks });
    const heard: string[] = [];
    const unsubscribe = live.subscribe((e) => heard.push((e.detail as { event_name: string }).event_name));
    try {
      const created = streamStateChange(origin, 'Session Created');
      const result = await outbox.transaction(store, async (tx, emit) => {
        await tx.sessions.insert({ ...origin, startTime: new Date().toISOString() });
        await emit(created);
        assert.deepEqual(heard, [], 'nothing is announced before commit');
        return 'done';
      });
      assert.equal(result, 'done');
      assert.deepEqual(heard, ['Session Created']);
      assert.ok(await store.sessions.get('st-o'));
      for (const sink of built) {
        const rows = await store.outbox.pendingFor(sink.name, 10);
        assert.deepEqual(
          rows.map((r) => JSON.parse(r.payload)),
          [created],
        );
      }
      assert.match(built[0]!.name, /^webhook:[0-9a-f]{16}$/);
      assert.match(built[1]!.name, /^eventbridge:[0-9a-f]{16}$/);
      assert.ok(!built[0]!.name.includes('127.0.0.1'), 'the URL itself is not stored');
      unsubscribe();
      outbox.notify([streamStateChange(origin, 'Stream Start')]);
      assert.equal(heard.length, 1, 'unsubscribed listeners hear nothing');
    } finally {
      await store.close();
    }
  });

  it('rejects two sinks with the same target and non-http webhooks', async () => {
    const store = await openSqliteStore({ filename: ':memory:' });
    try {
      assert.throws(() => createEvents({ store, log, sinks: [hook, { ...hook, secret: 'x' }] }), /same target/);
      assert.throws(() => createEvents({ store, log, sinks: [{ kind: 'webhook', url: 'file:///etc/passwd' }] }), /http/);
      const none = createEvents({ store, log, sinks: [] });
      await none.outbox.record(store, [streamStateChange(origin, 'Stream End')]);
      assert.equal(await store.outbox.pendingCount(), 0, 'no sinks, no rows');
    } finally {
      await store.close();
    }
  });
});
