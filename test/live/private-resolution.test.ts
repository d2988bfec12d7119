// aws:maximum-resolution on a private STANDARD channel: ffmpeg transcodes a 1280x720 source into the ladder
// (source, 480p30, 360p30, 160p30); a token with SD lists no rendition above 480 lines and its session cannot open
// the 720-line source playlist or its segments by editing the URL; HD lists the source again.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { CreateChannelCommand, ImportPlaybackKeyPairCommand, type Channel } from '@aws-sdk/client-ivs';
import HLS from 'hls-parser';
import { SignJWT } from 'jose';
import { useServer } from '../helpers/use-server.js';
import { get, pollUntil, publish, rtmpUrl, type MasterPlaylist, type Running } from '../helpers/live.js';

const PUBLISH_SECONDS = 40;

describe('live: private STANDARD channel, aws:maximum-resolution', { timeout: 90_000 }, () => {
  const { server, ivs } = useServer();
  let channel: Channel;
  let publisher: Running;
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-384' });

  const token = (resolution?: string) =>
    new SignJWT({
      'aws:channel-arn': channel.arn,
      ...(resolution ? { 'aws:maximum-resolution': resolution } : {}),
    })
      .setProtectedHeader({ alg: 'ES384', typ: 'JWT' })
      .setExpirationTime('5m')
      .sign(keys.privateKey);

  async function master(resolution?: string): Promise<{ playlist: MasterPlaylist; text: string }> {
    const res = await get(`${channel.playbackUrl}?token=${await token(resolution)}`);
    assert.equal(res.status, 200, res.text);
    return { playlist: HLS.parse(res.text) as MasterPlaylist, text: res.text };
  }

  before(async () => {
    const created = await ivs.send(
      new CreateChannelCommand({
        name: 'private-std',
        type: 'STANDARD',
        latencyMode: 'NORMAL',
        insecureIngest: true,
        authorized: true,
      }),
    );
    channel = created.channel!;
    await ivs.send(
      new ImportPlaybackKeyPairCommand({ publicKeyMaterial: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString() }),
    );
    // 1280x720 capped at 2.5 Mbps (within BASIC/STANDARD ingest limits), as in the STANDARD ladder tests.
    publisher = publish(rtmpUrl(server.rtmpPort, created.streamKey!.value!), {
      seconds: PUBLISH_SECONDS,
      size: '1280x720',
      videoKbps: 2500,
    });
  });

  it('SD lists only renditions of at most 480 lines; HD and no claim list the 720-line source', async () => {
    const full = await pollUntil(
      '4 variants',
      async () => {
        const res = await get(`${channel.playbackUrl}?token=${await token()}`);
        if (res.status !== 200) return undefined;
        const p = HLS.parse(res.text) as MasterPlaylist;
        return p.variants.length >= 4 ? p : undefined;
      },
      { timeoutMs: 40_000, intervalMs: 500 },
    );
    assert.ok(
      full.variants.some((v) => v.resolution?.height === 720),
      'the 720-line source without the claim',
    );

    const sd = await master('SD');
    const heights = sd.playlist.variants.map((v) => v.resolution?.height ?? 0);
    assert.ok(heights.length >= 3, `SD keeps the lower rungs:\n${sd.text}`);
    assert.ok(
      heights.every((h) => h > 0 && h <= 480),
      `no rendition above 480 lines with SD:\n${sd.text}`,
    );
    assert.ok(heights.includes(480), `the 480-line rung is listed:\n${sd.text}`);

    const hd = await master('HD');
    assert.ok(
      hd.playlist.variants.some((v) => v.resolution?.height === 720),
      `HD lists the 720-line source:\n${hd.text}`,
    );
    assert.ok(!publisher.done(), 'the broadcast outlived the checks');
  });

  it('an SD session cannot reach the source rendition by editing the URL', async () => {
    const sd = await master('SD');
    const low = new URL(sd.playlist.variants[0]!.uri, channel.playbackUrl);
    const sourceUrl = new URL(low.href.replace(/\/[a-z0-9]+\.m3u8\?/, '/source.m3u8?'));
    assert.notEqual(sourceUrl.href, low.href);
    const lowRes = await get(low.href);
    assert.equal(lowRes.status, 200, lowRes.text);
    const refused = await get(sourceUrl.href);
    assert.equal(refused.status, 403, refused.text);
    assert.match(JSON.parse(refused.text)[0].error, /maximum resolution/);
    const segment = await get(new URL('source/0.ts', sourceUrl).href);
    assert.equal(segment.status, 403, segment.text);
  });
});
