// Events and live-only APIs around real broadcasts: signed webhook deliveries of the stream state
// changes in causal order with the EventBridge envelope, PutMetadata while live (rate limit, size),
// viewer counting from playlist fetches, and the BASIC resolution limit (Limit Breach + failure).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateChannelCommand, GetStreamCommand, GetStreamSessionCommand, ListStreamSessionsCommand, PutMetadataCommand,
  type Channel, type IvsClient,
} from '@aws-sdk/client-ivs';
import { ivsClient, startServer, type TestServer } from '../helpers/server.js';
import { ACCOUNT, REGION, expectError } from '../helpers/assert.js';
import {
  firstVariantUrl, get, getMediaPlaylist, killAllChildren, pollUntil, publish, rtmpUrl, sleep, startWebhookReceiver,
  waitForMultivariant, type ReceivedEvent, type WebhookReceiver,
} from '../helpers/live.js';

const SECRET = 'live-events-test-secret';
const STATE = 'IVS Stream State Change';
const CAUSAL = ['Session Created', 'Stream Start', 'Stream End', 'Session Ended'];
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('live: events, PutMetadata, viewers, limits', { timeout: 150_000 }, () => {
  let hook: WebhookReceiver;
  let server: TestServer;
  let ivs: IvsClient;
  let breachStreamId = '';
  let breachArn = '';

  const createChannel = async (name: string): Promise<{ channel: Channel; key: string }> => {
    const out = await ivs.send(new CreateChannelCommand({ name, type: 'BASIC', insecureIngest: true }));
    return { channel: out.channel!, key: out.streamKey!.value! };
  };
  const eventsFor = (streamId: string): ReceivedEvent[] =>
    hook.unique().filter((e) => e.envelope?.detail?.stream_id === streamId);

  before(async () => {
    hook = await startWebhookReceiver(SECRET);
    server = await startServer({ env: { OPENIVS_EVENT_WEBHOOK_SECRET: SECRET }, args: ['--event-webhook', hook.url] });
    ivs = ivsClient(server);
  });
  after(async () => {
    killAllChildren();
    ivs?.destroy();
    await server?.stop();
    await hook?.close();
  });

  it('one broadcast: signed state-change events in causal order; PutMetadata and viewer count while live', async () => {
    const { channel, key } = await createChannel('events-ch');
    const arn = channel.arn!;
    await expectError(ivs.send(new PutMetadataCommand({ channelArn: arn, metadata: 'offline' })),
      'ChannelNotBroadcasting', 404, /is not currently online/);

    const pub = publish(rtmpUrl(server.rtmpPort, key), { seconds: 20 });
    try {
      const { playlist } = await waitForMultivariant(channel.playbackUrl!);
      const { stream } = await ivs.send(new GetStreamCommand({ channelArn: arn }));
      const streamId = stream!.streamId!;
      assert.match(streamId, /^st-[A-Za-z0-9]{23}$/);

      // --- PutMetadata while live
      const ok = await ivs.send(new PutMetadataCommand({ channelArn: arn, metadata: 'hello viewers' }));
      assert.equal(ok.$metadata.httpStatusCode, 204);
      await sleep(1100); // let the per-second window pass before the burst
      const burst = await Promise.allSettled(Array.from({ length: 6 }, (_, i) =>
        ivs.send(new PutMetadataCommand({ channelArn: arn, metadata: `burst ${i}` }))));
      const rejected = burst.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(burst.length - rejected.length, 5, 'five calls within a second succeed');
      assert.equal(rejected.length, 1, 'exactly one of six calls within a second is throttled');
      const err = rejected[0]!.reason as Error & { $metadata?: { httpStatusCode?: number } };
      assert.equal(err.name, 'ThrottlingException');
      assert.equal(err.$metadata?.httpStatusCode, 429);
      assert.equal(err.message, `Operation: ivs:PutMetadata exceeded call rate: 5 for resource: ${arn}`);
      await sleep(1100);
      await expectError(ivs.send(new PutMetadataCommand({ channelArn: arn, metadata: 'x'.repeat(1025) })),
        'ValidationException', 400, /Metadata size exceeds payload limit/);
      const max = await ivs.send(new PutMetadataCommand({ channelArn: arn, metadata: 'é'.repeat(512) })); // 1024 bytes
      assert.equal(max.$metadata.httpStatusCode, 204, '1024 bytes is within the limit');
      await expectError(ivs.send(new PutMetadataCommand({ channelArn: arn, metadata: 'é'.repeat(512) + 'x' })),
        'ValidationException', 400, /Metadata size exceeds payload limit/); // 1025 bytes, 513 characters

      // --- Viewer count: a session refreshing its media playlist like a player is one viewer; another is another.
      // (test/live/viewers.test.ts covers what does not count.)
      const viewer1 = firstVariantUrl(channel.playbackUrl!, playlist);
      assert.match(viewer1, /[?&]vs=/, 'media playlist URL carries a playback session');
      const second = await waitForMultivariant(channel.playbackUrl!);
      const viewer2 = firstVariantUrl(channel.playbackUrl!, second.playlist);
      assert.notEqual(new URL(viewer2).searchParams.get('vs'), new URL(viewer1).searchParams.get('vs'), 'a new session id');
      const viewerCount = async () => (await ivs.send(new GetStreamCommand({ channelArn: arn }))).stream?.viewerCount;
      for (let i = 0; i < 6; i++) {
        if (i > 0) await sleep(1000);
        await getMediaPlaylist(viewer1);
      }
      await pollUntil('viewerCount = 1', async () => (await viewerCount()) === 1, { timeoutMs: 5000 });
      for (let i = 0; i < 6; i++) {
        if (i > 0) await sleep(1000);
        await Promise.all([getMediaPlaylist(viewer1), getMediaPlaylist(viewer2)]);
      }
      await pollUntil('viewerCount = 2', async () => (await viewerCount()) === 2, { timeoutMs: 5000 });

      // --- End of the broadcast: events.
      const res = await pub.exited;
      assert.equal(res.code, 0, `publisher failed: ${res.stderr}`);
      await pollUntil('Session Ended delivered', () => hook.stateNames(streamId).includes('Session Ended'), { timeoutMs: 15_000 });

      const names = hook.stateNames(streamId);
      assert.deepEqual(names.filter((n) => CAUSAL.includes(n)), CAUSAL, `causal order of arrival: ${names.join(' → ')}`);
      assert.ok(!names.includes('Stream Failure'), `no Stream Failure for a clean end: ${names.join(', ')}`);
      for (const n of CAUSAL) assert.equal(names.filter((x) => x === n).length, 1, `${n} once`);

      const events = eventsFor(streamId);
      for (const e of events) {
        const env = e.envelope;
        assert.equal(e.signatureValid, true, `valid x-openivs-signature on ${e.detailType}`);
        assert.match(String(e.headers['x-openivs-signature']), /^sha256=[0-9a-f]{64}$/);
        assert.match(String(e.headers['content-type']), /application\/json/);
        assert.equal(e.headers['x-openivs-event-id'], env.id, 'event id header = envelope id');
        assert.equal(env.version, '0');
        assert.match(env.id, UUID_RE);
        assert.equal(env.source, 'aws.ivs');
        assert.equal(env.account, ACCOUNT);
        assert.equal(env.region, REGION);
        assert.deepEqual(env.resources, [arn]);
        assert.match(env.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'ISO-8601 time without milliseconds');
        assert.equal(env.detail.stream_id, streamId);
        assert.equal(env.detail.channel_name, 'events-ch');
      }
      const stateEvents = events.filter((e) => e.detailType === STATE && CAUSAL.includes(e.envelope.detail.event_name));
      const times = stateEvents.map((e) => Date.parse(e.envelope.time));
      for (let i = 1; i < times.length; i++) assert.ok(times[i - 1]! <= times[i]!, 'event times non-decreasing');

      // Every delivery (duplicates included) is signed.
      for (const e of hook.all) assert.equal(e.signatureValid, true, `signature on delivery ${e.id}`);

      await expectError(ivs.send(new PutMetadataCommand({ channelArn: arn, metadata: 'after' })),
        'ChannelNotBroadcasting', 404);
    } finally {
      await pub.kill();
    }
  });

  it('BASIC channel refuses 2560x1440 input: disconnect, Limit Breach (Ingest Resolution), Session Ended', async () => {
    const { channel, key } = await createChannel('too-big');
    const arn = channel.arn!;
    const pub = publish(rtmpUrl(server.rtmpPort, key), { seconds: 10, size: '2560x1440' });
    try {
      const res = await pub.exited;
      assert.notEqual(res.code, 0, 'the publisher is disconnected');
      assert.ok(res.ms < 8000, `disconnected early (after ${res.ms} ms of a 10 s publish)`);

      const { streamSessions } = await ivs.send(new ListStreamSessionsCommand({ channelArn: arn }));
      assert.equal(streamSessions?.length, 1, 'one (failed) session');
      const streamId = streamSessions![0]!.streamId!;
      await pollUntil('Session Ended delivered', () => hook.stateNames(streamId).includes('Session Ended'), { timeoutMs: 15_000 });

      const events = eventsFor(streamId);
      const breach = events.find((e) => e.detailType === 'IVS Limit Breach');
      assert.ok(breach, `an IVS Limit Breach event, got: ${events.map((e) => e.detailType).join(', ')}`);
      const d = breach.envelope.detail;
      assert.equal(d.limit_name, 'Ingest Resolution');
      assert.equal(typeof d.limit_value, 'number');
      assert.equal(typeof d.exceeded_by, 'number');
      assert.ok(d.exceeded_by > 0, 'exceeded_by > 0');
      assert.equal(typeof d.limit_unit, 'string');
      assert.equal(d.channel_name, 'too-big');
      assert.deepEqual(breach.envelope.resources, [arn]);
      assert.equal(breach.signatureValid, true);

      const names = hook.stateNames(streamId);
      assert.equal(names[0], 'Session Created', `first state event: ${names.join(' → ')}`);
      assert.equal(names[names.length - 1], 'Session Ended', `last state event: ${names.join(' → ')}`);
      assert.ok(!names.includes('Stream End') || names.indexOf('Stream End') < names.indexOf('Session Ended'));
      const endedIdx = hook.unique().findIndex((e) => e.envelope.detail?.stream_id === streamId
        && e.envelope.detail.event_name === 'Session Ended');
      assert.ok(hook.unique().indexOf(breach) < endedIdx, 'Limit Breach arrives before Session Ended');
      breachStreamId = streamId;
      breachArn = arn;

      await expectError(ivs.send(new GetStreamCommand({ channelArn: arn })), 'ChannelNotBroadcasting', 404);
      const { streamSession } = await ivs.send(new GetStreamSessionCommand({ channelArn: arn, streamId }));
      assert.ok(streamSession?.endTime instanceof Date, 'failed session has an endTime');
      assert.ok((streamSession?.truncatedEvents ?? []).some((e) => e.type === 'IVS Limit Breach'),
        `truncatedEvents record the limit breach: ${JSON.stringify(streamSession?.truncatedEvents)}`);
      const summary = (await ivs.send(new ListStreamSessionsCommand({ channelArn: arn }))).streamSessions?.[0];
      assert.equal(summary?.hasErrorEvent, true, 'hasErrorEvent for the failed session');

      const mv = await get(channel.playbackUrl!);
      assert.equal(mv.status, 404, 'nothing playable from the refused input');
    } finally {
      await pub.kill();
    }
  });

  it('the limit-breach disconnect is reported as a Stream Failure (with a reason) before Session Ended', async () => {
    assert.ok(breachStreamId, 'the limit breach test ran');
    const streamId = breachStreamId;
    const events = eventsFor(streamId);
    const names = hook.stateNames(streamId);
    assert.ok(names.includes('Stream Failure'), `Stream Failure in ${names.join(' → ')}`);
    const failure = events.find((e) => e.envelope.detail.event_name === 'Stream Failure')!;
    assert.equal(typeof failure.envelope.detail.reason, 'string');
    assert.ok(failure.envelope.detail.reason.length > 0, 'Stream Failure has a reason');
    assert.ok(names.indexOf('Session Ended') > names.indexOf('Stream Failure'), `Session Ended last: ${names.join(' → ')}`);
    const { streamSession } = await ivs.send(new GetStreamSessionCommand({ channelArn: breachArn, streamId }));
    const evNames = (streamSession?.truncatedEvents ?? []).map((e) => e.name);
    assert.ok(evNames.includes('Stream Failure'), `truncatedEvents include Stream Failure: ${evNames.join(', ')}`);
  });
});
