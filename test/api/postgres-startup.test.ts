// openivs on a real PostgreSQL, as a user runs it (the built server, `--database-url` or
// OPENIVS_DATABASE_URL, the AWS SDK): every way the database can be unusable at start stops the
// server with exactly one line naming the problem (no stack, no password); two nodes started at the
// same moment on a fresh database both come up (migrations under a lock), serve the same resources,
// enforce quotas across each other and list each other at /_openivs/cluster.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import {
  CreateChannelCommand,
  DeleteChannelCommand,
  GetChannelCommand,
  ListChannelsCommand,
  type IvsClient,
} from '@aws-sdk/client-ivs';
import pgDriver from 'pg';
import { signHeaders } from '../helpers/http.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';
import { freePort, startServer, type StartOptions, type OpenivsServer as TestServer } from '../../devtools/server.js';
import { ivsClient } from '../helpers/use-server.js';

/** Nodes on PostgreSQL need the cluster secret (node-to-node requests). */
const CLUSTER_SECRET = 'test-cluster-secret-0123456789abcdef';

let pg: PgServer;
const servers: TestServer[] = [];

before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await pg?.destroy();
});

/** Starts a server expected to fail; returns everything it printed. */
async function failedStart(opts: StartOptions): Promise<string> {
  try {
    servers.push(await startServer(opts));
  } catch (err) {
    const message = (err as Error).message;
    assert.match(message, /exited before becoming healthy \(code 1, signal null\)/);
    return message.slice(message.indexOf('--- server output ---\n') + '--- server output ---\n'.length);
  }
  assert.fail('the server started');
}

function assertOneLine(output: string, pattern: RegExp, secret: string): void {
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `exactly one line, got:\n${output}`);
  assert.match(lines[0]!, /^openivs: /);
  assert.match(lines[0]!, pattern);
  assert.ok(!output.includes(secret), 'the password is not printed');
}

describe('openivs on PostgreSQL: start-up', () => {
  it('stops with one line for a malformed URL, an unknown scheme, a refused connection, a missing database and a bad password', async () => {
    const url = new URL(await pg.createDatabase({ password: 'right-pass-1' }));
    const closedPort = await freePort();
    const cases: Array<{ what: string; opts: StartOptions; pattern: RegExp }> = [
      {
        what: 'malformed URL',
        opts: {
          env: {
            OPENIVS_CLUSTER_SECRET: CLUSTER_SECRET,
            OPENIVS_DATABASE_URL: `postgres://${url.username}:right-pass-1@127.0.0.1:notaport/db`,
          },
        },
        pattern: /database URL is not a valid URL \(expected postgres:\/\/USER:PASSWORD@HOST:PORT\/DATABASE\)$/,
      },
      {
        what: 'unknown scheme',
        opts: {
          env: { OPENIVS_CLUSTER_SECRET: CLUSTER_SECRET, OPENIVS_DATABASE_URL: 'mysql://root:right-pass-1@127.0.0.1/openivs' },
        },
        pattern: /database URL: unsupported scheme "mysql"/,
      },
      {
        what: 'refused connection (flag)',
        opts: {
          env: { OPENIVS_CLUSTER_SECRET: CLUSTER_SECRET },
          args: ['--database-url', `postgres://${url.username}:right-pass-1@127.0.0.1:${closedPort}/x`],
        },
        pattern: new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${closedPort}/x: connection refused`),
      },
      {
        what: 'missing database',
        opts: {
          env: {
            OPENIVS_CLUSTER_SECRET: CLUSTER_SECRET,
            OPENIVS_DATABASE_URL: `postgres://${url.username}:right-pass-1@127.0.0.1:${pg.port}/no_such_db`,
          },
        },
        pattern: /database "no_such_db" does not exist/,
      },
      {
        what: 'bad password',
        opts: {
          env: {
            OPENIVS_CLUSTER_SECRET: CLUSTER_SECRET,
            OPENIVS_DATABASE_URL: `postgres://${url.username}:wrong-pass-2@127.0.0.1:${pg.port}${url.pathname}`,
          },
        },
        pattern: new RegExp(`password authentication failed for user "${url.username}"`),
      },
    ];
    for (const c of cases) {
      const output = await failedStart(c.opts);
      assertOneLine(output, c.pattern, c.what === 'bad password' ? 'wrong-pass-2' : 'right-pass-1');
    }
  });

  describe('two nodes on one database', () => {
    let a: TestServer;
    let b: TestServer;
    let ivsA: IvsClient;
    let ivsB: IvsClient;
    let url: string;

    before(async () => {
      url = await pg.createDatabase();
      // Started at the same moment on an empty database: one migrates, the other waits for it.
      const env = { OPENIVS_CLUSTER_SECRET: CLUSTER_SECRET, OPENIVS_DATABASE_URL: url };
      const args = ['--quota-channels', '3'];
      [a, b] = await Promise.all([startServer({ env, args }), startServer({ env, args })]);
      servers.push(a, b);
      ivsA = ivsClient(a);
      ivsB = ivsClient(b);
    });

    it('migrated once, and each node serves what the other wrote', async () => {
      const applied = await queryIn(url, 'select name from kysely_migration order by name');
      assert.deepEqual(applied, [
        '0001_resources',
        '0002_sessions_outbox',
        '0003_viewer_revocations',
        '0004_cluster',
        '0005_ad_configurations',
      ]);

      const created = await ivsA.send(new CreateChannelCommand({ name: 'shared', type: 'BASIC' }));
      const arn = created.channel!.arn!;
      assert.equal((await ivsB.send(new GetChannelCommand({ arn }))).channel?.name, 'shared');
      assert.deepEqual(
        (await ivsB.send(new ListChannelsCommand({}))).channels?.map((c) => c.arn),
        [arn],
      );
      await ivsB.send(new DeleteChannelCommand({ arn }));
      await assert.rejects(ivsA.send(new GetChannelCommand({ arn })), { name: 'ResourceNotFoundException' });
    });

    it('holds the channels quota across nodes', async () => {
      const attempts = Array.from({ length: 8 }, (_, i) =>
        (i % 2 === 0 ? ivsA : ivsB).send(new CreateChannelCommand({ name: `q${i}` })),
      );
      const results = await Promise.allSettled(attempts);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
      for (const r of results) {
        if (r.status === 'rejected') assert.equal((r.reason as Error).name, 'ServiceQuotaExceededException');
      }
      assert.equal((await ivsA.send(new ListChannelsCommand({}))).channels?.length, 3);
    });

    it('lists both nodes at /_openivs/cluster', async () => {
      const res = await fetch(`${a.url}/_openivs/cluster`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as {
        nodeId: string;
        nodes: Array<{ nodeId: string; url: string; alive: boolean; self: boolean; ageMs: number }>;
      };
      assert.match(body.nodeId, /^node-[0-9a-f]{12}$/);
      assert.deepEqual(body.nodes.map((n) => n.url).sort(), [a.url, b.url].sort());
      assert.ok(body.nodes.every((n) => n.alive && n.ageMs < 8_000));
      assert.deepEqual(
        body.nodes.filter((n) => n.self).map((n) => n.nodeId),
        [body.nodeId],
      );
      const fromB = (await (await fetch(`${b.url}/_openivs/cluster`)).json()) as { nodeId: string };
      assert.notEqual(fromB.nodeId, body.nodeId, 'each data directory is its own node');
    });
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i?.family === 'IPv4' && !i.internal)?.address;
  it(
    'from a non-loopback address, /_openivs/cluster wants a SigV4 signature',
    { skip: external === undefined && 'no non-loopback IPv4 address' },
    async () => {
      const url = await pg.createDatabase();
      const server = await startServer({
        env: { OPENIVS_CLUSTER_SECRET: CLUSTER_SECRET, OPENIVS_DATABASE_URL: url },
        args: ['--bind', '0.0.0.0'],
      });
      servers.push(server);
      const get = (headers: Record<string, string>) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = request({ host: external, port: server.port, path: '/_openivs/cluster', headers }, (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          });
          req.on('error', reject);
          req.end();
        });
      const host = `${external}:${server.port}`;
      const anonymous = await get({ host });
      assert.equal(anonymous.status, 403);
      assert.ok(!anonymous.body.includes('node-'), 'nothing about the nodes');
      const headers = await signHeaders({ port: server.port }, { method: 'GET', path: '/_openivs/cluster', headers: { host } });
      const signed = await get(headers);
      assert.equal(signed.status, 200, signed.body);
      assert.equal(JSON.parse(signed.body).nodes.length, 1);
    },
  );
});

async function queryIn(url: string, text: string): Promise<string[]> {
  const client = new pgDriver.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ name: string }>(text)).rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}
