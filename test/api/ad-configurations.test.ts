// Ad configurations and InsertAdBreak through the AWS SDK and boto3-style raw SigV4 requests: create (validation of
// mediaTailorPlaybackConfigurations: count, ARN pattern, account and region, repeats), get, list (pages), tags,
// delete (409 while a channel uses it), channels referencing one (must exist in the caller's scope; ListChannels
// filters by it), and InsertAdBreak's refusals (no ad configuration, fMP4, not live, duration out of range).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAdConfigurationCommand,
  CreateChannelCommand,
  DeleteAdConfigurationCommand,
  DeleteChannelCommand,
  GetAdConfigurationCommand,
  InsertAdBreakCommand,
  ListAdConfigurationsCommand,
  ListChannelsCommand,
  ListTagsForResourceCommand,
  UpdateChannelCommand,
} from '@aws-sdk/client-ivs';
import { useServer } from '../helpers/use-server.js';
import { ACCOUNT, REGION, arnRe, expectError, expectRawError } from '../helpers/assert.js';
import { callOperation } from '../helpers/http.js';

const PC = (id: string, account = ACCOUNT, region = REGION) =>
  ({ playbackConfigurationArn: `arn:aws:mediatailor:${region}:${account}:playbackConfiguration/${id}` }) as const;
const MISSING = `arn:aws:ivs:${REGION}:${ACCOUNT}:ad-configuration/AbCdEfGh1234`;

describe('ad configurations and InsertAdBreak (API)', () => {
  const { server, ivs } = useServer();

  it('Create, Get, List and tags with the SDK; the same answers over raw SigV4', async () => {
    const out = await ivs.send(
      new CreateAdConfigurationCommand({
        name: 'ads-1',
        mediaTailorPlaybackConfigurations: [PC('one'), PC('two')],
        tags: { team: 'a' },
      }),
    );
    const ad = out.adConfiguration!;
    assert.match(ad.arn!, arnRe('ad-configuration'));
    assert.equal(ad.name, 'ads-1');
    assert.deepEqual(ad.mediaTailorPlaybackConfigurations, [PC('one'), PC('two')]);
    assert.deepEqual(ad.tags, { team: 'a' });

    const got = await ivs.send(new GetAdConfigurationCommand({ arn: ad.arn }));
    assert.deepEqual(got.adConfiguration, ad);
    const raw = await callOperation(server, 'GetAdConfiguration', { arn: ad.arn });
    assert.equal(raw.status, 200);
    assert.deepEqual(raw.json().adConfiguration, ad);

    const tags = await ivs.send(new ListTagsForResourceCommand({ resourceArn: ad.arn }));
    assert.deepEqual(tags.tags, { team: 'a' });

    const defaults = await callOperation(server, 'CreateAdConfiguration', { mediaTailorPlaybackConfigurations: [PC('three')] });
    assert.equal(defaults.status, 200, defaults.text);
    assert.equal(defaults.json().adConfiguration.name, '');
    assert.deepEqual(defaults.json().adConfiguration.tags, {});

    const page1 = await ivs.send(new ListAdConfigurationsCommand({ maxResults: 1 }));
    assert.equal(page1.adConfigurations!.length, 1);
    assert.ok(page1.nextToken);
    const page2 = await ivs.send(new ListAdConfigurationsCommand({ maxResults: 1, nextToken: page1.nextToken }));
    const arns = [...page1.adConfigurations!, ...page2.adConfigurations!].map((a) => a.arn);
    assert.ok(arns.includes(ad.arn) && arns.includes(defaults.json().adConfiguration.arn), `both listed: ${arns.join(', ')}`);
    const rawList = await callOperation(server, 'ListAdConfigurations', {});
    assert.equal(rawList.status, 200);
    assert.ok(rawList.json().adConfigurations.some((a: { arn: string }) => a.arn === ad.arn));
  });

  it('CreateAdConfiguration refuses bad playback configurations (SDK and raw)', async () => {
    const bad: Array<[string, unknown[]]> = [
      ['none', []],
      ['four', [PC('a'), PC('b'), PC('c'), PC('d')]],
      ['not a MediaTailor ARN', [{ playbackConfigurationArn: 'arn:aws:ivs:us-west-2:000000000000:channel/abc' }]],
      ['missing ARN', [{}]],
      ['another account', [PC('x', '123456789012')]],
      ['another region', [PC('x', ACCOUNT, 'eu-west-1')]],
      ['repeated', [PC('same'), PC('same')]],
    ];
    for (const [what, list] of bad) {
      await expectError(
        ivs.send(new CreateAdConfigurationCommand({ mediaTailorPlaybackConfigurations: list as never })),
        'ValidationException',
        400,
      ).catch((err: Error) => assert.fail(`${what}: ${err.message}`));
      expectRawError(
        await callOperation(server, 'CreateAdConfiguration', { mediaTailorPlaybackConfigurations: list }),
        'ValidationException',
        400,
      );
    }
    expectRawError(await callOperation(server, 'CreateAdConfiguration', {}), 'ValidationException', 400);
    await expectError(
      ivs.send(new CreateAdConfigurationCommand({ mediaTailorPlaybackConfigurations: [PC('t')], tags: { 'aws:x': 'y' } })),
      'ValidationException',
      400,
    );
  });

  it('channels reference one by adConfigurationArn: it must exist in scope; 409 on delete while used; ListChannels filters', async () => {
    const ad = (await ivs.send(new CreateAdConfigurationCommand({ mediaTailorPlaybackConfigurations: [PC('ch')] })))
      .adConfiguration!;
    await expectError(ivs.send(new CreateChannelCommand({ adConfigurationArn: MISSING })), 'ResourceNotFoundException', 404);
    const foreign = await callOperation(server, 'CreateChannel', { adConfigurationArn: ad.arn }, { region: 'eu-west-1' });
    expectRawError(foreign, 'ResourceNotFoundException', 404);
    const ch = (await ivs.send(new CreateChannelCommand({ name: 'with-ads', adConfigurationArn: ad.arn }))).channel!;
    assert.equal(ch.adConfigurationArn, ad.arn);
    const other = (await ivs.send(new CreateChannelCommand({ name: 'without-ads' }))).channel!;

    const listed = await ivs.send(new ListChannelsCommand({ filterByAdConfigurationArn: ad.arn }));
    assert.deepEqual(
      listed.channels!.map((c) => c.arn),
      [ch.arn],
    );
    assert.equal(listed.channels![0]!.adConfigurationArn, ad.arn);

    await expectError(ivs.send(new DeleteAdConfigurationCommand({ arn: ad.arn })), 'ConflictException', 409);
    expectRawError(await callOperation(server, 'DeleteAdConfiguration', { arn: ad.arn }), 'ConflictException', 409);
    await ivs.send(new UpdateChannelCommand({ arn: ch.arn, adConfigurationArn: '' }));
    const del = await ivs.send(new DeleteAdConfigurationCommand({ arn: ad.arn }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    await expectError(ivs.send(new GetAdConfigurationCommand({ arn: ad.arn })), 'ResourceNotFoundException', 404);
    expectRawError(await callOperation(server, 'DeleteAdConfiguration', { arn: ad.arn }), 'ResourceNotFoundException', 404);
    expectRawError(await callOperation(server, 'GetAdConfiguration', { arn: 'not-an-arn' }), 'ValidationException', 400);
    await ivs.send(new DeleteChannelCommand({ arn: ch.arn }));
    await ivs.send(new DeleteChannelCommand({ arn: other.arn }));
  });

  it('InsertAdBreak refusals: no ad configuration, fMP4, not live, duration outside 1-300, unknown channel', async () => {
    const ad = (await ivs.send(new CreateAdConfigurationCommand({ mediaTailorPlaybackConfigurations: [PC('brk')] })))
      .adConfiguration!;
    const plain = (await ivs.send(new CreateChannelCommand({ name: 'no-ads' }))).channel!;
    const fmp4 = (await ivs.send(new CreateChannelCommand({ adConfigurationArn: ad.arn, containerFormat: 'FRAGMENTED_MP4' })))
      .channel!;
    const ts = (await ivs.send(new CreateChannelCommand({ adConfigurationArn: ad.arn }))).channel!;

    await expectError(
      ivs.send(new InsertAdBreakCommand({ channelArn: plain.arn, durationSeconds: 30 })),
      'ValidationException',
      400,
      /ad configuration/,
    );
    await expectError(
      ivs.send(new InsertAdBreakCommand({ channelArn: fmp4.arn, durationSeconds: 30 })),
      'ValidationException',
      400,
      /TS/,
    );
    await expectError(
      ivs.send(new InsertAdBreakCommand({ channelArn: ts.arn, durationSeconds: 30 })),
      'ChannelNotBroadcasting',
      404,
    );
    expectRawError(
      await callOperation(server, 'InsertAdBreak', { channelArn: ts.arn, durationSeconds: 30 }),
      'ChannelNotBroadcasting',
      404,
    );
    for (const durationSeconds of [0, 301, -5]) {
      await expectError(ivs.send(new InsertAdBreakCommand({ channelArn: ts.arn, durationSeconds })), 'ValidationException', 400);
      expectRawError(
        await callOperation(server, 'InsertAdBreak', { channelArn: ts.arn, durationSeconds }),
        'ValidationException',
        400,
      );
    }
    expectRawError(await callOperation(server, 'InsertAdBreak', { channelArn: ts.arn }), 'ValidationException', 400);
    await expectError(
      ivs.send(
        new InsertAdBreakCommand({ channelArn: `arn:aws:ivs:${REGION}:${ACCOUNT}:channel/AbCdEfGh1234`, durationSeconds: 10 }),
      ),
      'ResourceNotFoundException',
      404,
    );
  });
});
