// The console's SigV4 routes against a real server, with raw signed requests: unsigned or mis-signed requests are
// refused with the API's 403 JSON; another account's channel is not found; a live stream's metrics carry its
// per-second figures; the event stream (presigned, as EventSource uses it) delivers the caller's events only, honours
// the channel and detail-type filters and Last-Event-ID, and ends when its presigned URL expires.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateChannelCommand, type IvsClient } from '@aws-sdk/client-ivs';
import { openSse, type SseStream } from '../helpers/console-sse.js';
import { EVENTS, METRICS, presignedGet, RECORDINGS, signedGet, unsignedGet } from '../helpers/console-routes.js';
import { sendRaw } from '../helpers/http.js';
import { killAllChildren, pollUntil, publish, rtmpUrl, sleep } from '../helpers/live.js';
import { startServer, type OpenivsServer as TestServer } from '../../devtools/server.js';
import { ivsClient } from '../helpers/use-server.js';

const OTHER = { accessKeyId: 'other', secretAccessKey: 'other-secret', account: '111111111111' };

describe('console routes: authentication, scoping, metrics and the event stream', { timeout: 120_000 }, () => {
  let server: TestServer;
  let ivs: IvsClient;
  let otherIvs: IvsClient;
  let live: { arn: string; key: string };
  let idle: string;
  let otherArn: string;
  const streams: SseStream[] = [];

  before(async () => {
    server = await startServer({
      env: { OPENIVS_CREDENTIALS: `test:test:000000000000,${OTHER.accessKeyId}:${OTHER.secretAccessKey}:${OTHER.account}` },
    });
    ivs = ivsClient(server);
    otherIvs = ivsClient(server, OTHER);
    const a = await ivs.send(new CreateChannelCommand({ name: 'metered', type: 'BASIC', insecureIngest: true }));
    live = { arn: a.channel!.arn!, key: a.streamKey!.value! };
    idle = (await ivs.send(new CreateChannelCommand({ name: 'idle' }))).channel!.arn!;
    otherArn = (await otherIvs.send(new CreateChannelCommand({ name: 'theirs' }))).channel!.arn!;
  });
  after(async () => {
    killAllChildren();
    for (const s of streams) s.close();
    ivs?.destroy();
    otherIvs?.destroy();
    await server?.stop();
  });

  const expectError = (res: { status: number; headers: Record<string, unknown>; text: string }, status: number, type: string) => {
    assert.equal(res.status, status, res.text);
    assert.equal(res.headers['x-amzn-errortype'], type, res.text);
    const body = JSON.parse(res.text) as { message?: string };
    assert.equal(typeof body.message, 'string');
    return body.message!;
  };

  it('refuses unsigned and mis-signed requests with the API 403 JSON, on every route', async () => {
    for (const path of [METRICS, RECORDINGS, EVENTS]) {
      expectError(await unsignedGet(server, path, { channelArn: live.arn }), 403, 'MissingAuthenticationTokenException');
      expectError(
        await signedGet(server, path, { channelArn: live.arn }, { secretAccessKey: 'wrong' }),
        403,
        'InvalidSignatureException',
      );
      expectError(
        await signedGet(server, path, { channelArn: live.arn }, { accessKeyId: 'nobody' }),
        403,
        'UnrecognizedClientException',
      );
    }
    // Tampering with a signed query (another channel) breaks the signature.
    const signed = await presignedGet(server, METRICS, { channelArn: idle });
    expectError(
      await sendRaw(server, { ...signed, query: { ...signed.query, channelArn: otherArn } }),
      403,
      'InvalidSignatureException',
    );
  });

  it('answers bad input with the API error shape', async () => {
    expectError(await signedGet(server, METRICS, {}), 400, 'ValidationException');
    expectError(await signedGet(server, RECORDINGS, { channelArn: 'not-an-arn' }), 400, 'ValidationException');
    expectError(await signedGet(server, RECORDINGS, { channelArn: live.arn, maxResults: '1000' }), 400, 'ValidationException');
    expectError(await signedGet(server, METRICS, { channelArn: live.arn, since: 'yesterday' }), 400, 'ValidationException');
    expectError(await signedGet(server, EVENTS, { detailType: 'Nope' }), 400, 'ValidationException');
    expectError(await sendRaw(server, { method: 'POST', path: METRICS, body: '{}' }), 405, 'MethodNotAllowedException');
    const preflight = await sendRaw(server, {
      method: 'OPTIONS',
      path: EVENTS,
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], '*');
  });

  it("never shows another account's channel", async () => {
    const message = expectError(await signedGet(server, METRICS, { channelArn: otherArn }), 404, 'ResourceNotFoundException');
    assert.doesNotMatch(message, /theirs/);
    expectError(await signedGet(server, RECORDINGS, { channelArn: otherArn }), 404, 'ResourceNotFoundException');
    // The same ARN in another region of the same account is not the caller's either.
    expectError(
      await signedGet(server, METRICS, { channelArn: live.arn }, { region: 'eu-west-1' }),
      404,
      'ResourceNotFoundException',
    );
    expectError(await signedGet(server, METRICS, { channelArn: idle }), 404, 'ChannelNotBroadcasting');
    const none = await signedGet(server, RECORDINGS, { channelArn: idle });
    assert.equal(none.status, 200, none.text);
    assert.deepEqual(none.json(), {
      channelArn: idle,
      storage: 'local',
      recordingConfigurationArn: null,
      bucketName: null,
      recordings: [],
    });
  });

  it("streams the caller's events only, with filters, Last-Event-ID and a bounded life", async () => {
    const open = async (query: Record<string, string>, opts = {}, headers: Record<string, string> = {}) => {
      const s = await openSse(server.port, await presignedGet(server, EVENTS, query, opts), headers);
      streams.push(s);
      assert.equal(s.status, 200, s.text());
      assert.match(String(s.headers['content-type']), /^text\/event-stream/);
      return s;
    };
    const mine = await open({});
    const theirs = await open({}, OTHER);
    const otherChannel = await open({ channelArn: idle });
    const health = await open({ detailType: 'IVS Stream Health Change' });
    const states = await open({ detailType: 'IVS Stream State Change', channelArn: live.arn });

    publish(rtmpUrl(server.rtmpPort, live.key), { seconds: 40 });
    const start = await mine.waitFor(
      'Stream Start',
      (m) => m.event === 'IVS Stream State Change' && m.data.includes('"Stream Start"'),
    );
    const envelope = JSON.parse(start.data) as { id: string; account: string; region: string; resources: string[] };
    assert.equal(start.id, envelope.id);
    assert.deepEqual([envelope.account, envelope.region, envelope.resources], ['000000000000', 'us-west-2', [live.arn]]);
    await states.waitFor('filtered Stream Start', (m) => m.id === start.id);

    // Metrics while it is live: per-second samples with plausible figures for a 30 fps, -g 60, AAC test pattern.
    const metrics = await pollUntil(
      'three metric samples',
      async () => {
        const res = await signedGet(server, METRICS, { channelArn: live.arn });
        const body = res.json();
        return res.status === 200 && body.samples.length >= 3 ? body : undefined;
      },
      { timeoutMs: 15_000 },
    );
    assert.equal(metrics.channelArn, live.arn);
    assert.match(metrics.streamId, /^st-/);
    assert.equal(metrics.intervalSeconds, 1);
    const last = metrics.samples.at(-1);
    assert.ok(last.ingestVideoBitrate > 50_000, JSON.stringify(last));
    assert.ok(last.ingestAudioBitrate > 10_000, JSON.stringify(last));
    assert.ok(last.ingestFramerate > 20 && last.ingestFramerate < 40, JSON.stringify(last));
    assert.ok(last.keyframeInterval > 1.5 && last.keyframeInterval < 2.5, JSON.stringify(last));
    assert.equal(typeof last.concurrentViews, 'number');
    const later = (await signedGet(server, METRICS, { channelArn: live.arn, since: String(last.time) })).json();
    assert.ok(later.samples.every((s: { time: number }) => s.time > last.time));

    // Resuming after the first event replays what came after it.
    const first = mine.messages[0]!;
    const resumed = await open({}, {}, { 'last-event-id': first.id! });
    await resumed.waitFor('replayed Stream Start', (m) => m.id === start.id, 5_000);
    assert.notEqual(resumed.messages[0]!.id, first.id);

    await sleep(1_000); // anything that could leak has had its chance
    assert.equal(theirs.messages.length, 0, `another account received: ${theirs.text()}`);
    assert.equal(otherChannel.messages.length, 0, otherChannel.text());
    assert.equal(health.messages.length, 0, health.text());
  });

  it('refuses an expired presigned URL and ends a stream when its URL expires', async () => {
    const stale = await presignedGet(server, EVENTS, {}, { signingDate: new Date(Date.now() - 10 * 60_000), expiresIn: 60 });
    const message = expectError(await sendRaw(server, stale), 403, 'InvalidSignatureException');
    assert.match(message, /expired/i);

    const signedAt = new Date();
    const shortLived = await presignedGet(server, EVENTS, {}, { signingDate: signedAt, expiresIn: 2 });
    const s = await openSse(server.port, shortLived);
    streams.push(s);
    assert.equal(s.status, 200);
    await Promise.race([s.ended, sleep(15_000)]);
    const endedAt = s.endedAt();
    assert.ok(endedAt !== undefined, 'the stream outlived its presigned URL');
    // X-Amz-Date has whole seconds: the URL is good until that second + 2 s.
    assert.ok(
      endedAt >= Math.floor(signedAt.getTime() / 1000) * 1000 + 2_000 - 50,
      `ended ${endedAt - signedAt.getTime()} ms after signing`,
    );
    expectError(await sendRaw(server, shortLived), 403, 'InvalidSignatureException');
  });
});
