// Every `integer` member is range-checked to int32 and every `long` to the range a JavaScript number
// holds exactly (issue 10, defect 6): 2^31, 2^53+1 (which JSON.parse would silently round), 2^64 and
// 1e308 are ValidationExceptions, never stored. Raw SigV4 for the values the SDK cannot express
// exactly, the SDK for the rest; what was stored is read back after a kill -9 with the Store itself.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchStartViewerSessionRevocationCommand,
  CreateChannelCommand,
  ListChannelsCommand,
  StartViewerSessionRevocationCommand,
} from '@aws-sdk/client-ivs';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import { useServer } from '../helpers/use-server.js';
import { expectError, expectRawError } from '../helpers/assert.js';
import { callOperation, sendSigned } from '../helpers/http.js';

/** JSON number texts out of int32 range or not integers; written raw so nothing rounds them first. */
const OUT_OF_RANGE = ['2147483648', '9007199254740993', '18446744073709551616', '1e308', '-2147483649', '1.5', '1e-7'];

describe('integer ranges', () => {
  const { server, ivs } = useServer();
  let channelArn: string;
  before(async () => {
    channelArn = (await ivs.send(new CreateChannelCommand({ name: 'ranges', authorized: true }))).channel!.arn!;
  });

  it('viewerSessionVersionsLessThanOrEqualTo (integer) refuses values beyond int32, raw and in the batch', async () => {
    for (const text of OUT_OF_RANGE) {
      const single = await sendSigned(server, {
        path: '/StartViewerSessionRevocation',
        body: `{"channelArn":"${channelArn}","viewerId":"v-${text}","viewerSessionVersionsLessThanOrEqualTo":${text}}`,
      });
      const body = expectRawError(single, 'ValidationException', 400);
      assert.match(body.message, /viewerSessionVersionsLessThanOrEqualTo/, body.message);
      const batch = await sendSigned(server, {
        path: '/BatchStartViewerSessionRevocation',
        body:
          `{"viewerSessions":[{"channelArn":"${channelArn}","viewerId":"b-${text}",` +
          `"viewerSessionVersionsLessThanOrEqualTo":${text}}]}`,
      });
      expectRawError(batch, 'ValidationException', 400);
    }
    // The largest int32 is fine, through the SDK too.
    const ok = await ivs.send(
      new StartViewerSessionRevocationCommand({
        channelArn,
        viewerId: 'max',
        viewerSessionVersionsLessThanOrEqualTo: 2147483647,
      }),
    );
    assert.equal(ok.$metadata.httpStatusCode, 200);
    await expectError(
      ivs.send(
        new BatchStartViewerSessionRevocationCommand({
          viewerSessions: [{ channelArn, viewerId: 'sdk', viewerSessionVersionsLessThanOrEqualTo: 2 ** 31 }],
        }),
      ),
      'ValidationException',
      400,
    );
  });

  it('nothing out of range was stored', async () => {
    await server.kill9();
    const store = await openSqliteStore({ dataDir: server.dataDir });
    try {
      for (const text of OUT_OF_RANGE) {
        assert.equal(await store.viewerRevocations.find(channelArn, `v-${text}`), undefined, text);
        assert.equal(await store.viewerRevocations.find(channelArn, `b-${text}`), undefined, text);
      }
      assert.equal(await store.viewerRevocations.find(channelArn, 'max'), 2147483647);
    } finally {
      await store.close();
      await server.restart();
    }
  });

  it('other integer members (bounded by the model) and query-string integers refuse out-of-range values', async () => {
    for (const text of ['4294967397', '1e308', '100.5']) {
      expectRawError(
        await sendSigned(server, { path: '/ListChannels', body: `{"maxResults":${text}}` }),
        'ValidationException',
        400,
      );
      expectRawError(
        await sendSigned(server, {
          path: '/CreateRecordingConfiguration',
          body: `{"destinationConfiguration":{"s3":{"bucketName":"b"}},"thumbnailConfiguration":{"targetIntervalSeconds":${text}}}`,
        }),
        'ValidationException',
        400,
      );
    }
    const listed = await ivs.send(new ListChannelsCommand({ maxResults: 100 }));
    assert.equal(listed.$metadata.httpStatusCode, 200);
    const fractionOne = await callOperation(server, 'ListChannels', '{"maxResults":1.0}');
    assert.equal(fractionOne.status, 200, 'an integral number written with a fraction is still that integer');
  });
});
