// RTMPS ingest (TLS, self-signed certificate from the data dir) on a channel without insecureIngest,
// and the refusal of plain RTMP for that same channel.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import {
  CreateChannelCommand,
  GetStreamCommand,
  GetStreamSessionCommand,
  ListStreamSessionsCommand,
  type Channel,
} from '@aws-sdk/client-ivs';
import { useServer } from '../helpers/use-server.js';
import { expectError } from '../helpers/assert.js';
import {
  firstVariantUrl,
  getMediaPlaylist,
  pollUntil,
  publish,
  rtmpsUrl,
  rtmpUrl,
  waitForMultivariant,
} from '../helpers/live.js';

describe('live: RTMPS ingest', { timeout: 90_000 }, () => {
  const { server, ivs } = useServer({ rtmps: true });
  let channel: Channel;
  let streamKey: string;

  before(async () => {
    const out = await ivs.send(new CreateChannelCommand({ name: 'secure-only', type: 'BASIC' }));
    channel = out.channel!;
    streamKey = out.streamKey!.value!;
    assert.equal(channel.insecureIngest, false);
  });

  it('the RTMPS port speaks TLS with a self-signed certificate kept in the data dir', async () => {
    assert.ok(server.rtmpsPort, 'rtmps port');
    const cert = await new Promise<{ subject: unknown; valid_to: string }>((resolve, reject) => {
      const sock = tlsConnect({ host: '127.0.0.1', port: server.rtmpsPort!, rejectUnauthorized: false }, () => {
        const c = sock.getPeerCertificate();
        sock.destroy();
        resolve(c);
      });
      sock.on('error', reject);
      sock.setTimeout(5000, () => reject(new Error('TLS handshake timed out')));
    });
    assert.ok(cert.subject, 'peer certificate');
    assert.ok(new Date(cert.valid_to).getTime() > Date.now(), 'certificate not expired');
    const tlsDir = join(server.dataDir, 'tls');
    assert.ok(existsSync(tlsDir) && readdirSync(tlsDir).length > 0, `generated certificate files in ${tlsDir}`);
  });

  it('plain RTMP is refused for a channel without insecureIngest: fast non-zero exit, no session', async () => {
    const pub = publish(rtmpUrl(server.rtmpPort, streamKey), { seconds: 8 });
    const res = await pub.exited;
    assert.notEqual(res.code, 0, 'ffmpeg must fail');
    assert.ok(res.ms < 5000, `refused quickly (took ${res.ms} ms)`);
    await expectError(ivs.send(new GetStreamCommand({ channelArn: channel.arn })), 'ChannelNotBroadcasting', 404);
    const { streamSessions } = await ivs.send(new ListStreamSessionsCommand({ channelArn: channel.arn }));
    assert.deepEqual(streamSessions ?? [], [], 'no stream session for a refused publish');
  });

  it('RTMPS publish goes live, plays, and ends cleanly', async () => {
    const pub = publish(rtmpsUrl(server.rtmpsPort!, streamKey), { seconds: 8 });
    try {
      const { playlist } = await waitForMultivariant(channel.playbackUrl!);
      assert.ok(!pub.done(), 'still publishing');
      const v = playlist.variants[0]!;
      assert.deepEqual(v.resolution, { width: 640, height: 360 });
      const mediaUrl = firstVariantUrl(channel.playbackUrl!, playlist);
      const m = await getMediaPlaylist(mediaUrl);
      assert.ok(m.playlist.segments.length >= 1);

      const { stream } = await ivs.send(new GetStreamCommand({ channelArn: channel.arn }));
      assert.equal(stream?.state, 'LIVE');
      const streamId = stream.streamId!;

      const res = await pub.exited;
      assert.equal(res.code, 0, `RTMPS publisher failed: ${res.stderr}`);
      await pollUntil('EXT-X-ENDLIST', async () => (await getMediaPlaylist(mediaUrl)).playlist.endlist, { timeoutMs: 10_000 });
      const { streamSession } = await ivs.send(new GetStreamSessionCommand({ channelArn: channel.arn, streamId }));
      assert.ok(streamSession?.endTime instanceof Date, 'session ended');
      assert.equal(streamSession?.ingestConfiguration?.video?.videoWidth, 640);
      const { streamSessions } = await ivs.send(new ListStreamSessionsCommand({ channelArn: channel.arn }));
      assert.equal(streamSessions?.length, 1, 'exactly the one RTMPS session (the refused RTMP attempt made none)');
    } finally {
      await pub.kill();
    }
  });
});
