// Account and region isolation: resources belong to (account, region) of the SigV4 credentials and
// scope. Another account, or the same account in another region, can neither see nor touch them.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchGetChannelCommand,
  BatchGetStreamKeyCommand,
  CreateChannelCommand,
  CreateStreamKeyCommand,
  DeleteChannelCommand,
  GetChannelCommand,
  GetStreamCommand,
  GetStreamKeyCommand,
  ImportPlaybackKeyPairCommand,
  ListChannelsCommand,
  ListStreamKeysCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateChannelCommand,
  type Channel,
  type StreamKey,
} from '@aws-sdk/client-ivs';
import { useServer } from '../helpers/use-server.js';
import { arnRe, expectError, p384PublicKey } from '../helpers/assert.js';

const A = { accessKeyId: 'AKIDACCOUNTA', secretAccessKey: 'secret-a', account: '111111111111' };
const B = { accessKeyId: 'AKIDACCOUNTB', secretAccessKey: 'secret-b', account: '222222222222' };

describe('account and region isolation', () => {
  const { client } = useServer({ accounts: [A, B] });
  const a = client({ ...A, region: 'us-west-2' });
  const b = client({ ...B, region: 'us-west-2' });
  const aEu = client({ ...A, region: 'eu-west-1' });
  let channel: Channel;
  let streamKey: StreamKey;
  before(async () => {
    const out = await a.send(new CreateChannelCommand({ name: 'owned-by-a', tags: { owner: 'a' } }));
    channel = out.channel!;
    streamKey = out.streamKey!;
  });

  it('ARNs carry the account and region of the caller', () => {
    assert.match(channel.arn!, arnRe('channel', 'us-west-2', A.account));
    assert.match(streamKey.arn!, arnRe('stream-key', 'us-west-2', A.account));
    assert.match(channel.playbackUrl!, new RegExp(`/api/video/v1/us-west-2\\.${A.account}\\.channel\\.`));
  });

  it('the default test/test credentials are not accepted when OPENIVS_CREDENTIALS is set', async () => {
    const def = client({});
    await expectError(def.send(new ListChannelsCommand({})), 'UnrecognizedClientException', 403);
  });

  for (const who of ['another account', 'the same account in another region'] as const) {
    const other = () => (who === 'another account' ? b : aEu);

    it(`${who} cannot get, update, delete or tag the channel`, async () => {
      const c = other();
      // The owner reads it first, twice, so the channel and its key are in the store's memory: GetChannel then answers
      // from there without a promise (handlers/channels.ts), and must still check whose it is.
      await a.send(new GetChannelCommand({ arn: channel.arn }));
      await a.send(new GetChannelCommand({ arn: channel.arn }));
      await expectError(c.send(new GetChannelCommand({ arn: channel.arn })), 'ResourceNotFoundException', 404);
      await expectError(
        c.send(new UpdateChannelCommand({ arn: channel.arn, name: 'hijacked' })),
        'ResourceNotFoundException',
        404,
      );
      await expectError(c.send(new DeleteChannelCommand({ arn: channel.arn })), 'ResourceNotFoundException', 404);
      await expectError(
        c.send(new TagResourceCommand({ resourceArn: channel.arn, tags: { owner: 'b' } })),
        'ResourceNotFoundException',
        404,
      );
      await expectError(
        c.send(new UntagResourceCommand({ resourceArn: channel.arn, tagKeys: ['owner'] })),
        'ResourceNotFoundException',
        404,
      );
      await expectError(c.send(new ListTagsForResourceCommand({ resourceArn: channel.arn })), 'ResourceNotFoundException', 404);
      await expectError(c.send(new GetStreamCommand({ channelArn: channel.arn })), 'ResourceNotFoundException', 404);
    });

    it(`${who} cannot reach the stream key`, async () => {
      const c = other();
      await expectError(c.send(new GetStreamKeyCommand({ arn: streamKey.arn })), 'ResourceNotFoundException', 404);
      await expectError(c.send(new ListStreamKeysCommand({ channelArn: channel.arn })), 'ResourceNotFoundException', 404);
      await expectError(c.send(new CreateStreamKeyCommand({ channelArn: channel.arn })), 'ResourceNotFoundException', 404);
      const batch = await c.send(new BatchGetStreamKeyCommand({ arns: [streamKey.arn!] }));
      assert.deepEqual(batch.streamKeys, []);
      assert.equal(batch.errors![0]!.arn, streamKey.arn);
    });

    it(`${who} does not see the channel in lists or batch gets`, async () => {
      const c = other();
      const list = await c.send(new ListChannelsCommand({}));
      assert.ok(!list.channels!.some((ch) => ch.arn === channel.arn));
      const byName = await c.send(new ListChannelsCommand({ filterByName: 'owned-by-a' }));
      assert.deepEqual(byName.channels, []);
      const batch = await c.send(new BatchGetChannelCommand({ arns: [channel.arn!] }));
      assert.deepEqual(batch.channels, []);
      assert.equal(batch.errors!.length, 1);
      assert.equal(batch.errors![0]!.arn, channel.arn);
      assert.equal(batch.errors![0]!.code, 'ResourceNotFoundException');
    });
  }

  it('the owner still sees the channel untouched', async () => {
    const got = await a.send(new GetChannelCommand({ arn: channel.arn }));
    assert.deepEqual(got.channel, channel);
    const key = await a.send(new GetStreamKeyCommand({ arn: streamKey.arn }));
    assert.equal(key.streamKey!.value, streamKey.value);
    const list = await a.send(new ListChannelsCommand({}));
    assert.deepEqual(
      list.channels!.map((c) => c.arn),
      [channel.arn],
    );
  });

  it('each account and region has its own resources and ARNs', async () => {
    const mine = await b.send(new CreateChannelCommand({ name: 'owned-by-b' }));
    assert.match(mine.channel!.arn!, arnRe('channel', 'us-west-2', B.account));
    const eu = await aEu.send(new CreateChannelCommand({ name: 'a-in-europe' }));
    assert.match(eu.channel!.arn!, arnRe('channel', 'eu-west-1', A.account));
    assert.ok(eu.streamKey!.value!.startsWith('sk_eu-west-1_'));
    const aList = await a.send(new ListChannelsCommand({}));
    assert.deepEqual(
      aList.channels!.map((c) => c.arn),
      [channel.arn],
    );
    const bList = await b.send(new ListChannelsCommand({}));
    assert.deepEqual(
      bList.channels!.map((c) => c.arn),
      [mine.channel!.arn],
    );
    // A region-mismatched ARN is unknown to the caller's region.
    await expectError(a.send(new GetChannelCommand({ arn: eu.channel!.arn })), 'ResourceNotFoundException', 404);
  });

  it('key-pair uniqueness and quota are per account and region', async () => {
    const pem = p384PublicKey();
    await a.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: pem }));
    const inB = await b.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: pem }));
    assert.match(inB.keyPair!.arn!, arnRe('playback-key', 'us-west-2', B.account));
    await a.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: p384PublicKey() }));
    await a.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: p384PublicKey() }));
    await expectError(
      a.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: p384PublicKey() })),
      'ServiceQuotaExceededException',
      402,
    );
    const eu = await aEu.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: pem }));
    assert.match(eu.keyPair!.arn!, arnRe('playback-key', 'eu-west-1', A.account));
  });
});
