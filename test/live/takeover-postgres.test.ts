// Stream takeover on a node that keeps its state in PostgreSQL (channel leases, the concurrent-broadcasts quota
// counted in the database): the backup takes over on the node holding the lease, the lease stays with that node
// through the switch, and it is released when the stream finally ends (a later publish, without any priority, is
// accepted and gets a new stream id).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateChannelCommand, GetStreamCommand, type IvsClient } from '@aws-sdk/client-ivs';
import pg from 'pg';
import { startServer, type OpenivsServer } from '../../devtools/server.js';
import { pollUntil, publish, rtmpUrl, sleep, startWebhookReceiver, type WebhookReceiver } from '../helpers/live.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';
import { ivsClient } from '../helpers/use-server.js';

const SECRET = 'takeover-cluster-secret-0123456789abcdef';

describe('stream takeover with the PostgreSQL store', { timeout: 150_000 }, () => {
  let postgres: PgServer | undefined;
  let databaseUrl = '';
  let server: OpenivsServer | undefined;
  let webhook: WebhookReceiver | undefined;
  let ivs: IvsClient | undefined;

  before(async () => {
    postgres = await startPostgres();
    databaseUrl = await postgres.createDatabase();
    webhook = await startWebhookReceiver(undefined);
    server = await startServer({
      env: { OPENIVS_DATABASE_URL: databaseUrl, OPENIVS_CLUSTER_SECRET: SECRET, OPENIVS_EVENT_WEBHOOKS: webhook.url },
    });
    ivs = ivsClient(server);
  });

  after(async () => {
    ivs?.destroy();
    await server?.stop();
    await webhook?.close();
    await postgres?.destroy();
  });

  const leaseHolders = async (channelArn: string): Promise<string[]> => {
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ node_id: string }>(
        'select node_id from channel_leases where channel_arn = $1 and node_id is not null',
        [channelArn],
      );
      return rows.map((r) => r.node_id);
    } finally {
      await db.end();
    }
  };
  const liveStreamId = async (channelArn: string): Promise<string | undefined> =>
    (await ivs!.send(new GetStreamCommand({ channelArn })).catch(() => undefined))?.stream?.streamId;

  it('the backup takes over on the lease holder; the lease is kept, then released at the end', async () => {
    const out = await ivs!.send(new CreateChannelCommand({ name: 'takeover-pg', type: 'BASIC', insecureIngest: true }));
    const arn = out.channel!.arn!;
    const key = out.streamKey!.value!;
    const nodeId = ((await (await fetch(`${server!.url}/_openivs/cluster`)).json()) as { nodeId: string }).nodeId;
    const primary = publish(rtmpUrl(server!.rtmpPort, `${key}?priority=1`), { seconds: 60 });
    let backup: ReturnType<typeof publish> | undefined;
    let later: ReturnType<typeof publish> | undefined;
    try {
      const streamId = await pollUntil('stream live', () => liveStreamId(arn), { timeoutMs: 20_000 });
      assert.deepEqual(await leaseHolders(arn), [nodeId]);

      backup = publish(rtmpUrl(server!.rtmpPort, `${key}?priority=2`), { seconds: 12 });
      await pollUntil(
        'the Stream Takeover event',
        () =>
          webhook!
            .unique()
            .some((e) => e.envelope?.detail?.stream_id === streamId && e.envelope.detail.event_name === 'Stream Takeover'),
        { timeoutMs: 20_000 },
      );
      const primaryExit = await Promise.race([primary.exited, sleep(10_000).then(() => null)]);
      assert.ok(primaryExit !== null, 'the replaced publisher was disconnected');
      assert.equal(await liveStreamId(arn), streamId, 'the same stream after the takeover');
      assert.deepEqual(await leaseHolders(arn), [nodeId], 'the lease stays with this node');

      const done = await backup.exited;
      assert.equal(done.code, 0, done.stderr);
      await pollUntil('the lease released', async () => (await leaseHolders(arn)).length === 0, { timeoutMs: 20_000 });
      await pollUntil('Stream End and Session Ended', () => webhook!.stateNames(streamId).includes('Session Ended'));
      assert.deepEqual(webhook!.stateNames(streamId).slice(-2), ['Stream End', 'Session Ended']);

      later = publish(rtmpUrl(server!.rtmpPort, key), { seconds: 30 });
      const next = await pollUntil(
        'a new stream',
        async () => {
          const id = await liveStreamId(arn);
          return id !== undefined && id !== streamId ? id : undefined;
        },
        { timeoutMs: 20_000 },
      );
      assert.notEqual(next, streamId);
    } finally {
      await primary.kill();
      await backup?.kill();
      await later?.kill();
    }
  });
});
