// A PostgreSQL outage under a running openivs: while the database is down (stopped for ~10 s), every
// API call answers IVS's InternalServerException (HTTP 500, JSON error shape, which the AWS SDK retries)
// with a message saying the database is unavailable, the server stays up and healthy, and the outage
// is logged once, not per request; when PostgreSQL is back the same process serves again by itself,
// with no session left stuck inside a transaction.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateChannelCommand, GetChannelCommand, IvsClient, ListChannelsCommand } from '@aws-sdk/client-ivs';
import { callOperation } from '../helpers/http.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';
import { startServer, type OpenivsServer as TestServer } from '../../devtools/server.js';
import { ivsClient } from '../helpers/use-server.js';

/** Nodes on PostgreSQL need the cluster secret (node-to-node requests). */
const CLUSTER_SECRET = 'test-cluster-secret-0123456789abcdef';

let pg: PgServer;
let server: TestServer | undefined;

before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await server?.stop();
  await pg?.destroy();
});

describe('openivs on PostgreSQL: outage', () => {
  it('answers a clean retryable 5xx while PostgreSQL is down and recovers without a restart', async () => {
    const url = await pg.createDatabase({ user: 'outage_user' });
    server = await startServer({
      env: { OPENIVS_CLUSTER_SECRET: CLUSTER_SECRET, OPENIVS_DATABASE_URL: url },
      args: ['--log-level', 'info'],
    });
    const pid = server.proc.pid;
    const ivs = ivsClient(server);
    const arn = (await ivs.send(new CreateChannelCommand({ name: 'before' }))).channel!.arn!;

    await pg.stop();
    const outageStarted = Date.now();
    let calls = 0;
    while (Date.now() - outageStarted < 10_000) {
      await assert.rejects(
        ivs.send(new GetChannelCommand({ arn })),
        (err: Error & { $metadata?: { httpStatusCode?: number }; $fault?: string }) => {
          assert.equal(err.name, 'InternalServerException');
          assert.equal(err.$metadata?.httpStatusCode, 500);
          assert.equal(err.$fault, 'server');
          assert.equal(err.message, 'The database is unavailable. Please retry your request.');
          return true;
        },
      );
      await assert.rejects(ivs.send(new CreateChannelCommand({ name: 'during' })), { name: 'InternalServerException' });
      const raw = await callOperation(server, 'ListChannels', {});
      assert.equal(raw.status, 500);
      assert.equal(raw.headers['x-amzn-errortype'], 'InternalServerException');
      assert.equal(raw.json().message, 'The database is unavailable. Please retry your request.');
      const health: Response = await fetch(`${server.url}/_openivs/health`);
      assert.equal(health.status, 200, 'the server itself stays up');
      calls++;
      await sleep(500);
    }
    assert.ok(calls >= 5);
    // The SDK's standard retry strategy treats the answer as retryable (it tries again).
    const retrying = new IvsClient({
      endpoint: server.url,
      region: 'us-west-2',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 2,
    });
    await assert.rejects(retrying.send(new GetChannelCommand({ arn })), (err: Error & { $metadata?: { attempts?: number } }) => {
      assert.equal(err.$metadata?.attempts, 2);
      return true;
    });

    await pg.start();
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        assert.equal((await ivs.send(new GetChannelCommand({ arn }))).channel?.name, 'before');
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(200);
      }
    }
    await ivs.send(new CreateChannelCommand({ name: 'after' }));
    assert.deepEqual((await ivs.send(new ListChannelsCommand({}))).channels?.map((c) => c.name).sort(), ['after', 'before']);
    assert.equal(server.proc.pid, pid, 'the same process');
    assert.equal(server.proc.exitCode, null);

    const stuck = await pg.query(
      "select count(*)::int as n from pg_stat_activity where usename = 'outage_user' and state like 'idle in transaction%'",
    );
    assert.equal(stuck.rows[0]!.n, 0, 'no session left inside a transaction');
    const logs = server.logs();
    assert.equal(logs.split('\n').filter((l) => l.includes('PostgreSQL is unavailable')).length, 1, 'the outage is logged once');
    assert.equal(logs.split('\n').filter((l) => l.includes('PostgreSQL is reachable again')).length, 1);
    assert.ok(!/\n\s+at /.test(logs), 'no stack traces in the log');
  });
});
