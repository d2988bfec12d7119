// Stream keys: one per channel (a second is ServiceQuotaExceededException 402), rotation by delete +
// create, Get with the value, List without it, BatchGet, and not-found / validation errors.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchGetStreamKeyCommand,
  CreateChannelCommand,
  CreateStreamKeyCommand,
  DeleteStreamKeyCommand,
  GetStreamKeyCommand,
  ListStreamKeysCommand,
} from '@aws-sdk/client-ivs';
import { useServer } from '../helpers/use-server.js';
import { ACCOUNT, REGION, arnRe, expectError } from '../helpers/assert.js';

const MISSING_CHANNEL = `arn:aws:ivs:${REGION}:${ACCOUNT}:channel/AbCdEfGh1234`;
const MISSING_KEY = `arn:aws:ivs:${REGION}:${ACCOUNT}:stream-key/AbCdEfGh1234`;

describe('stream keys', () => {
  const { ivs } = useServer();

  const newChannel = async (name: string) => ivs.send(new CreateChannelCommand({ name }));

  it('GetStreamKey returns the key with its value', async () => {
    const { channel, streamKey } = await newChannel('get-key');
    const out = await ivs.send(new GetStreamKeyCommand({ arn: streamKey!.arn }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.equal(out.streamKey!.arn, streamKey!.arn);
    assert.equal(out.streamKey!.channelArn, channel!.arn);
    assert.equal(out.streamKey!.value, streamKey!.value);
  });

  it('a channel has one stream key: CreateStreamKey is ServiceQuotaExceededException 402', async () => {
    const { channel } = await newChannel('one-key');
    const err = await expectError(
      ivs.send(new CreateStreamKeyCommand({ channelArn: channel!.arn })),
      'ServiceQuotaExceededException',
      402,
    );
    assert.equal(err.$metadata?.httpStatusCode, 402);
    const list = await ivs.send(new ListStreamKeysCommand({ channelArn: channel!.arn }));
    assert.equal(list.streamKeys!.length, 1);
  });

  it('rotation: DeleteStreamKey (204) then CreateStreamKey gives a new key and value', async () => {
    const { channel, streamKey } = await newChannel('rotate');
    const del = await ivs.send(new DeleteStreamKeyCommand({ arn: streamKey!.arn }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    await expectError(ivs.send(new GetStreamKeyCommand({ arn: streamKey!.arn })), 'ResourceNotFoundException', 404);
    const empty = await ivs.send(new ListStreamKeysCommand({ channelArn: channel!.arn }));
    assert.deepEqual(empty.streamKeys, []);

    const created = await ivs.send(new CreateStreamKeyCommand({ channelArn: channel!.arn, tags: { gen: '2' } }));
    assert.equal(created.$metadata.httpStatusCode, 200);
    const key = created.streamKey!;
    const keyId = arnRe('stream-key').exec(key.arn!)?.[1];
    assert.ok(keyId, key.arn);
    assert.notEqual(key.arn, streamKey!.arn);
    assert.notEqual(key.value, streamKey!.value);
    assert.match(key.value!, new RegExp(`^sk_${REGION}_${keyId}_[A-Za-z0-9]{30}$`));
    assert.equal(key.channelArn, channel!.arn);
    assert.deepEqual(key.tags, { gen: '2' });
    const got = await ivs.send(new GetStreamKeyCommand({ arn: key.arn }));
    assert.equal(got.streamKey!.value, key.value);
  });

  it('ListStreamKeys returns summaries without the secret value', async () => {
    const { channel, streamKey } = await newChannel('list-keys');
    const out = await ivs.send(new ListStreamKeysCommand({ channelArn: channel!.arn }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.equal(out.streamKeys!.length, 1);
    const s = out.streamKeys![0]!;
    assert.equal(s.arn, streamKey!.arn);
    assert.equal(s.channelArn, channel!.arn);
    assert.equal((s as Record<string, unknown>).value, undefined, 'no value in summaries');
    assert.ok(!JSON.stringify(out).includes(streamKey!.value!), 'the secret appears nowhere in the list');
  });

  it('ListStreamKeys validates maxResults and pagination tokens', async () => {
    const { channel } = await newChannel('list-keys-validation');
    await expectError(
      ivs.send(new ListStreamKeysCommand({ channelArn: channel!.arn, maxResults: 0 })),
      'ValidationException',
      400,
    );
    await expectError(
      ivs.send(new ListStreamKeysCommand({ channelArn: channel!.arn, maxResults: 51 })),
      'ValidationException',
      400,
    );
    await expectError(
      ivs.send(new ListStreamKeysCommand({ channelArn: channel!.arn, nextToken: 'garbage' })),
      'ValidationException',
      400,
    );
  });

  it('BatchGetStreamKey returns found keys (with values) and errors', async () => {
    const a = await newChannel('batch-a');
    const b = await newChannel('batch-b');
    const out = await ivs.send(
      new BatchGetStreamKeyCommand({
        arns: [a.streamKey!.arn!, b.streamKey!.arn!, MISSING_KEY],
      }),
    );
    assert.equal(out.$metadata.httpStatusCode, 200);
    const byArn = new Map(out.streamKeys!.map((k) => [k.arn, k]));
    assert.equal(byArn.size, 2);
    assert.equal(byArn.get(a.streamKey!.arn)!.value, a.streamKey!.value);
    assert.equal(byArn.get(b.streamKey!.arn)!.channelArn, b.channel!.arn);
    assert.equal(out.errors!.length, 1);
    assert.equal(out.errors![0]!.arn, MISSING_KEY);
    assert.equal(out.errors![0]!.code, 'ResourceNotFoundException');
  });

  it('BatchGetStreamKey validates the list size and ARN format', async () => {
    await expectError(ivs.send(new BatchGetStreamKeyCommand({ arns: [] })), 'ValidationException', 400);
    await expectError(ivs.send(new BatchGetStreamKeyCommand({ arns: [MISSING_CHANNEL] })), 'ValidationException', 400);
  });

  it('missing channel or key is ResourceNotFoundException 404', async () => {
    await expectError(ivs.send(new CreateStreamKeyCommand({ channelArn: MISSING_CHANNEL })), 'ResourceNotFoundException', 404);
    await expectError(ivs.send(new ListStreamKeysCommand({ channelArn: MISSING_CHANNEL })), 'ResourceNotFoundException', 404);
    await expectError(ivs.send(new GetStreamKeyCommand({ arn: MISSING_KEY })), 'ResourceNotFoundException', 404);
    await expectError(ivs.send(new DeleteStreamKeyCommand({ arn: MISSING_KEY })), 'ResourceNotFoundException', 404);
  });

  it('malformed ARNs are ValidationException 400', async () => {
    await expectError(ivs.send(new GetStreamKeyCommand({ arn: MISSING_CHANNEL })), 'ValidationException', 400);
    await expectError(ivs.send(new CreateStreamKeyCommand({ channelArn: 'channel/123' })), 'ValidationException', 400);
    await expectError(ivs.send(new DeleteStreamKeyCommand({ arn: 'arn:aws:ivs:x' })), 'ValidationException', 400);
  });
});

describe('stream key secrecy in logs', () => {
  const { server, ivs } = useServer({ args: ['--log-level', 'debug'] });

  it('stream key values never reach the server log, even at debug level', async () => {
    const values: string[] = [];
    const { channel, streamKey } = await ivs.send(new CreateChannelCommand({ name: 'secret' }));
    values.push(streamKey!.value!);
    await ivs.send(new GetStreamKeyCommand({ arn: streamKey!.arn }));
    await ivs.send(new BatchGetStreamKeyCommand({ arns: [streamKey!.arn!] }));
    await ivs.send(new DeleteStreamKeyCommand({ arn: streamKey!.arn }));
    values.push((await ivs.send(new CreateStreamKeyCommand({ channelArn: channel!.arn }))).streamKey!.value!);
    await expectError(ivs.send(new CreateStreamKeyCommand({ channelArn: channel!.arn })), 'ServiceQuotaExceededException', 402);
    const logs = server.logs();
    assert.match(logs, /"level":30/, 'the server log is captured');
    for (const v of values) {
      assert.ok(!logs.includes(v), 'a stream key value appears in the log');
      assert.ok(!logs.includes(v.slice(-30)), 'the secret part of a stream key appears in the log');
    }
  });
});
