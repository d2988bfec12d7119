// Stream operations while nothing is broadcasting: GetStream, ListStreams, StopStream, PutMetadata,
// ListStreamSessions and GetStreamSession, with their not-broadcasting / not-found / validation errors.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateChannelCommand,
  GetStreamCommand,
  GetStreamSessionCommand,
  ListStreamSessionsCommand,
  ListStreamsCommand,
  PutMetadataCommand,
  StopStreamCommand,
} from '@aws-sdk/client-ivs';
import { useServer } from '../helpers/use-server.js';
import { ACCOUNT, REGION, expectError } from '../helpers/assert.js';
import { callOperation } from '../helpers/http.js';

const MISSING = `arn:aws:ivs:${REGION}:${ACCOUNT}:channel/AbCdEfGh1234`;

describe('streams (offline channels)', () => {
  const { server, ivs } = useServer();
  let channelArn: string;
  before(async () => {
    channelArn = (await ivs.send(new CreateChannelCommand({ name: 'offline' }))).channel!.arn!;
  });

  it('GetStream on an offline channel is ChannelNotBroadcasting 404', async () => {
    const err = await expectError(ivs.send(new GetStreamCommand({ channelArn })), 'ChannelNotBroadcasting', 404);
    assert.match(err.message, /is not currently online/);
    assert.ok(err.message.includes(channelArn), err.message);
  });

  it('GetStream on a missing channel is ResourceNotFoundException 404', async () => {
    await expectError(ivs.send(new GetStreamCommand({ channelArn: MISSING })), 'ResourceNotFoundException', 404);
  });

  it('ListStreams is empty', async () => {
    const out = await ivs.send(new ListStreamsCommand({}));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.deepEqual(out.streams, []);
    assert.equal(out.nextToken, undefined);
    const healthy = await ivs.send(new ListStreamsCommand({ filterBy: { health: 'HEALTHY' }, maxResults: 5 }));
    assert.deepEqual(healthy.streams, []);
    await expectError(ivs.send(new ListStreamsCommand({ filterBy: { health: 'GREAT' as never } })), 'ValidationException', 400);
    await expectError(ivs.send(new ListStreamsCommand({ maxResults: 0 })), 'ValidationException', 400);
  });

  it('StopStream on an offline channel is ChannelNotBroadcasting 404', async () => {
    await expectError(ivs.send(new StopStreamCommand({ channelArn })), 'ChannelNotBroadcasting', 404);
    await expectError(ivs.send(new StopStreamCommand({ channelArn: MISSING })), 'ResourceNotFoundException', 404);
  });

  it('PutMetadata on an offline channel is ChannelNotBroadcasting 404', async () => {
    const err = await expectError(
      ivs.send(new PutMetadataCommand({ channelArn, metadata: 'hello' })),
      'ChannelNotBroadcasting',
      404,
    );
    assert.ok(err.message.includes(channelArn), err.message);
    await expectError(
      ivs.send(new PutMetadataCommand({ channelArn: MISSING, metadata: 'hello' })),
      'ResourceNotFoundException',
      404,
    );
  });

  it('PutMetadata over 1 KB is a ValidationException', async () => {
    await expectError(
      ivs.send(new PutMetadataCommand({ channelArn, metadata: 'x'.repeat(1025) })),
      'ValidationException',
      400,
      /Metadata size exceeds payload limit/,
    );
    // The limit is in bytes: 342 three-byte characters are 1026 bytes.
    await expectError(
      ivs.send(new PutMetadataCommand({ channelArn, metadata: '€'.repeat(342) })),
      'ValidationException',
      400,
      /Metadata size exceeds payload limit/,
    );
    // Exactly 1024 bytes passes validation and meets the offline check instead.
    await expectError(
      ivs.send(new PutMetadataCommand({ channelArn, metadata: 'x'.repeat(1024) })),
      'ChannelNotBroadcasting',
      404,
    );
  });

  it('PutMetadata with missing or empty fields is a ValidationException', async () => {
    await expectError(ivs.send(new PutMetadataCommand({ channelArn, metadata: '' })), 'ValidationException', 400);
    const res = await callOperation(server, 'PutMetadata', { metadata: 'x' });
    assert.equal(res.status, 400);
    assert.equal(res.headers['x-amzn-errortype'], 'ValidationException');
    assert.match(res.json().exceptionMessage, /channelArn/);
  });

  it('ListStreamSessions on a channel that never streamed is empty', async () => {
    const out = await ivs.send(new ListStreamSessionsCommand({ channelArn }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.deepEqual(out.streamSessions, []);
    await expectError(ivs.send(new ListStreamSessionsCommand({ channelArn: MISSING })), 'ResourceNotFoundException', 404);
  });

  it('GetStreamSession without sessions is ResourceNotFoundException', async () => {
    await expectError(ivs.send(new GetStreamSessionCommand({ channelArn })), 'ResourceNotFoundException', 404);
    await expectError(
      ivs.send(new GetStreamSessionCommand({ channelArn, streamId: 'st-AbCdEfGhIjKlMnOpQrStUvW' })),
      'ResourceNotFoundException',
      404,
    );
    await expectError(ivs.send(new GetStreamSessionCommand({ channelArn: MISSING })), 'ResourceNotFoundException', 404);
    await expectError(ivs.send(new GetStreamSessionCommand({ channelArn, streamId: 'st-short' })), 'ValidationException', 400);
  });

  it('malformed channel ARNs are ValidationException 400', async () => {
    for (const send of [
      () => ivs.send(new GetStreamCommand({ channelArn: 'x' })),
      () => ivs.send(new StopStreamCommand({ channelArn: 'x' })),
      () => ivs.send(new PutMetadataCommand({ channelArn: 'x', metadata: 'm' })),
      () => ivs.send(new ListStreamSessionsCommand({ channelArn: 'x' })),
    ]) {
      await expectError(send(), 'ValidationException', 400);
    }
  });
});
