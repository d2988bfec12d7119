// EventBridge sink against a small local server speaking the EventBridge JSON 1.1 protocol
// (x-amz-target: AWSEvents.PutEvents), driven by the real AWS SDK client through the dispatcher.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEvents, limitBreach, streamStateChange, type EventOrigin } from '../../src/events/index.js';
import { createLogger } from '../../src/logging.js';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';

interface PutEventsEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  Resources: string[];
  Time: number;
  EventBusName: string;
}
interface Call {
  headers: IncomingHttpHeaders;
  entries: PutEventsEntry[];
}

/** Accepts PutEvents; the first `failFirst` calls report their entry as failed. */
async function fakeEventBridge(failFirst = 0) {
  const calls: Call[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req
      .setEncoding('utf8')
      .on('data', (c: string) => (body += c))
      .on('end', () => {
        const entries = (JSON.parse(body) as { Entries: PutEventsEntry[] }).Entries;
        calls.push({ headers: req.headers, entries });
        const fail = calls.length <= failFirst;
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify(
            fail
              ? { FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] }
              : { FailedEntryCount: 0, Entries: entries.map((_e, i) => ({ EventId: `eb-${calls.length}-${i}` })) },
          ),
        );
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { endpoint, calls, close };
}

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const origin: EventOrigin = {
  account: '000000000000',
  region: 'eu-west-1',
  channelArn: 'arn:aws:ivs:eu-west-1:000000000000:channel/eb',
  channelName: 'eb',
  streamId: 'st-eb',
};

describe('EventBridge sink', () => {
  it('sends signed PutEvents entries in order and retries a failed entry', async () => {
    const eb = await fakeEventBridge(1);
    const dir = await mkdtemp(join(tmpdir(), 'openivs-eb-'));
    dirs.push(dir);
    const store = await openSqliteStore({ dataDir: dir });
    const { outbox, dispatcher } = createEvents({
      store,
      log: createLogger('silent'),
      retry: { baseDelayMs: 20, maxDelayMs: 50, jitter: 0 },
      sinks: [
        {
          kind: 'eventbridge',
          endpoint: eb.endpoint,
          region: 'eu-west-1',
          eventBusName: 'openivs-bus',
          credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
        },
      ],
    });
    await dispatcher.start();
    try {
      const events = [
        streamStateChange(origin, 'Stream Start'),
        limitBreach(origin, { name: 'Ingest Bitrate', value: 8.5, exceededBy: 0.5, unit: 'Mbps' }),
      ];
      await outbox.transaction(store, (_tx, emit) => emit(...events));
      const end = Date.now() + 5000;
      while ((await store.outbox.pendingCount()) > 0 && Date.now() < end) await sleep(10);
      assert.equal(await store.outbox.pendingCount(), 0);

      assert.equal(eb.calls.length, 3, 'one failed call, its retry, then the second event');
      for (const call of eb.calls) {
        assert.equal(call.headers['x-amz-target'], 'AWSEvents.PutEvents');
        assert.equal(call.headers['content-type'], 'application/x-amz-json-1.1');
        assert.match(
          String(call.headers.authorization),
          /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-1\/events\/aws4_request/,
        );
        assert.equal(call.entries.length, 1);
      }
      const sent = eb.calls.map((c) => c.entries[0]!);
      assert.deepEqual(sent[0], sent[1], 'the retry repeats the same entry');
      sent.slice(1).forEach((entry, i) => {
        const env = events[i]!;
        assert.equal(entry.Source, 'aws.ivs');
        assert.equal(entry.DetailType, env['detail-type']);
        assert.deepEqual(JSON.parse(entry.Detail), env.detail);
        assert.equal(entry.EventBusName, 'openivs-bus');
        assert.deepEqual(entry.Resources, [origin.channelArn]);
        assert.equal(entry.Time, Date.parse(env.time) / 1000, 'JSON 1.1 sends timestamps as epoch seconds');
      });
    } finally {
      await dispatcher.stop();
      await store.close();
      await eb.close();
    }
  });
});
