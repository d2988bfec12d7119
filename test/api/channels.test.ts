// Channels through the stock SDK: create (with its stream key), get, batch get, update, delete, and
// every validation / not-found error the model lists. Listing and filters are in channels-list.test.ts.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchGetChannelCommand,
  CreateChannelCommand,
  CreateStreamKeyCommand,
  DeleteChannelCommand,
  DeleteStreamKeyCommand,
  GetChannelCommand,
  GetStreamKeyCommand,
  ListStreamKeysCommand,
  ListTagsForResourceCommand,
  UpdateChannelCommand,
  type CreateChannelCommandInput,
} from '@aws-sdk/client-ivs';
import { useServer } from '../helpers/use-server.js';
import { ACCOUNT, REGION, arnRe, expectError, idOf } from '../helpers/assert.js';

const MISSING_CHANNEL = `arn:aws:ivs:${REGION}:${ACCOUNT}:channel/AbCdEfGh1234`;

describe('channels', () => {
  const { ivs } = useServer();

  const create = (input: CreateChannelCommandInput = {}) => ivs.send(new CreateChannelCommand(input));

  it('CreateChannel returns the channel with all defaults and its stream key', async () => {
    const out = await create({ name: 'defaults' });
    assert.equal(out.$metadata.httpStatusCode, 200);
    const ch = out.channel!;
    const id = arnRe('channel').exec(ch.arn!)?.[1];
    assert.ok(id, `channel ARN ${ch.arn}`);
    assert.equal(ch.name, 'defaults');
    assert.equal(ch.latencyMode, 'LOW');
    assert.equal(ch.type, 'STANDARD');
    assert.equal(ch.authorized, false);
    assert.equal(ch.recordingConfigurationArn, '');
    assert.equal(ch.insecureIngest, false);
    assert.equal(ch.preset, '');
    assert.equal(ch.containerFormat, 'TS');
    assert.equal(ch.playbackRestrictionPolicyArn, '');
    assert.deepEqual(ch.multitrackInputConfiguration, { enabled: false, policy: 'ALLOW', maximumResolution: 'FULL_HD' });
    assert.deepEqual(ch.tags, {});
    assert.equal(ch.ingestEndpoint, '127.0.0.1');
    assert.ok(ch.playbackUrl!.endsWith(`/api/video/v1/${REGION}.${ACCOUNT}.channel.${id}.m3u8`), ch.playbackUrl);
    assert.match(ch.playbackUrl!, /^https?:\/\//);

    const key = out.streamKey!;
    const keyId = arnRe('stream-key').exec(key.arn!)?.[1];
    assert.ok(keyId, `stream key ARN ${key.arn}`);
    assert.equal(key.channelArn, ch.arn);
    assert.match(key.value!, new RegExp(`^sk_${REGION}_${keyId}_[A-Za-z0-9]{30}$`));
    assert.deepEqual(key.tags ?? {}, {});
  });

  it('CreateChannel with no input at all uses the defaults', async () => {
    const { channel } = await create();
    assert.match(channel!.arn!, arnRe('channel'));
    assert.equal(channel!.name ?? '', '');
    assert.equal(channel!.latencyMode, 'LOW');
    assert.equal(channel!.type, 'STANDARD');
  });

  it('CreateChannel keeps every option given', async () => {
    const { channel } = await create({
      name: 'all-options_1',
      latencyMode: 'NORMAL',
      type: 'BASIC',
      authorized: true,
      insecureIngest: true,
      containerFormat: 'FRAGMENTED_MP4',
      tags: { team: 'video', 'env:stage': 'qa test' },
    });
    assert.equal(channel!.name, 'all-options_1');
    assert.equal(channel!.latencyMode, 'NORMAL');
    assert.equal(channel!.type, 'BASIC');
    assert.equal(channel!.authorized, true);
    assert.equal(channel!.insecureIngest, true);
    assert.equal(channel!.containerFormat, 'FRAGMENTED_MP4');
    assert.equal(channel!.preset, '');
    assert.deepEqual(channel!.tags, { team: 'video', 'env:stage': 'qa test' });
  });

  it('ids are unique and well formed across channels', async () => {
    const arns = new Set<string>();
    const keys = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const out = await create({ name: `unique-${i}` });
      arns.add(out.channel!.arn!);
      keys.add(out.streamKey!.value!);
      assert.match(idOf(out.channel!.arn!), /^[A-Za-z0-9]{12}$/);
    }
    assert.equal(arns.size, 5);
    assert.equal(keys.size, 5);
  });

  it('GetChannel returns what CreateChannel returned', async () => {
    const { channel } = await create({ name: 'get-me', tags: { k: 'v' } });
    const got = await ivs.send(new GetChannelCommand({ arn: channel!.arn }));
    assert.equal(got.$metadata.httpStatusCode, 200);
    assert.deepEqual(got.channel, channel);
  });

  it('GetChannel on a missing channel is ResourceNotFoundException 404', async () => {
    await expectError(ivs.send(new GetChannelCommand({ arn: MISSING_CHANNEL })), 'ResourceNotFoundException', 404);
  });

  it('BatchGetChannel returns found channels and errors for the missing ones', async () => {
    const { channel } = await create({ name: 'batch-one' });
    const out = await ivs.send(new BatchGetChannelCommand({ arns: [channel!.arn!, MISSING_CHANNEL] }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.equal(out.channels!.length, 1);
    assert.deepEqual(out.channels![0], channel);
    assert.equal(out.errors!.length, 1);
    assert.equal(out.errors![0]!.arn, MISSING_CHANNEL);
    assert.equal(out.errors![0]!.code, 'ResourceNotFoundException');
    assert.equal(typeof out.errors![0]!.message, 'string');
  });

  it('BatchGetChannel validates the list size (1–50)', async () => {
    await expectError(ivs.send(new BatchGetChannelCommand({ arns: [] })), 'ValidationException', 400);
    const many = Array.from(
      { length: 51 },
      (_, i) => `arn:aws:ivs:${REGION}:${ACCOUNT}:channel/AbCdEfGh${String(i).padStart(4, '0')}`,
    );
    await expectError(ivs.send(new BatchGetChannelCommand({ arns: many })), 'ValidationException', 400);
  });

  it('UpdateChannel changes fields, keeps the ARN and URLs, and persists', async () => {
    const { channel } = await create({ name: 'before-update' });
    const out = await ivs.send(
      new UpdateChannelCommand({
        arn: channel!.arn,
        name: 'after-update',
        latencyMode: 'NORMAL',
        type: 'BASIC',
        authorized: true,
        insecureIngest: true,
      }),
    );
    assert.equal(out.$metadata.httpStatusCode, 200);
    const u = out.channel!;
    assert.equal(u.arn, channel!.arn);
    assert.equal(u.name, 'after-update');
    assert.equal(u.latencyMode, 'NORMAL');
    assert.equal(u.type, 'BASIC');
    assert.equal(u.authorized, true);
    assert.equal(u.insecureIngest, true);
    assert.equal(u.playbackUrl, channel!.playbackUrl);
    assert.equal(u.ingestEndpoint, channel!.ingestEndpoint);
    const got = await ivs.send(new GetChannelCommand({ arn: channel!.arn }));
    assert.deepEqual(got.channel, u);
    // Only the given fields change.
    const again = await ivs.send(new UpdateChannelCommand({ arn: channel!.arn, latencyMode: 'LOW' }));
    assert.equal(again.channel!.name, 'after-update');
    assert.equal(again.channel!.type, 'BASIC');
    assert.equal(again.channel!.latencyMode, 'LOW');
  });

  it('GetChannel, read again and again, shows each change to the channel and its stream key', async () => {
    // A stored channel's rendered output is kept beside its cached row (handlers/stable-output.ts): reads before a
    // change must not be what reads after it see.
    const { channel, streamKey } = await create({ name: 'kept' });
    const get = async () => (await ivs.send(new GetChannelCommand({ arn: channel!.arn }))).channel!;
    assert.deepEqual(await get(), channel);
    assert.deepEqual(await get(), channel);
    await ivs.send(new UpdateChannelCommand({ arn: channel!.arn, name: 'changed' }));
    assert.equal((await get()).name, 'changed');
    assert.equal((await get()).name, 'changed');
    const passphrase = (await get()).srt?.passphrase;
    assert.ok(passphrase, 'a secure channel shows its SRT passphrase');
    await ivs.send(new DeleteStreamKeyCommand({ arn: streamKey!.arn }));
    assert.equal((await get()).srt?.passphrase, undefined, 'no stream key, no passphrase');
    assert.equal((await get()).srt?.passphrase, undefined, 'still none when read from memory');
    await ivs.send(new CreateStreamKeyCommand({ channelArn: channel!.arn }));
    const renewed = (await get()).srt?.passphrase;
    assert.ok(renewed && renewed !== passphrase, 'a new stream key, a new passphrase');
    await ivs.send(new UpdateChannelCommand({ arn: channel!.arn, insecureIngest: true }));
    assert.equal((await get()).srt?.passphrase, undefined, 'an insecure channel shows none');
  });

  it('UpdateChannel presets: refused on STANDARD, defaulted on ADVANCED_HD, settable on ADVANCED_SD', async () => {
    const { channel } = await create({ name: 'presets' });
    await expectError(
      ivs.send(
        new UpdateChannelCommand({
          arn: channel!.arn,
          preset: 'CONSTRAINED_BANDWIDTH_DELIVERY',
        }),
      ),
      'ValidationException',
      400,
    );
    const hd = await ivs.send(new UpdateChannelCommand({ arn: channel!.arn, type: 'ADVANCED_HD' }));
    assert.equal(hd.channel!.type, 'ADVANCED_HD');
    assert.equal(hd.channel!.preset, 'HIGHER_BANDWIDTH_DELIVERY');
    const sd = await ivs.send(
      new UpdateChannelCommand({
        arn: channel!.arn,
        type: 'ADVANCED_SD',
        preset: 'CONSTRAINED_BANDWIDTH_DELIVERY',
      }),
    );
    assert.equal(sd.channel!.preset, 'CONSTRAINED_BANDWIDTH_DELIVERY');
    await expectError(create({ type: 'BASIC', preset: 'HIGHER_BANDWIDTH_DELIVERY' }), 'ValidationException', 400);
  });

  it('presets follow the channel type both ways', async () => {
    const sd = await create({ name: 'advanced-sd', type: 'ADVANCED_SD' });
    assert.equal(sd.channel!.preset, 'HIGHER_BANDWIDTH_DELIVERY');
    const back = await ivs.send(new UpdateChannelCommand({ arn: sd.channel!.arn, type: 'STANDARD' }));
    assert.equal(back.channel!.type, 'STANDARD');
    assert.equal(back.channel!.preset, '', 'a STANDARD channel has no preset');
    const basic = await create({ name: 'advanced-hd', type: 'ADVANCED_HD', preset: 'CONSTRAINED_BANDWIDTH_DELIVERY' });
    assert.equal(basic.channel!.preset, 'CONSTRAINED_BANDWIDTH_DELIVERY');
    const toBasic = await ivs.send(new UpdateChannelCommand({ arn: basic.channel!.arn, type: 'BASIC' }));
    assert.equal(toBasic.channel!.preset, '');
  });

  it('multitrack input requires FRAGMENTED_MP4, on create and on update', async () => {
    const mt = { enabled: true, policy: 'REQUIRE' as const, maximumResolution: 'HD' as const };
    const { channel } = await create({ name: 'multitrack', multitrackInputConfiguration: mt, containerFormat: 'FRAGMENTED_MP4' });
    assert.deepEqual(channel!.multitrackInputConfiguration, mt);
    assert.equal(channel!.containerFormat, 'FRAGMENTED_MP4');
    await expectError(
      ivs.send(new UpdateChannelCommand({ arn: channel!.arn, containerFormat: 'TS' })),
      'ValidationException',
      400,
    );
    const got = await ivs.send(new GetChannelCommand({ arn: channel!.arn }));
    assert.equal(got.channel!.containerFormat, 'FRAGMENTED_MP4', 'the refused update changed nothing');
    const off = await ivs.send(
      new UpdateChannelCommand({
        arn: channel!.arn,
        multitrackInputConfiguration: { enabled: false },
        containerFormat: 'TS',
      }),
    );
    assert.equal(off.channel!.multitrackInputConfiguration!.enabled, false);
    assert.equal(off.channel!.containerFormat, 'TS');
  });

  it('UpdateChannel on a missing channel is 404', async () => {
    await expectError(ivs.send(new UpdateChannelCommand({ arn: MISSING_CHANNEL, name: 'x' })), 'ResourceNotFoundException', 404);
  });

  it('DeleteChannel answers 204 and removes the channel and its stream key', async () => {
    const { channel, streamKey } = await create({ name: 'doomed' });
    const del = await ivs.send(new DeleteChannelCommand({ arn: channel!.arn }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    await expectError(ivs.send(new GetChannelCommand({ arn: channel!.arn })), 'ResourceNotFoundException', 404);
    await expectError(ivs.send(new GetStreamKeyCommand({ arn: streamKey!.arn })), 'ResourceNotFoundException', 404);
    await expectError(ivs.send(new ListStreamKeysCommand({ channelArn: channel!.arn })), 'ResourceNotFoundException', 404);
    await expectError(ivs.send(new DeleteChannelCommand({ arn: channel!.arn })), 'ResourceNotFoundException', 404);
    await expectError(ivs.send(new ListTagsForResourceCommand({ resourceArn: channel!.arn })), 'ResourceNotFoundException', 404);
    await expectError(
      ivs.send(new ListTagsForResourceCommand({ resourceArn: streamKey!.arn })),
      'ResourceNotFoundException',
      404,
    );
    const batch = await ivs.send(new BatchGetChannelCommand({ arns: [channel!.arn!] }));
    assert.deepEqual(batch.channels, []);
    assert.equal(batch.errors!.length, 1);
  });

  it('CreateChannel referencing a missing recording configuration is 404', async () => {
    const missing = `arn:aws:ivs:${REGION}:${ACCOUNT}:recording-configuration/AbCdEfGh1234`;
    await expectError(create({ recordingConfigurationArn: missing }), 'ResourceNotFoundException', 404);
    await expectError(
      ivs.send(new UpdateChannelCommand({ arn: (await create()).channel!.arn, recordingConfigurationArn: missing })),
      'ResourceNotFoundException',
      404,
    );
  });

  it('rejects invalid input with ValidationException 400', async () => {
    const tags51 = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    const cases: Array<[string, CreateChannelCommandInput]> = [
      ['name with a space', { name: 'has space' }],
      ['name of 129 characters', { name: 'a'.repeat(129) }],
      ['unknown latencyMode', { latencyMode: 'FAST' as never }],
      ['unknown type', { type: 'HUGE' as never }],
      ['unknown containerFormat', { containerFormat: 'AVI' as never }],
      ['51 tags', { tags: tags51 }],
      ['tag key starting with aws:', { tags: { 'aws:owner': 'me' } }],
      ['empty tag key', { tags: { '': 'v' } }],
      ['tag value over 256 characters', { tags: { k: 'v'.repeat(257) } }],
      ['malformed recording configuration ARN', { recordingConfigurationArn: 'arn:nope' }],
      [
        'multitrack without FRAGMENTED_MP4',
        {
          multitrackInputConfiguration: { enabled: true, policy: 'ALLOW', maximumResolution: 'HD' },
          containerFormat: 'TS',
        },
      ],
    ];
    for (const [what, input] of cases) {
      await assert.doesNotReject(
        expectError(create(input), 'ValidationException', 400),
        `${what} should be a ValidationException`,
      );
    }
    const ok = await create({ name: 'a'.repeat(128), tags: Object.fromEntries(Object.entries(tags51).slice(0, 50)) });
    assert.equal(ok.channel!.name!.length, 128);
    assert.equal(Object.keys(ok.channel!.tags!).length, 50);
  });

  it('GetChannel with a malformed or foreign-type ARN is a ValidationException', async () => {
    for (const arn of ['not-an-arn', `arn:aws:ivs:${REGION}:${ACCOUNT}:stream-key/AbCdEfGh1234`, '']) {
      await assert.doesNotReject(
        expectError(ivs.send(new GetChannelCommand({ arn })), 'ValidationException', 400),
        `arn ${JSON.stringify(arn)}`,
      );
    }
  });
});
