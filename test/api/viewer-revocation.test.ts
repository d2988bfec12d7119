// StartViewerSessionRevocation and BatchStartViewerSessionRevocation with the real SDK: success,
// unknown and foreign channels (404, or per-item errors in the batch), the model's validation, and
// revocations surviving a kill -9 (read back from the data directory with the Store itself).

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchStartViewerSessionRevocationCommand,
  CreateChannelCommand,
  DeleteChannelCommand,
  StartViewerSessionRevocationCommand,
} from '@aws-sdk/client-ivs';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import { useServer } from '../helpers/use-server.js';
import { expectError } from '../helpers/assert.js';

const A = { accessKeyId: 'AKIDREVOKEA', secretAccessKey: 'secret-a', account: '111111111111' };
const B = { accessKeyId: 'AKIDREVOKEB', secretAccessKey: 'secret-b', account: '222222222222' };
const missing = (account: string) => `arn:aws:ivs:us-west-2:${account}:channel/AbCdEfGh1234`;

describe('viewer session revocation', () => {
  const { server, client } = useServer({ accounts: [A, B] });
  const a = client({ ...A, region: 'us-west-2' });
  const b = client({ ...B, region: 'us-west-2' });
  const aEu = client({ ...A, region: 'eu-west-1' });
  let channelArn: string;
  let otherArn: string;
  /** Highest revoked version as stored, read with the server stopped (SIGKILL: no clean shutdown). */
  const storedVersions = async (pairs: [string, string][]) => {
    await server.kill9();
    const store = await openSqliteStore({ dataDir: server.dataDir });
    try {
      return await Promise.all(pairs.map(([arn, viewer]) => store.viewerRevocations.find(arn, viewer)));
    } finally {
      await store.close();
      await server.restart();
    }
  };

  before(async () => {
    channelArn = (await a.send(new CreateChannelCommand({ name: 'private', authorized: true }))).channel!.arn!;
    otherArn = (await a.send(new CreateChannelCommand({ name: 'other' }))).channel!.arn!;
  });

  it('StartViewerSessionRevocation answers 200 with an empty body and persists across kill -9', async () => {
    const out = await a.send(
      new StartViewerSessionRevocationCommand({
        channelArn,
        viewerId: 'alice',
        viewerSessionVersionsLessThanOrEqualTo: 3,
      }),
    );
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.deepEqual(
      Object.keys(out).filter((k) => k !== '$metadata'),
      [],
    );
    // The default version is 0; a later, lower version does not undo a higher one.
    await a.send(new StartViewerSessionRevocationCommand({ channelArn, viewerId: 'bob' }));
    await a.send(
      new StartViewerSessionRevocationCommand({
        channelArn,
        viewerId: 'alice',
        viewerSessionVersionsLessThanOrEqualTo: 1,
      }),
    );
    const viewer40 = 'v'.repeat(40);
    await a.send(new StartViewerSessionRevocationCommand({ channelArn: otherArn, viewerId: viewer40 }));
    assert.deepEqual(
      await storedVersions([
        [channelArn, 'alice'],
        [channelArn, 'bob'],
        [otherArn, viewer40],
        [otherArn, 'alice'],
      ]),
      [3, 0, 0, undefined],
    );
    // Still served after the restart.
    await a.send(
      new StartViewerSessionRevocationCommand({
        channelArn,
        viewerId: 'alice',
        viewerSessionVersionsLessThanOrEqualTo: 2147483647,
      }),
    );
    assert.deepEqual(await storedVersions([[channelArn, 'alice']]), [2147483647]);
  });

  it('an unknown channel, or one of another account or region, is ResourceNotFoundException', async () => {
    const err = await expectError(
      a.send(
        new StartViewerSessionRevocationCommand({
          channelArn: missing(A.account),
          viewerId: 'alice',
        }),
      ),
      'ResourceNotFoundException',
      404,
    );
    assert.ok(err.message.includes(missing(A.account)), err.message);
    await expectError(
      b.send(new StartViewerSessionRevocationCommand({ channelArn, viewerId: 'mallory' })),
      'ResourceNotFoundException',
      404,
    );
    await expectError(
      aEu.send(new StartViewerSessionRevocationCommand({ channelArn, viewerId: 'mallory' })),
      'ResourceNotFoundException',
      404,
    );
    assert.deepEqual(await storedVersions([[channelArn, 'mallory']]), [undefined], 'nothing was recorded');
  });

  it('validation follows the model: viewerId 1–40, version ≥ 0, channel ARN pattern, required members', async () => {
    const bad: Record<string, unknown>[] = [
      { channelArn, viewerId: '' },
      { channelArn, viewerId: 'x'.repeat(41) },
      { channelArn, viewerId: 'alice', viewerSessionVersionsLessThanOrEqualTo: -1 },
      { channelArn: 'arn:aws:ivs:us-west-2:111111111111:stream-key/AbCdEfGh1234', viewerId: 'alice' },
      { channelArn },
      { viewerId: 'alice' },
    ];
    for (const input of bad) {
      await expectError(a.send(new StartViewerSessionRevocationCommand(input as never)), 'ValidationException', 400);
    }
    await expectError(a.send(new BatchStartViewerSessionRevocationCommand({ viewerSessions: [] })), 'ValidationException', 400);
    const tooMany = Array.from({ length: 21 }, (_, i) => ({ channelArn, viewerId: `v${i}` }));
    await expectError(
      a.send(new BatchStartViewerSessionRevocationCommand({ viewerSessions: tooMany })),
      'ValidationException',
      400,
    );
    await expectError(
      a.send(
        new BatchStartViewerSessionRevocationCommand({
          viewerSessions: [
            { channelArn, viewerId: 'ok' },
            { channelArn, viewerId: 'y'.repeat(41) },
          ],
        }),
      ),
      'ValidationException',
      400,
    );
    assert.deepEqual(await storedVersions([[channelArn, 'ok']]), [undefined], 'an invalid batch records nothing');
  });

  it('BatchStartViewerSessionRevocation records found items and reports the others per item', async () => {
    const out = await a.send(
      new BatchStartViewerSessionRevocationCommand({
        viewerSessions: [
          { channelArn, viewerId: 'carol', viewerSessionVersionsLessThanOrEqualTo: 5 },
          { channelArn: missing(A.account), viewerId: 'dave' },
          { channelArn: otherArn, viewerId: 'erin' },
          { channelArn: missing(B.account), viewerId: 'frank', viewerSessionVersionsLessThanOrEqualTo: 1 },
        ],
      }),
    );
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.deepEqual(
      out.errors?.map((e) => [e.channelArn, e.viewerId, e.code]),
      [
        [missing(A.account), 'dave', 'ResourceNotFoundException'],
        [missing(B.account), 'frank', 'ResourceNotFoundException'],
      ],
    );
    for (const e of out.errors ?? []) assert.ok(e.message?.includes(e.channelArn!), e.message);
    // Account B sees A's channel as unknown too.
    const foreign = await b.send(
      new BatchStartViewerSessionRevocationCommand({
        viewerSessions: [{ channelArn, viewerId: 'mallory', viewerSessionVersionsLessThanOrEqualTo: 9 }],
      }),
    );
    assert.deepEqual(
      foreign.errors?.map((e) => e.code),
      ['ResourceNotFoundException'],
    );
    const full = Array.from({ length: 20 }, (_, i) => ({ channelArn: otherArn, viewerId: `bulk${i}` }));
    assert.deepEqual((await a.send(new BatchStartViewerSessionRevocationCommand({ viewerSessions: full }))).errors, []);
    assert.deepEqual(
      await storedVersions([
        [channelArn, 'carol'],
        [otherArn, 'erin'],
        [channelArn, 'mallory'],
        [otherArn, 'bulk19'],
      ]),
      [5, 0, undefined, 0],
    );
  });

  it('revocations go away with their channel', async () => {
    const arn = (await a.send(new CreateChannelCommand({ name: 'short-lived' }))).channel!.arn!;
    await a.send(new StartViewerSessionRevocationCommand({ channelArn: arn, viewerId: 'gone' }));
    await a.send(new DeleteChannelCommand({ arn }));
    await expectError(
      a.send(new StartViewerSessionRevocationCommand({ channelArn: arn, viewerId: 'gone' })),
      'ResourceNotFoundException',
      404,
    );
    assert.deepEqual(await storedVersions([[arn, 'gone']]), [undefined]);
  });
});
