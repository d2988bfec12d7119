// Crash recovery: kill -9 the server while a publisher is live, restart it on the same data dir, and
// check that the orphaned session is closed, its end events reach the webhook receiver (kept running
// across the restart), and the channel can go live again.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateChannelCommand,
  GetStreamCommand,
  GetStreamSessionCommand,
  ListStreamSessionsCommand,
  ListStreamsCommand,
  type Channel,
} from '@aws-sdk/client-ivs';
import { useServer } from '../helpers/use-server.js';
import { expectError } from '../helpers/assert.js';
import { get, pollUntil, publish, rtmpUrl, waitForMultivariant, type Running } from '../helpers/live.js';

const SECRET = 'crash-test-secret';

describe('live: crash recovery', { timeout: 150_000 }, () => {
  const { server, ivs, hook } = useServer({ webhook: { secret: SECRET } });
  let channel: Channel;
  let key: string;
  let publisher: Running | undefined;
  let streamId: string;

  before(async () => {
    const out = await ivs.send(new CreateChannelCommand({ name: 'crashy', type: 'BASIC', insecureIngest: true }));
    channel = out.channel!;
    key = out.streamKey!.value!;
  });

  it('goes live and announces it', async () => {
    publisher = publish(rtmpUrl(server.rtmpPort, key), { seconds: 60 });
    await waitForMultivariant(channel.playbackUrl!);
    const { stream } = await ivs.send(new GetStreamCommand({ channelArn: channel.arn }));
    streamId = stream!.streamId!;
    await pollUntil('Stream Start delivered', () => hook.stateNames(streamId).includes('Stream Start'), { timeoutMs: 10_000 });
  });

  it('kill -9 mid-stream, restart on the same data dir: the session is closed and the end events are delivered', async () => {
    assert.ok(publisher && !publisher.done(), 'publisher live before the crash');
    const killed = await server.kill9();
    assert.equal(killed.signal, 'SIGKILL');
    const pubExit = await publisher.exited; // its TCP connection is gone
    assert.notEqual(pubExit.code, 0, 'publisher loses its connection');
    const deliveredBeforeRestart = hook.stateNames(streamId);
    assert.ok(!deliveredBeforeRestart.includes('Session Ended'), 'nothing claimed the session ended before the restart');

    await server.restart();

    const { streamSession } = await ivs.send(new GetStreamSessionCommand({ channelArn: channel.arn, streamId }));
    assert.equal(streamSession?.streamId, streamId);
    assert.ok(streamSession?.endTime instanceof Date, 'the orphaned session has an endTime after the restart');
    assert.ok(streamSession.endTime.getTime() >= streamSession.startTime!.getTime(), 'endTime after startTime');
    assert.ok(streamSession.endTime.getTime() <= Date.now() + 1000, 'endTime not in the future');
    const evNames = (streamSession.truncatedEvents ?? []).map((e) => e.name);
    assert.ok(evNames.includes('Stream Failure'), `truncatedEvents include Stream Failure: ${evNames.join(', ')}`);

    const { streams } = await ivs.send(new ListStreamsCommand({}));
    assert.deepEqual(streams ?? [], [], 'nothing live after the restart');
    await expectError(ivs.send(new GetStreamCommand({ channelArn: channel.arn })), 'ChannelNotBroadcasting', 404);
    const mv = await get(channel.playbackUrl!);
    assert.equal(mv.status, 404, 'multivariant playlist offline after the restart');
    const summary = (await ivs.send(new ListStreamSessionsCommand({ channelArn: channel.arn }))).streamSessions?.[0];
    assert.equal(summary?.streamId, streamId);
    assert.ok(summary?.endTime instanceof Date);
    assert.equal(summary?.hasErrorEvent, true, 'the crashed session is flagged');

    await pollUntil('Session Ended delivered after the restart', () => hook.stateNames(streamId).includes('Session Ended'), {
      timeoutMs: 20_000,
    });
    const names = hook.stateNames(streamId);
    for (const n of ['Session Created', 'Stream Start', 'Stream Failure', 'Stream End', 'Session Ended']) {
      assert.equal(names.filter((x) => x === n).length, 1, `${n} exactly once in ${names.join(' → ')}`);
    }
    const idx = (n: string) => names.indexOf(n);
    assert.ok(idx('Stream Start') < idx('Stream Failure'), `order: ${names.join(' → ')}`);
    assert.ok(idx('Stream Failure') < idx('Session Ended'), `order: ${names.join(' → ')}`);
    assert.ok(idx('Stream End') < idx('Session Ended'), `order: ${names.join(' → ')}`);
    const failure = hook
      .unique()
      .find((e) => e.envelope.detail?.stream_id === streamId && e.envelope.detail.event_name === 'Stream Failure')!;
    assert.equal(typeof failure.envelope.detail.reason, 'string');
    assert.ok(failure.envelope.detail.reason.length > 0, 'Stream Failure has a reason');
    for (const e of hook.all) assert.equal(e.signatureValid, true, `signed delivery ${e.detailType}`);
    for (const e of hook.unique().filter((x) => x.envelope.detail?.stream_id === streamId)) {
      assert.deepEqual(e.envelope.resources, [channel.arn]);
      assert.equal(e.envelope.source, 'aws.ivs');
    }
  });

  it('the channel goes live again after the restart', async () => {
    const pub = publish(rtmpUrl(server.rtmpPort, key), { seconds: 6 });
    try {
      await waitForMultivariant(channel.playbackUrl!);
      const { stream } = await ivs.send(new GetStreamCommand({ channelArn: channel.arn }));
      assert.equal(stream?.state, 'LIVE');
      assert.notEqual(stream?.streamId, streamId, 'a new stream id');
      const newId = stream.streamId!;
      const res = await pub.exited;
      assert.equal(res.code, 0, `publisher failed: ${res.stderr}`);
      await pollUntil('new stream Session Ended', () => hook.stateNames(newId).includes('Session Ended'), { timeoutMs: 15_000 });
      assert.deepEqual(hook.stateNames(newId), ['Session Created', 'Stream Start', 'Stream End', 'Session Ended']);
      const { streamSessions } = await ivs.send(new ListStreamSessionsCommand({ channelArn: channel.arn }));
      assert.deepEqual(
        streamSessions?.map((s) => s.streamId),
        [newId, streamId],
        'both sessions, newest first',
      );
      assert.ok(
        streamSessions?.every((s) => s.endTime instanceof Date),
        'both ended',
      );
    } finally {
      await pub.kill();
    }
  });
});
