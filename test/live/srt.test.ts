// SRT ingest end to end with real clients: the AWS SDK shows every channel's `srt` {endpoint, passphrase} as IVS
// does (passphrase only without insecureIngest, a new one with a new stream key); ffmpeg publishes MPEG-TS over SRT
// with AES and that passphrase, and ffprobe, ffmpeg and hls.js in Chromium play the playback URL; srt-live-transmit
// publishes unencrypted to an insecureIngest channel; wrong key, wrong / missing / stale / unexpected passphrase
// are refused in the handshake with no stream session, count in the wrong-key throttle, and then even the right
// key is refused from that address. The its of the first block run in order on one server.
//
// Packet loss is in srt-loss.test.ts (a network namespace of its own with tc netem).

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { after, before, describe, it } from 'node:test';
import {
  BatchGetChannelCommand,
  CreateChannelCommand,
  CreateStreamKeyCommand,
  DeleteStreamKeyCommand,
  GetChannelCommand,
  GetStreamCommand,
  ListStreamSessionsCommand,
  UpdateChannelCommand,
  type IvsClient,
} from '@aws-sdk/client-ivs';
import type { Browser } from 'playwright-core';
import HLS from 'hls-parser';
import { launchChromium } from '../../devtools/browser.js';
import { expectError } from '../helpers/assert.js';
import { startServer, type OpenivsServer as TestServer } from '../../devtools/server.js';
import { ivsClient } from '../helpers/use-server.js';
import { killAllChildren, pollUntil, run, sleep, waitForMultivariant, type Running } from '../helpers/live.js';
import { makeTs, tempDir } from '../helpers/srt-media.js';
import { srtLiveTransmit, srtUrl } from '../helpers/srt-publishers.js';
import { describePlayed, playWithHlsJs, startBlankOrigin, type BlankOrigin } from '../helpers/srt-playback.js';

/** ffmpeg encoding a test pattern and a tone live, as an encoder would, to an SRT URL (linger: see the README). */
function publishSrt(url: string, seconds: number): Running {
  return run('ffmpeg', [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-re',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=640x360:rate=30',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-tune',
    'zerolatency',
    '-g',
    '60',
    '-c:a',
    'aac',
    '-f',
    'mpegts',
    url,
  ]);
}

/** What ffprobe finds in the playback URL: codec, size or rate of each stream. */
async function probePlayback(url: string): Promise<string[]> {
  const probe = await run('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_name,width,height,sample_rate',
    '-of',
    'json',
    url,
  ]).exited;
  assert.equal(probe.code, 0, `ffprobe ${url}: ${probe.stderr}`);
  const streams = (JSON.parse(probe.stdout) as { streams: Array<Record<string, unknown>> }).streams;
  return streams.map((s) =>
    [s.codec_name, s.width, s.height, s.sample_rate]
      .filter((v) => v !== undefined)
      .map((v) => String(v as string | number))
      .join(' '),
  );
}

describe('live: SRT ingest (ffmpeg, srt-live-transmit → HLS)', { timeout: 300_000 }, () => {
  let server: TestServer;
  let ivs: IvsClient;
  let browser: Browser;
  let origin: BlankOrigin;
  let dir: string;
  /** Every secret the test created: none may appear in the server's log. */
  const secrets: string[] = [];

  before(async () => {
    server = await startServer({ srt: true, args: ['--log-level', 'info'] });
    ivs = ivsClient(server);
    browser = await launchChromium();
    origin = await startBlankOrigin();
    dir = tempDir();
  });
  after(async () => {
    killAllChildren();
    await browser?.close().catch(() => undefined);
    await origin?.close();
    ivs?.destroy();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const urlFor = (streamKey: string, passphrase?: string, extra: Record<string, string | number> = {}) =>
    srtUrl(server.srtPort!, { streamid: streamKey, ...(passphrase ? { passphrase, pbkeylen: 32 } : {}), ...extra });

  it('CreateChannel, GetChannel, BatchGetChannel, UpdateChannel and key rotation show srt as IVS does', async () => {
    const secure = await ivs.send(new CreateChannelCommand({ name: 'srt-secure', type: 'BASIC' }));
    const srt = secure.channel!.srt!;
    assert.equal(srt.endpoint, '127.0.0.1', 'the endpoint is the ingest host, like ingestEndpoint');
    assert.equal(srt.endpoint, secure.channel!.ingestEndpoint);
    assert.match(srt.passphrase ?? '', /^[A-Za-z0-9]{72}$/, "a generated passphrase within SRT's 10–79 bytes");
    secrets.push(srt.passphrase!, secure.streamKey!.value!);
    const got = await ivs.send(new GetChannelCommand({ arn: secure.channel!.arn }));
    assert.deepEqual(got.channel!.srt, srt, 'GetChannel returns the same srt');
    const batch = await ivs.send(new BatchGetChannelCommand({ arns: [secure.channel!.arn!] }));
    assert.deepEqual(batch.channels![0]!.srt, srt);

    const insecure = await ivs.send(new CreateChannelCommand({ name: 'srt-insecure', type: 'BASIC', insecureIngest: true }));
    assert.deepEqual(insecure.channel!.srt, { endpoint: '127.0.0.1' }, 'no passphrase with insecureIngest');

    // insecureIngest switched off: the key gains a passphrase; switched on: it loses it.
    const hardened = await ivs.send(new UpdateChannelCommand({ arn: insecure.channel!.arn, insecureIngest: false }));
    assert.match(hardened.channel!.srt!.passphrase ?? '', /^[A-Za-z0-9]{72}$/);
    const opened = await ivs.send(new UpdateChannelCommand({ arn: insecure.channel!.arn, insecureIngest: true }));
    assert.deepEqual(opened.channel!.srt, { endpoint: '127.0.0.1' });
    const unchanged = await ivs.send(new UpdateChannelCommand({ arn: secure.channel!.arn, name: 'srt-secure-renamed' }));
    assert.equal(unchanged.channel!.srt!.passphrase, srt.passphrase, 'an unrelated update keeps the passphrase');

    // A new stream key brings a new passphrase.
    await ivs.send(new DeleteStreamKeyCommand({ arn: secure.streamKey!.arn }));
    const keyless = await ivs.send(new GetChannelCommand({ arn: secure.channel!.arn }));
    assert.deepEqual(keyless.channel!.srt, { endpoint: '127.0.0.1' }, 'without a stream key there is no passphrase');
    await ivs.send(new CreateStreamKeyCommand({ channelArn: secure.channel!.arn }));
    const rotated = await ivs.send(new GetChannelCommand({ arn: secure.channel!.arn }));
    assert.match(rotated.channel!.srt!.passphrase ?? '', /^[A-Za-z0-9]{72}$/);
    assert.notEqual(rotated.channel!.srt!.passphrase, srt.passphrase, 'a new key, a new passphrase');
    secrets.push(rotated.channel!.srt!.passphrase!);
  });

  it('ffmpeg publishes over SRT with AES-256 and the passphrase; ffprobe, ffmpeg and hls.js play the playback URL', async () => {
    const created = await ivs.send(new CreateChannelCommand({ name: 'srt-play', type: 'BASIC', latencyMode: 'LOW' }));
    const channel = created.channel!;
    const key = created.streamKey!.value!;
    secrets.push(key, channel.srt!.passphrase!);
    const publisher = publishSrt(urlFor(key, channel.srt!.passphrase, { linger: 1 }), 30);
    try {
      const { playlist } = await waitForMultivariant(channel.playbackUrl!, 20_000);
      assert.ok(!publisher.done(), 'the publisher is still running');
      const variant = playlist.variants.find((v) => v.resolution?.width === 640 && v.resolution?.height === 360);
      assert.ok(variant, 'a 640x360 variant');
      assert.match(variant.codecs ?? '', /avc1\.[0-9a-fA-F]{6},mp4a\.40\.2/);
      const live = await ivs.send(new GetStreamCommand({ channelArn: channel.arn }));
      assert.equal(live.stream!.state, 'LIVE');
      const sessions = await ivs.send(new ListStreamSessionsCommand({ channelArn: channel.arn }));
      assert.equal(sessions.streamSessions!.length, 1);

      const streams = await probePlayback(channel.playbackUrl!);
      assert.ok(streams.includes('h264 640 360'), `ffprobe: ${streams.join('; ')}`);
      assert.ok(streams.includes('aac 48000'), `ffprobe: ${streams.join('; ')}`);
      // The media playlist has no discontinuity: audio and video started together.
      const mediaUrl = new URL(playlist.variants[0]!.uri, channel.playbackUrl).href;
      const media = HLS.parse(await (await fetch(mediaUrl)).text()) as HLS.types.MediaPlaylist;
      assert.ok(media.segments.length >= 1);
      assert.ok(
        media.segments.every((s) => !s.discontinuity),
        'no EXT-X-DISCONTINUITY',
      );

      const read = await run('ffmpeg', [
        '-nostdin',
        '-hide_banner',
        '-loglevel',
        'error',
        '-xerror',
        '-i',
        channel.playbackUrl!,
        '-t',
        '4',
        '-f',
        'null',
        '-',
      ]).exited;
      assert.equal(read.code, 0, `ffmpeg decoding the playback URL: ${read.stderr}`);

      const played = await playWithHlsJs(
        browser,
        origin.url,
        `${server.url}/_openivs/player/hls.min.js`,
        channel.playbackUrl!,
        4,
      );
      // Loads hls.js aborts itself (`aborted`: a part or fragment given up when playback runs behind, on a busy
      // machine) are its own choice, not an answer from the server; every other error counts.
      assert.deepEqual(
        played.errors.filter((e) => e !== 'networkError/aborted'),
        [],
        `hls.js errors: ${played.errorDetails.join('; ')}`,
      );
      assert.ok(played.playedS >= 4, `hls.js ${describePlayed(played)}`);
      assert.deepEqual([played.width, played.height], [640, 360]);
    } finally {
      void publisher.kill();
    }
    const ended = await ivs.send(new ListStreamSessionsCommand({ channelArn: channel.arn }));
    assert.equal(ended.streamSessions!.length, 1, 'one session for the whole broadcast');
  });

  it('srt-live-transmit publishes unencrypted to an insecureIngest channel, and it plays', async () => {
    const created = await ivs.send(new CreateChannelCommand({ name: 'srt-slt', type: 'BASIC', insecureIngest: true }));
    const file = await makeTs(dir, 'slt', { seconds: 20, bframes: 0, extra: ['-g', '30'] });
    const sender = srtLiveTransmit(urlFor(created.streamKey!.value!), file, 25);
    try {
      await waitForMultivariant(created.channel!.playbackUrl!, 20_000);
      const streams = await probePlayback(created.channel!.playbackUrl!);
      assert.ok(streams.includes('h264 640 360') && streams.includes('aac 48000'), `ffprobe: ${streams.join('; ')}`);
    } finally {
      sender.kill();
    }
  });

  it('refuses a wrong key, a wrong, missing, stale or unexpected passphrase in the handshake: no session, then throttled', async () => {
    const secure = await ivs.send(new CreateChannelCommand({ name: 'srt-refusals', type: 'BASIC' }));
    const insecure = await ivs.send(new CreateChannelCommand({ name: 'srt-refusals-open', type: 'BASIC', insecureIngest: true }));
    const key = secure.streamKey!.value!;
    const stale = secure.channel!.srt!.passphrase!;
    await ivs.send(new DeleteStreamKeyCommand({ arn: secure.streamKey!.arn }));
    const fresh = await ivs.send(new CreateStreamKeyCommand({ channelArn: secure.channel!.arn }));
    const freshKey = fresh.streamKey!.value!;
    const passphrase = (await ivs.send(new GetChannelCommand({ arn: secure.channel!.arn }))).channel!.srt!.passphrase!;
    secrets.push(key, stale, freshKey, passphrase, insecure.streamKey!.value!);
    const wrongKey = freshKey.slice(0, -5) + (freshKey.endsWith('AAAAA') ? 'BBBBB' : 'AAAAA');
    const attempts: Array<[string, string]> = [
      ['unknown stream key', urlFor(wrongKey, passphrase)],
      ['wrong passphrase', urlFor(freshKey, passphrase.slice(0, -3) + 'xyz')],
      ['no passphrase on a secure channel', urlFor(freshKey)],
      ['the passphrase of the deleted key', urlFor(freshKey, stale)],
      ['a passphrase on an insecureIngest channel', urlFor(insecure.streamKey!.value!, passphrase)],
    ];
    for (const [what, url] of attempts) {
      const result = await publishSrt(url, 5).exited;
      assert.notEqual(result.code, 0, `${what}: ffmpeg must fail`);
      assert.match(result.stderr, /Input\/output error|Connection setup failure|rejected/i, `${what}: ${result.stderr}`);
    }
    for (const channel of [secure.channel!, insecure.channel!]) {
      const sessions = await ivs.send(new ListStreamSessionsCommand({ channelArn: channel.arn }));
      assert.deepEqual(sessions.streamSessions, [], `no stream session on ${channel.name}`);
      await expectError(ivs.send(new GetStreamCommand({ channelArn: channel.arn })), 'ChannelNotBroadcasting', 404);
    }
    // Five refusals from this address within a minute: the same throttle as RTMP's wrong keys now refuses it in
    // the handshake, even with the right key and passphrase. (A refusal reaches the throttle asynchronously, from
    // libsrt's thread through the addon's event queue: wait until the fifth has.)
    const refusals = () =>
      [...server.logs().matchAll(/"reason":"([a-z-]+)","msg":"SRT caller refused in the handshake"/g)].map((m) => m[1]);
    await pollUntil('five refusals reported', () => refusals().length >= 5, { timeoutMs: 10_000 });
    const blocked = await publishSrt(urlFor(freshKey, passphrase), 5).exited;
    assert.notEqual(blocked.code, 0, 'the right key from a throttled address is refused');
    assert.deepEqual((await ivs.send(new ListStreamSessionsCommand({ channelArn: secure.channel!.arn }))).streamSessions, []);
    await pollUntil('the refusals in the log', () => server.logs().includes('"reason":"throttled"'), { timeoutMs: 5_000 });
    assert.deepEqual(refusals(), [
      'unknown-key',
      'wrong-passphrase',
      'wrong-passphrase',
      'wrong-passphrase',
      'unexpected-passphrase',
      'throttled',
    ]);
  });

  it('after a restart the key table is loaded from the store: an existing channel takes SRT again', async () => {
    const created = await ivs.send(new CreateChannelCommand({ name: 'srt-restart', type: 'BASIC' }));
    const channel = created.channel!;
    secrets.push(created.streamKey!.value!, channel.srt!.passphrase!);
    const before = server.logs().length;
    await server.restart(); // SIGTERM: the listener closes; the throttle's blocks were in memory and go with it
    const publisher = publishSrt(urlFor(created.streamKey!.value!, channel.srt!.passphrase, { linger: 1 }), 20);
    try {
      await waitForMultivariant(channel.playbackUrl!, 20_000);
      const streams = await probePlayback(channel.playbackUrl!);
      assert.ok(streams.includes('h264 640 360'), `ffprobe: ${streams.join('; ')}`);
    } finally {
      void publisher.kill();
    }
    assert.ok(server.logs().slice(before).includes('"srtPort":'), 'the restarted server reports its SRT port');
  });

  it('a secure channel whose key predates SRT (no passphrase stored) gets one at the next start', async () => {
    const created = await ivs.send(new CreateChannelCommand({ name: 'srt-backfill', type: 'BASIC' }));
    secrets.push(created.streamKey!.value!, created.channel!.srt!.passphrase!);
    await server.kill9(); // keeps the data directory (stop() would remove it)
    const db = new BetterSqlite3(join(server.dataDir, 'openivs.sqlite'));
    try {
      const row = db.prepare('SELECT doc FROM resources WHERE arn = ?').get(created.streamKey!.arn!) as { doc: string };
      const doc = JSON.parse(row.doc) as Record<string, unknown>;
      delete doc.srtPassphrase; // as a key made before this release was stored
      db.prepare('UPDATE resources SET doc = ? WHERE arn = ?').run(JSON.stringify(doc), created.streamKey!.arn!);
    } finally {
      db.close();
    }
    await server.restart();
    const got = await ivs.send(new GetChannelCommand({ arn: created.channel!.arn }));
    assert.match(got.channel!.srt!.passphrase ?? '', /^[A-Za-z0-9]{72}$/, 'a passphrase after the restart');
    assert.notEqual(got.channel!.srt!.passphrase, created.channel!.srt!.passphrase);
    secrets.push(got.channel!.srt!.passphrase!);
  });

  it('never logs a stream key or passphrase', async () => {
    await sleep(200);
    const logs = server.logs();
    for (const secret of secrets) assert.ok(!logs.includes(secret), 'a secret reached the server log');
    assert.ok(secrets.length >= 8);
  });
});
