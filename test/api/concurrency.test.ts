// Invariants under concurrent requests: one stream key per channel, quotas, unique key pairs, and
// references that never dangle, whatever the interleaving of requests in flight.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateChannelCommand,
  CreateRecordingConfigurationCommand,
  CreateStreamKeyCommand,
  DeleteChannelCommand,
  DeleteRecordingConfigurationCommand,
  DeleteStreamKeyCommand,
  GetRecordingConfigurationCommand,
  ImportPlaybackKeyPairCommand,
  ListChannelsCommand,
  ListPlaybackKeyPairsCommand,
  ListStreamKeysCommand,
} from '@aws-sdk/client-ivs';
import { useServer } from '../helpers/use-server.js';
import { p384PublicKey, type SdkError } from '../helpers/assert.js';

const CHANNEL_QUOTA = 12;

/** Runs all, returns [fulfilled values, error names]. */
async function settle<T>(ps: Array<Promise<T>>): Promise<[T[], string[]]> {
  const results = await Promise.allSettled(ps);
  const ok = results.filter((r): r is PromiseFulfilledResult<Awaited<T>> => r.status === 'fulfilled').map((r) => r.value);
  const errs = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as SdkError).name);
  return [ok, errs];
}

describe('concurrent requests', () => {
  const { ivs } = useServer({ env: { OPENIVS_QUOTA_CHANNELS: String(CHANNEL_QUOTA) } });

  it('concurrent CreateStreamKey on a keyless channel: exactly one wins', async () => {
    const { channel, streamKey } = await ivs.send(new CreateChannelCommand({ name: 'race-key' }));
    await ivs.send(new DeleteStreamKeyCommand({ arn: streamKey!.arn }));
    const [ok, errs] = await settle(
      Array.from({ length: 8 }, () => ivs.send(new CreateStreamKeyCommand({ channelArn: channel!.arn }))),
    );
    assert.equal(ok.length, 1, `winners: ${ok.length}, errors: ${errs.join(',')}`);
    assert.deepEqual(new Set(errs), new Set(['ServiceQuotaExceededException']));
    const keys = await ivs.send(new ListStreamKeysCommand({ channelArn: channel!.arn, maxResults: 50 }));
    assert.equal(keys.streamKeys!.length, 1);
    assert.equal(keys.streamKeys![0]!.arn, ok[0]!.streamKey!.arn);
    await ivs.send(new DeleteChannelCommand({ arn: channel!.arn }));
  });

  it('concurrent ImportPlaybackKeyPair of one key: exactly one wins', async () => {
    const pem = p384PublicKey();
    const [ok, errs] = await settle(
      Array.from({ length: 6 }, () => ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: pem }))),
    );
    assert.equal(ok.length, 1, `winners: ${ok.length}, errors: ${errs.join(',')}`);
    assert.deepEqual(new Set(errs), new Set(['ConflictException']));
  });

  it('concurrent imports never exceed the 3-key quota', async () => {
    const [ok, errs] = await settle(
      Array.from({ length: 6 }, () => ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: p384PublicKey() }))),
    );
    assert.equal(ok.length, 2, `one key exists already; winners: ${ok.length}, errors: ${errs.join(',')}`);
    assert.deepEqual(new Set(errs), new Set(['ServiceQuotaExceededException']));
    const list = await ivs.send(new ListPlaybackKeyPairsCommand({}));
    assert.equal(list.keyPairs!.length, 3);
  });

  it(`concurrent CreateChannel never exceeds the channel quota (${CHANNEL_QUOTA})`, async () => {
    const [ok, errs] = await settle(
      Array.from({ length: CHANNEL_QUOTA + 6 }, (_, i) => ivs.send(new CreateChannelCommand({ name: `burst-${i}` }))),
    );
    assert.equal(ok.length, CHANNEL_QUOTA, `created ${ok.length}; errors: ${errs.join(',')}`);
    assert.deepEqual(new Set(errs), new Set(['ServiceQuotaExceededException']));
    const list = await ivs.send(new ListChannelsCommand({}));
    assert.equal(list.channels!.length, CHANNEL_QUOTA);
    await Promise.all(ok.map((c) => ivs.send(new DeleteChannelCommand({ arn: c.channel!.arn }))));
    assert.deepEqual((await ivs.send(new ListChannelsCommand({}))).channels, []);
  });

  it('racing DeleteRecordingConfiguration with channels referencing it leaves no dangling reference', async () => {
    for (let round = 0; round < 5; round++) {
      const rc = (
        await ivs.send(
          new CreateRecordingConfigurationCommand({
            destinationConfiguration: { s3: { bucketName: `race-${round}` } },
          }),
        )
      ).recordingConfiguration!;
      const [created] = await settle<unknown>([
        ivs.send(new CreateChannelCommand({ name: `ref-${round}-a`, recordingConfigurationArn: rc.arn })),
        ivs.send(new DeleteRecordingConfigurationCommand({ arn: rc.arn })),
        ivs.send(new CreateChannelCommand({ name: `ref-${round}-b`, recordingConfigurationArn: rc.arn })),
      ]);
      const channels = (await ivs.send(new ListChannelsCommand({ filterByRecordingConfigurationArn: rc.arn }))).channels!;
      const rcExists = await ivs.send(new GetRecordingConfigurationCommand({ arn: rc.arn })).then(
        () => true,
        () => false,
      );
      if (channels.length > 0) assert.ok(rcExists, `round ${round}: channels reference a deleted configuration`);
      assert.equal(channels.length, created.filter((c) => typeof c === 'object' && c !== null && 'channel' in c).length);
      for (const c of channels) await ivs.send(new DeleteChannelCommand({ arn: c.arn }));
      if (rcExists) await ivs.send(new DeleteRecordingConfigurationCommand({ arn: rc.arn }));
    }
  });
});
