// Recording configuration lifecycle against real storage, driven with @aws-sdk/client-ivs: CREATING then ACTIVE
// when the S3 bucket (s3rver) exists, CREATE_FAILED when it does not, ACTIVE on the local-disk default; channels
// refuse a CREATE_FAILED configuration; states survive a restart; a configuration left CREATING by kill -9 is
// probed again at the next start.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CreateChannelCommand,
  CreateRecordingConfigurationCommand,
  GetRecordingConfigurationCommand,
  type IvsClient,
  ListRecordingConfigurationsCommand,
  UpdateChannelCommand,
} from '@aws-sdk/client-ivs';
import { expectError } from '../helpers/assert.js';
import { pollUntil } from '../helpers/live.js';
import { startServer, type OpenivsServer } from '../../devtools/server.js';
import { ivsClient, useServer } from '../helpers/use-server.js';

const BUCKET = 'openivs-recordings';

function createConfig(ivs: IvsClient, bucketName: string, name = '') {
  return ivs.send(new CreateRecordingConfigurationCommand({ name, destinationConfiguration: { s3: { bucketName } } }));
}

async function settledState(ivs: IvsClient, arn: string): Promise<string> {
  return pollUntil(
    `recording configuration ${arn} to leave CREATING`,
    async () => {
      const got = await ivs.send(new GetRecordingConfigurationCommand({ arn }));
      const state = got.recordingConfiguration!.state!;
      return state === 'CREATING' ? undefined : state;
    },
    { timeoutMs: 30_000 },
  );
}

/** A TCP endpoint that accepts connections and never answers: an S3 probe against it hangs. */
async function blackhole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const srv: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

describe('recording configurations on S3 (s3rver)', () => {
  const { server, ivs, s3 } = useServer({ s3Buckets: [BUCKET] });

  let activeArn = '';
  let failedArn = '';

  it('an existing bucket: CREATING at once, then ACTIVE; no probe object is left in the bucket', async () => {
    const out = await createConfig(ivs, BUCKET, 'good');
    assert.equal(out.recordingConfiguration!.state, 'CREATING');
    activeArn = out.recordingConfiguration!.arn!;
    assert.equal(await settledState(ivs, activeArn), 'ACTIVE');
    assert.deepEqual(await s3.listKeys(BUCKET), []);
  });

  it('a missing bucket: CREATE_FAILED, also in the list', async () => {
    const out = await createConfig(ivs, 'no-such-bucket', 'bad');
    assert.equal(out.recordingConfiguration!.state, 'CREATING');
    failedArn = out.recordingConfiguration!.arn!;
    assert.equal(await settledState(ivs, failedArn), 'CREATE_FAILED');
    const list = await ivs.send(new ListRecordingConfigurationsCommand({}));
    const states = new Map(list.recordingConfigurations!.map((r) => [r.arn, r.state]));
    assert.equal(states.get(activeArn), 'ACTIVE');
    assert.equal(states.get(failedArn), 'CREATE_FAILED');
  });

  it('channels accept an ACTIVE configuration and refuse a CREATE_FAILED one', async () => {
    const good = await ivs.send(new CreateChannelCommand({ name: 'rec', recordingConfigurationArn: activeArn }));
    assert.equal(good.channel!.recordingConfigurationArn, activeArn);
    const err = await expectError(
      ivs.send(new CreateChannelCommand({ name: 'nope', recordingConfigurationArn: failedArn })),
      'ValidationException',
      400,
    );
    assert.match(err.message, /CREATE_FAILED/);
    await expectError(
      ivs.send(new UpdateChannelCommand({ arn: good.channel!.arn, recordingConfigurationArn: failedArn })),
      'ValidationException',
      400,
    );
    const renamed = await ivs.send(new UpdateChannelCommand({ arn: good.channel!.arn, name: 'renamed' }));
    assert.equal(renamed.channel!.recordingConfigurationArn, activeArn);
  });

  it('states survive a restart', async () => {
    await server.restart();
    const get = (arn: string) => ivs.send(new GetRecordingConfigurationCommand({ arn }));
    assert.equal((await get(activeArn)).recordingConfiguration!.state, 'ACTIVE');
    assert.equal((await get(failedArn)).recordingConfiguration!.state, 'CREATE_FAILED');
  });

  it('a hung bucket probe does not hold up a graceful stop', async () => {
    const hole = await blackhole();
    const srv = await startServer({ env: s3.serverEnv, args: ['--s3-endpoint', hole.url, '--s3-region', 'us-east-1'] });
    try {
      const client = ivsClient(srv);
      const out = await createConfig(client, BUCKET, 'hung');
      assert.equal(out.recordingConfiguration!.state, 'CREATING');
      client.destroy();
      // The helper SIGKILLs after 10 s; a clean exit means stop() did not wait for the probe.
      assert.deepEqual(await srv.stop(), { code: 0, signal: null });
    } finally {
      await srv.stop();
      await hole.close();
    }
  });

  it('a configuration left CREATING by kill -9 is probed again at the next start', async () => {
    const hole = await blackhole();
    const first = await startServer({ env: s3.serverEnv, args: ['--s3-endpoint', hole.url, '--s3-region', 'us-east-1'] });
    let second: OpenivsServer | undefined;
    try {
      const client = ivsClient(first);
      const out = await createConfig(client, BUCKET, 'interrupted');
      const arn = out.recordingConfiguration!.arn!;
      // The probe hangs on the blackhole, so the configuration is CREATING when the process dies.
      assert.equal((await client.send(new GetRecordingConfigurationCommand({ arn }))).recordingConfiguration!.state, 'CREATING');
      client.destroy();
      await first.kill9();
      second = await startServer({ dataDir: first.dataDir, env: s3.serverEnv, args: s3.serverArgs });
      const again = ivsClient(second);
      assert.equal(await settledState(again, arn), 'ACTIVE');
      again.destroy();
    } finally {
      await second?.stop();
      await first.stop();
      await hole.close();
    }
  });
});

describe('recording configurations on local disk (the default)', () => {
  const { server, ivs } = useServer();

  it('becomes ACTIVE and gets a bucket directory under <data-dir>/recordings', async () => {
    const out = await createConfig(ivs, 'local-bucket');
    assert.equal(await settledState(ivs, out.recordingConfiguration!.arn!), 'ACTIVE');
    assert.ok(existsSync(join(server.dataDir, 'recordings', 'local-bucket')));
  });
});
