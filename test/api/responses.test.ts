// Response conventions: success status codes per operation, the rest-json error format
// (x-amzn-ErrorType, x-amzn-RequestId, exceptionMessage + message), and NotImplementedException.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAdConfigurationCommand,
  CreateChannelCommand,
  CreatePlaybackRestrictionPolicyCommand,
  CreateRecordingConfigurationCommand,
  DeleteChannelCommand,
  DeletePlaybackKeyPairCommand,
  DeletePlaybackRestrictionPolicyCommand,
  DeleteRecordingConfigurationCommand,
  DeleteStreamKeyCommand,
  ImportPlaybackKeyPairCommand,
} from '@aws-sdk/client-ivs';
import { useServer } from '../helpers/use-server.js';
import { ACCOUNT, REGION, expectError, expectRawError, p384PublicKey } from '../helpers/assert.js';
import { callOperation } from '../helpers/http.js';

describe('responses', () => {
  const { server, ivs } = useServer();

  it('Delete* answer 204 with an empty body (raw)', async () => {
    const { channel, streamKey } = await ivs.send(new CreateChannelCommand({}));
    const rc = await ivs.send(
      new CreateRecordingConfigurationCommand({ destinationConfiguration: { s3: { bucketName: 'bkt' } } }),
    );
    const pol = await ivs.send(new CreatePlaybackRestrictionPolicyCommand({}));
    const cases: Array<[string, string]> = [
      ['DeleteStreamKey', streamKey!.arn!],
      ['DeleteChannel', channel!.arn!],
      ['DeleteRecordingConfiguration', rc.recordingConfiguration!.arn!],
      ['DeletePlaybackRestrictionPolicy', pol.playbackRestrictionPolicy!.arn!],
    ];
    for (const [op, arn] of cases) {
      const res = await callOperation(server, op, { arn });
      assert.equal(res.status, 204, `${op}: ${res.text}`);
      assert.equal(res.text, '', `${op} body`);
      assert.ok(res.headers['x-amzn-requestid'], `${op} has x-amzn-RequestId`);
    }
  });

  it('Delete* through the SDK report 204, DeletePlaybackKeyPair 200', async () => {
    const { channel, streamKey } = await ivs.send(new CreateChannelCommand({}));
    const rc = await ivs.send(
      new CreateRecordingConfigurationCommand({ destinationConfiguration: { s3: { bucketName: 'bkt' } } }),
    );
    const pol = await ivs.send(new CreatePlaybackRestrictionPolicyCommand({}));
    const kp = await ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: p384PublicKey() }));
    assert.equal((await ivs.send(new DeleteStreamKeyCommand({ arn: streamKey!.arn }))).$metadata.httpStatusCode, 204);
    assert.equal((await ivs.send(new DeleteChannelCommand({ arn: channel!.arn }))).$metadata.httpStatusCode, 204);
    assert.equal(
      (await ivs.send(new DeleteRecordingConfigurationCommand({ arn: rc.recordingConfiguration!.arn }))).$metadata.httpStatusCode,
      204,
    );
    assert.equal(
      (await ivs.send(new DeletePlaybackRestrictionPolicyCommand({ arn: pol.playbackRestrictionPolicy!.arn }))).$metadata
        .httpStatusCode,
      204,
    );
    assert.equal((await ivs.send(new DeletePlaybackKeyPairCommand({ arn: kp.keyPair!.arn }))).$metadata.httpStatusCode, 200);
  });

  it('DeletePlaybackKeyPair answers 200 {} (raw)', async () => {
    const kp = await ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: p384PublicKey() }));
    const res = await callOperation(server, 'DeletePlaybackKeyPair', { arn: kp.keyPair!.arn });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json(), {});
  });

  it('CreateChannel / GetChannel answer 200 with a JSON body (raw)', async () => {
    const res = await callOperation(server, 'CreateChannel', { name: 'raw-create' });
    assert.equal(res.status, 200, res.text);
    assert.match(String(res.headers['content-type']), /application\/json/);
    const body = res.json();
    assert.equal(body.channel.name, 'raw-create');
    assert.ok(body.streamKey.value.startsWith(`sk_${REGION}_`));
    const get = await callOperation(server, 'GetChannel', { arn: body.channel.arn });
    assert.equal(get.status, 200);
    assert.deepEqual(get.json().channel, body.channel);
  });

  it('errors carry x-amzn-ErrorType, x-amzn-RequestId, exceptionMessage and message', async () => {
    const missing = `arn:aws:ivs:${REGION}:${ACCOUNT}:channel/AbCdEfGh1234`;
    const notFound = expectRawError(
      await callOperation(server, 'GetChannel', { arn: missing }),
      'ResourceNotFoundException',
      404,
    );
    assert.equal(notFound.exceptionMessage, notFound.message);
    expectRawError(await callOperation(server, 'GetChannel', { arn: 'bad' }), 'ValidationException', 400);
    expectRawError(await callOperation(server, 'GetChannel', {}), 'ValidationException', 400);
    const { channel } = await ivs.send(new CreateChannelCommand({}));
    expectRawError(await callOperation(server, 'GetStream', { channelArn: channel!.arn }), 'ChannelNotBroadcasting', 404);
    expectRawError(
      await callOperation(server, 'CreateStreamKey', { channelArn: channel!.arn }),
      'ServiceQuotaExceededException',
      402,
    );
    expectRawError(
      await callOperation(server, 'ListChannels', {
        filterByName: 'a',
        filterByRecordingConfigurationArn: `arn:aws:ivs:${REGION}:${ACCOUNT}:recording-configuration/AbCdEfGh1234`,
      }),
      'ConflictException',
      409,
    );
  });

  it('every response has a unique x-amzn-RequestId, also visible to the SDK', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = await callOperation(server, 'ListChannels', {});
      ids.add(String(res.headers['x-amzn-requestid']));
    }
    assert.equal(ids.size, 5);
    const err = await expectError(
      ivs.send(
        new DeleteChannelCommand({
          arn: `arn:aws:ivs:${REGION}:${ACCOUNT}:channel/AbCdEfGh1234`,
        }),
      ),
      'ResourceNotFoundException',
      404,
    );
    assert.ok(err.$metadata?.requestId, 'SDK sees the request id');
  });

  it('CreateAdConfiguration with a playback configuration of another account: ValidationException 400, both clients', async () => {
    const input = {
      name: 'ads',
      mediaTailorPlaybackConfigurations: [
        { playbackConfigurationArn: `arn:aws:mediatailor:${REGION}:999999999999:playbackConfiguration/test` },
      ],
    };
    const err = await expectError(ivs.send(new CreateAdConfigurationCommand(input)), 'ValidationException', 400);
    assert.match(err.message, /account and region/);
    const raw = expectRawError(await callOperation(server, 'CreateAdConfiguration', input), 'ValidationException', 400);
    assert.match(raw.exceptionMessage, /account and region/);
  });
});
