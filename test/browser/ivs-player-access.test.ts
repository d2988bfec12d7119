// Amazon's IVS player meets openivs's refusals as it meets IVS's (its error docs: source MasterPlaylist,
// ErrorAuthorization for a private channel without a valid token, ErrorNotAvailable 404 for an offline channel and
// 429 past the concurrent-viewers quota): openivs answers with IVS's statuses and JSON error bodies, and the player
// turns them into those errors. A private channel plays with a token. The quota case runs in another region of the
// same account, whose viewers count apart.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { CreateChannelCommand, ImportPlaybackKeyPairCommand, type IvsClient } from '@aws-sdk/client-ivs';
import { SignJWT } from 'jose';
import { describeRecord, firstPlaying, playWithIvsPlayer, type IvsRecord } from '../../devtools/ivs-player-page.js';
import { ivsClient, useServer } from '../helpers/use-server.js';
import { pollUntil, publish, rtmpUrl } from '../helpers/live.js';

const VIEWER_QUOTA = 2;

describe('browser: Amazon IVS player errors and private channels', { timeout: 180_000 }, () => {
  const {
    server,
    ivs,
    browser,
    ivsPlayerPage: pages,
  } = useServer({
    args: ['--quota-concurrent-viewers', String(VIEWER_QUOTA)],
    browser: true,
    ivsPlayerPage: true,
  });
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-384' });

  /** Plays `url` until the player reports an error; returns it. */
  async function playerError(url: string): Promise<IvsRecord['errors'][number]> {
    const player = await playWithIvsPlayer(browser, pages, url);
    try {
      const r = await player.until('a player error', (x) => x.errors.length > 0, 20_000);
      assert.equal(firstPlaying(r), undefined, `never played\n${describeRecord(r)}`);
      return r.errors[0]!;
    } finally {
      await player.close();
    }
  }

  async function liveChannel(client: IvsClient, name: string, authorized = false) {
    const out = await client.send(
      new CreateChannelCommand({ name, type: 'BASIC', latencyMode: 'LOW', insecureIngest: true, authorized }),
    );
    const publisher = publish(rtmpUrl(server.rtmpPort, out.streamKey!.value!), { seconds: 40 });
    return { channel: out.channel!, publisher };
  }

  it('offline channel: ErrorNotAvailable 404 from the multivariant playlist', async () => {
    const out = await ivs.send(new CreateChannelCommand({ name: 'offline' }));
    const error = await playerError(out.channel!.playbackUrl!);
    assert.deepEqual([error.source, error.type, error.code], ['MasterPlaylist', 'ErrorNotAvailable', 404], JSON.stringify(error));
  });

  it('private channel: plays with a token; without one ErrorAuthorization from the multivariant playlist', async () => {
    await ivs.send(
      new ImportPlaybackKeyPairCommand({ publicKeyMaterial: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString() }),
    );
    const { channel, publisher } = await liveChannel(ivs, 'private', true);
    try {
      const token = await new SignJWT({ 'aws:channel-arn': channel.arn! })
        .setProtectedHeader({ alg: 'ES384', typ: 'JWT' })
        .setExpirationTime('5m')
        .sign(keys.privateKey);
      const url = `${channel.playbackUrl!}?token=${token}`;
      await pollUntil('the private channel live', async () => (await fetch(url)).status === 200, { timeoutMs: 20_000 });
      const player = await playWithIvsPlayer(browser, pages, url);
      try {
        const r = await player.until(
          '3 s of playback',
          (x) => x.errors.length > 0 || (firstPlaying(x) !== undefined && (x.samples.at(-1)?.position ?? 0) >= 3),
          30_000,
        );
        assert.deepEqual(r.errors, [], describeRecord(r));
      } finally {
        await player.close();
      }
      const error = await playerError(channel.playbackUrl!);
      assert.deepEqual([error.source, error.type], ['MasterPlaylist', 'ErrorAuthorization'], JSON.stringify(error));
      // The player reads IVS's JSON body: its error_code becomes the message.
      assert.equal(error.message, 'invalid_playback_auth_token');
      console.log(`# IVS player, private channel without a token: ${JSON.stringify(error)}`);
    } finally {
      await publisher.kill();
    }
  });

  it('over the concurrent-viewers quota: ErrorNotAvailable 429', async () => {
    const other = ivsClient(server, { region: 'eu-west-1' });
    try {
      const { channel, publisher } = await liveChannel(other, 'quota');
      try {
        const master = await pollUntil(
          'live',
          async () => {
            const res = await fetch(channel.playbackUrl!);
            return res.status === 200 ? res.text() : undefined;
          },
          { timeoutMs: 20_000 },
        );
        const media = new URL(
          master.split('\n').find((l) => l !== '' && !l.startsWith('#'))!,
          channel.playbackUrl,
        ).href;
        // Fill the quota with viewer sessions: each multivariant request hands one out, and a session counts once
        // it refreshes its media playlist like a player (three requests over at least 4 s).
        const sessions: string[] = [];
        for (let i = 0; i < VIEWER_QUOTA; i++) {
          const text = await (await fetch(channel.playbackUrl!)).text();
          sessions.push(
            new URL(
              text.split('\n').find((l) => l !== '' && !l.startsWith('#'))!,
              channel.playbackUrl,
            ).href,
          );
        }
        for (let round = 0; round < 3; round++) {
          if (round > 0) await new Promise((r) => setTimeout(r, 2_100));
          for (const [i, uri] of sessions.entries()) assert.equal((await fetch(uri)).status, 200, `viewer ${i + 1} (${media})`);
        }
        assert.equal((await fetch(channel.playbackUrl!)).status, 429);
        const error = await playerError(channel.playbackUrl!);
        assert.deepEqual(
          [error.source, error.type, error.code],
          ['MasterPlaylist', 'ErrorNotAvailable', 429],
          JSON.stringify(error),
        );
      } finally {
        await publisher.kill();
      }
    } finally {
      other.destroy();
    }
  });
});
