// What ingest refuses and how fast: wrong stream keys, garbage on the RTMP port, a second publisher on
// a live channel, the concurrent-broadcasts quota (set to 1 for this server), DeleteChannel while live,
// and StopStream. The its run in order; at most one channel is live at any time.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import {
  CreateChannelCommand,
  DeleteChannelCommand,
  GetChannelCommand,
  GetStreamCommand,
  ListStreamSessionsCommand,
  ListStreamsCommand,
  StopStreamCommand,
  type Channel,
} from '@aws-sdk/client-ivs';
import { useServer } from '../helpers/use-server.js';
import { expectError } from '../helpers/assert.js';
import {
  firstVariantUrl,
  getMediaPlaylist,
  playlistEnd,
  pollUntil,
  publish,
  rtmpUrl,
  waitForMultivariant,
  type Running,
} from '../helpers/live.js';

const FAST_REFUSAL_MS = 5000;

interface Created {
  channel: Channel;
  key: string;
}

/** Sends bytes to the RTMP port; resolves with how long the server took to close the connection. */
function sendGarbage(port: number, chunks: Buffer[], timeoutMs = 8000): Promise<{ closedAfterMs: number; bytesBack: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let bytesBack = 0;
    const sock = connect({ host: '127.0.0.1', port }, () => {
      for (const c of chunks) sock.write(c);
    });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`server kept the garbage connection open for ${timeoutMs} ms (${bytesBack} bytes answered)`));
    }, timeoutMs);
    sock.on('data', (d: Buffer) => {
      bytesBack += d.length;
    });
    sock.on('error', () => undefined); // ECONNRESET is a fine way to close
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ closedAfterMs: Date.now() - started, bytesBack });
    });
  });
}

describe('live: ingest refusals', { timeout: 150_000 }, () => {
  const { server, ivs } = useServer({ env: { OPENIVS_QUOTA_CONCURRENT_BROADCASTS: '1' } });
  let a: Created;
  let b: Created;
  let first: Running | undefined;
  let mediaUrlA: string;
  let streamIdA: string;

  const create = async (name: string): Promise<Created> => {
    const out = await ivs.send(new CreateChannelCommand({ name, type: 'BASIC', insecureIngest: true }));
    return { channel: out.channel!, key: out.streamKey!.value! };
  };
  const sessions = async (c: Created) =>
    (await ivs.send(new ListStreamSessionsCommand({ channelArn: c.channel.arn }))).streamSessions ?? [];

  before(async () => {
    a = await create('refusals-a');
    b = await create('refusals-b');
  });

  it('a wrong stream key is refused fast and creates no session', async () => {
    const prefix = a.key.slice(0, a.key.length - 30);
    const wrongSecret = `${prefix}${'A'.repeat(30)}`; // right key id, wrong secret part
    const unknownId = `sk_us-west-2_ZZZZZZZZZZZZ_${a.key.slice(-30)}`; // no such key id
    for (const key of [wrongSecret, unknownId, 'not-a-key', a.key.slice(0, -1)]) {
      const res = await publish(rtmpUrl(server.rtmpPort, key), { seconds: 6 }).exited;
      assert.notEqual(res.code, 0, `key ${key} must be refused`);
      assert.ok(res.ms < FAST_REFUSAL_MS, `refused within ${FAST_REFUSAL_MS} ms (took ${res.ms} ms) for ${key}`);
    }
    await expectError(ivs.send(new GetStreamCommand({ channelArn: a.channel.arn })), 'ChannelNotBroadcasting', 404);
    assert.deepEqual(await sessions(a), [], 'no stream session after refused publishes');
  });

  it('garbage bytes on the RTMP port: the connection is closed quickly', async () => {
    // Not an RTMP handshake at all (version byte other than 3).
    const junk = randomBytes(4096);
    junk[0] = 0x42;
    const r1 = await sendGarbage(server.rtmpPort, [junk]);
    assert.ok(r1.closedAfterMs < 3000, `closed after ${r1.closedAfterMs} ms`);

    // A valid C0+C1, then random bytes where C2 and the chunk stream should be.
    const c0c1 = Buffer.concat([Buffer.from([3]), Buffer.alloc(8), randomBytes(1528)]);
    const r2 = await sendGarbage(server.rtmpPort, [c0c1, randomBytes(1536), randomBytes(64 * 1024)]);
    assert.ok(r2.closedAfterMs < 5000, `closed after ${r2.closedAfterMs} ms`);

    // Many junk connections in parallel do not wedge the listener. Their first byte is never 3: random junk that
    // happens to start like C0 is a valid handshake start, and its short C2 is then only ended by the 10 s timeout.
    const junkConnection = () => {
      const bytes = randomBytes(2048);
      if (bytes[0] === 3) bytes[0] = 0x42;
      return sendGarbage(server.rtmpPort, [bytes]);
    };
    const many = await Promise.all(Array.from({ length: 20 }, junkConnection));
    for (const r of many) assert.ok(r.closedAfterMs < 5000, `closed after ${r.closedAfterMs} ms`);
    const health = await fetch(`${server.url}/_openivs/health`);
    await health.arrayBuffer();
    assert.equal(health.status, 200, 'server still healthy');
  });

  it('a normal publish works after the garbage; a second publisher on the live channel is refused', async () => {
    first = publish(rtmpUrl(server.rtmpPort, a.key), { seconds: 40 });
    const { playlist } = await waitForMultivariant(a.channel.playbackUrl!);
    mediaUrlA = firstVariantUrl(a.channel.playbackUrl!, playlist);
    const { stream } = await ivs.send(new GetStreamCommand({ channelArn: a.channel.arn }));
    assert.equal(stream?.state, 'LIVE');
    streamIdA = stream.streamId!;
    const before = playlistEnd((await getMediaPlaylist(mediaUrlA)).playlist);

    const second = await publish(rtmpUrl(server.rtmpPort, a.key), { seconds: 6 }).exited;
    assert.notEqual(second.code, 0, 'second publisher must be refused');
    assert.ok(second.ms < FAST_REFUSAL_MS, `second publisher refused within ${FAST_REFUSAL_MS} ms (took ${second.ms} ms)`);

    assert.ok(!first.done(), 'first publisher keeps going');
    await pollUntil(
      "first publisher's playlist to keep advancing",
      async () => playlistEnd((await getMediaPlaylist(mediaUrlA)).playlist) >= before + 2,
      { timeoutMs: 10_000 },
    );
    const again = await ivs.send(new GetStreamCommand({ channelArn: a.channel.arn }));
    assert.equal(again.stream?.streamId, streamIdA, 'same stream, not replaced');
    assert.equal((await sessions(a)).length, 1, 'the refused publisher created no session');
  });

  it("concurrent-broadcasts quota 1: another channel's publish is refused while one is live", async () => {
    assert.ok(first && !first.done(), 'channel A still live');
    const res = await publish(rtmpUrl(server.rtmpPort, b.key), { seconds: 6 }).exited;
    assert.notEqual(res.code, 0, 'publish over the quota must fail');
    assert.ok(res.ms < FAST_REFUSAL_MS, `refused within ${FAST_REFUSAL_MS} ms (took ${res.ms} ms)`);
    await expectError(ivs.send(new GetStreamCommand({ channelArn: b.channel.arn })), 'ChannelNotBroadcasting', 404);
    const live = (await ivs.send(new ListStreamsCommand({}))).streams ?? [];
    assert.deepEqual(
      live.map((s) => s.channelArn),
      [a.channel.arn],
      'only channel A is live',
    );
    assert.ok(!first.done(), 'channel A unaffected');
  });

  it('DeleteChannel on the live channel is a 409 ConflictException; the channel stays', async () => {
    await expectError(ivs.send(new DeleteChannelCommand({ arn: a.channel.arn })), 'ConflictException', 409);
    const { channel } = await ivs.send(new GetChannelCommand({ arn: a.channel.arn }));
    assert.equal(channel?.arn, a.channel.arn);
    const { stream } = await ivs.send(new GetStreamCommand({ channelArn: a.channel.arn }));
    assert.equal(stream?.streamId, streamIdA, 'still live after the refused delete');
  });

  it('StopStream disconnects the publisher; GetStream then answers ChannelNotBroadcasting', async () => {
    assert.ok(first && !first.done(), 'channel A still live');
    const stoppedAt = Date.now();
    const out = await ivs.send(new StopStreamCommand({ channelArn: a.channel.arn }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    const res = await first.exited;
    assert.notEqual(res.code, 0, 'ffmpeg exits with an error when disconnected');
    assert.ok(Date.now() - stoppedAt < 5000, `publisher disconnected within 5 s (took ${Date.now() - stoppedAt} ms)`);
    await pollUntil(
      'GetStream → ChannelNotBroadcasting',
      async () => {
        try {
          await ivs.send(new GetStreamCommand({ channelArn: a.channel.arn }));
          return false;
        } catch (err) {
          return (err as Error).name === 'ChannelNotBroadcasting';
        }
      },
      { timeoutMs: 5000 },
    );
    await expectError(ivs.send(new StopStreamCommand({ channelArn: a.channel.arn })), 'ChannelNotBroadcasting', 404);
    const [session] = await sessions(a);
    assert.equal(session?.streamId, streamIdA);
    assert.ok(session?.endTime instanceof Date, 'session ended');
    await pollUntil('ENDLIST after StopStream', async () => (await getMediaPlaylist(mediaUrlA)).playlist.endlist, {
      timeoutMs: 10_000,
    });
  });

  it('with the quota freed, the other channel publishes; the stopped channel can be deleted', async () => {
    const pub = publish(rtmpUrl(server.rtmpPort, b.key), { seconds: 6 });
    try {
      await waitForMultivariant(b.channel.playbackUrl!);
      const { stream } = await ivs.send(new GetStreamCommand({ channelArn: b.channel.arn }));
      assert.equal(stream?.state, 'LIVE');
      const del = await ivs.send(new DeleteChannelCommand({ arn: a.channel.arn }));
      assert.equal(del.$metadata.httpStatusCode, 204);
      const res = await pub.exited;
      assert.equal(res.code, 0, `publisher failed: ${res.stderr}`);
    } finally {
      await pub.kill();
    }
  });
});
