// SRT through a lossy link still plays: SRT's own retransmission (within its latency window) must hide the loss.
// The brief asked for `tc netem loss 5%` in a network namespace of the test's own; on this machine namespaces and
// veth pairs work but the kernel has no netem qdisc (`tc ... netem` answers "Specified qdisc kind is unknown"), so the
// loss comes from a UDP relay written here: srt-live-transmit (fed in real time by ffmpeg) calls the relay, which
// forwards to the server's SRT port and drops 5% of the datagrams in each direction (a seeded PRNG, so every run
// loses the same share). The playback URL must keep playing in hls.js without a stall, decode without an error in
// ffmpeg, and the media playlist must show no discontinuity. The relay's counters prove the loss.

import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CreateChannelCommand, type IvsClient } from '@aws-sdk/client-ivs';
import type { Browser } from 'playwright-core';
import HLS from 'hls-parser';
import { launchChromium } from '../../devtools/browser.js';
import { startServer, type OpenivsServer as TestServer } from '../../devtools/server.js';
import { ivsClient } from '../helpers/use-server.js';
import { killAllChildren, run, waitForMultivariant } from '../helpers/live.js';
import { makeTs, prng, tempDir } from '../helpers/srt-media.js';
import { srtLiveTransmit } from '../helpers/srt-publishers.js';
import { describePlayed, playWithHlsJs, startBlankOrigin, type BlankOrigin } from '../helpers/srt-playback.js';

const LOSS = 0.05;

/** A UDP relay for one caller that drops `loss` of the datagrams each way. */
interface LossyRelay {
  port: number;
  forwarded: number;
  dropped: number;
  close(): Promise<void>;
}

async function bound(socket: Socket): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  return socket.address().port;
}

async function startLossyRelay(targetPort: number, loss: number, seed: number): Promise<LossyRelay> {
  const random = prng(seed);
  const front = createSocket('udp4');
  const back = createSocket('udp4');
  let caller: RemoteInfo | undefined;
  const relay = {
    port: await bound(front),
    forwarded: 0,
    dropped: 0,
    async close() {
      await Promise.all([front, back].map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
  await bound(back);
  const pass = (): boolean => {
    if (random() < loss) {
      relay.dropped++;
      return false;
    }
    relay.forwarded++;
    return true;
  };
  front.on('message', (msg, from) => {
    caller = from;
    if (pass()) back.send(msg, targetPort, '127.0.0.1');
  });
  back.on('message', (msg) => {
    if (caller && pass()) front.send(msg, caller.port, caller.address);
  });
  return relay;
}

/** Each listed segment's first and last video and audio PTS, by ffprobe: a timestamp jump shows here. */
async function segmentTimes(variantUrl: string, playlistText: string): Promise<string> {
  const uris = playlistText.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  const lines: string[] = [];
  for (const uri of uris) {
    const res = await run('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'packet=codec_type,pts_time',
      '-of',
      'csv=p=0',
      new URL(uri, variantUrl).href,
    ]).exited;
    const rows = res.stdout
      .split('\n')
      .filter(Boolean)
      .map((r) => r.split(','));
    const span = (kind: string) => {
      const t = rows.filter((r) => r[0] === kind).map((r) => Number(r[1]));
      return t.length === 0 ? 'none' : `${t[0]!.toFixed(2)}…${t.at(-1)!.toFixed(2)} (${t.length})`;
    };
    lines.push(`${uri}: video ${span('video')}, audio ${span('audio')}`);
  }
  return lines.join('\n');
}

describe('live: SRT through a link losing 5% of packets each way (a lossy UDP relay)', { timeout: 180_000 }, () => {
  let relay: LossyRelay;
  let dir: string;
  let server: TestServer;
  let ivs: IvsClient;
  let browser: Browser;
  let origin: BlankOrigin;

  before(async () => {
    server = await startServer({ srt: true });
    relay = await startLossyRelay(server.srtPort!, LOSS, 0x5e7);
    dir = tempDir();
    ivs = ivsClient(server);
    browser = await launchChromium();
    origin = await startBlankOrigin();
  });
  after(async () => {
    killAllChildren();
    await browser?.close().catch(() => undefined);
    await origin?.close();
    ivs?.destroy();
    await server?.stop();
    await relay?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('an encrypted SRT publish through the lossy link plays without stalls, errors or discontinuities', async () => {
    const created = await ivs.send(new CreateChannelCommand({ name: 'srt-loss', type: 'BASIC', latencyMode: 'LOW' }));
    const channel = created.channel!;
    const file = await makeTs(dir, 'loss', { seconds: 40, bframes: 0, extra: ['-g', '60', '-b:v', '1500k'] });
    // SRT resends lost packets only within its latency window. 1 s, as a caller on a lossy link would set, leaves room
    // for a CPU-starved CI machine: with 200 ms, packets were dropped for good under load (a keyframe lost made a
    // 4 s segment), which is no longer what this test is about (lost-for-good media: srt-demux and srt-loss-report).
    const url =
      `srt://127.0.0.1:${relay.port}?streamid=${created.streamKey!.value!}` +
      `&passphrase=${channel.srt!.passphrase!}&pbkeylen=16&latency=1000`;
    const publisher = srtLiveTransmit(url, file, 45);
    let publisherExited = false;
    void publisher.exited.then(() => (publisherExited = true));
    try {
      const { playlist } = await waitForMultivariant(channel.playbackUrl!, 25_000);
      const played = await playWithHlsJs(
        browser,
        origin.url,
        `${server.url}/_openivs/player/hls.min.js`,
        channel.playbackUrl!,
        12,
        40_000,
      );
      const publisherWasRunning = !publisherExited;
      // Everything a failure needs to be understood: what hls.js saw, the playlist now, and the server's account of
      // media lost for good (loss-report.ts: SRT's too-late drops, gaps in the TS).
      const variant = new URL(playlist.variants[0]!.uri, channel.playbackUrl).href;
      const now = await (await fetch(variant)).text().catch((e: Error) => e.message);
      const diagnosis =
        `hls.js ${describePlayed(played)}\n--- media playlist now ---\n${now.split('\n').slice(-12).join('\n')}` +
        `\n--- segments' first and last PTS (s) ---\n${await segmentTimes(variant, now)}` +
        `\n--- server log ---\n${server.logs().slice(-3000)}`;
      assert.ok(publisherWasRunning, 'the publisher kept going');
      assert.deepEqual(
        played.errors.filter((e) => e.startsWith('fatal')),
        [],
        `no fatal hls.js error: ${diagnosis}`,
      );
      assert.ok(played.playedS >= 12, diagnosis);
      assert.ok(played.longestStallS < 1.5, diagnosis);

      const read = await run('ffmpeg', [
        '-nostdin',
        '-hide_banner',
        '-loglevel',
        'error',
        '-xerror',
        '-i',
        channel.playbackUrl!,
        '-t',
        '6',
        '-f',
        'null',
        '-',
      ]).exited;
      assert.equal(read.code, 0, `ffmpeg decoding the playback URL: ${read.stderr}`);

      const mediaUrl = new URL(playlist.variants[0]!.uri, channel.playbackUrl).href;
      const media = HLS.parse(await (await fetch(mediaUrl)).text()) as HLS.types.MediaPlaylist;
      assert.ok(
        media.segments.every((s) => !s.discontinuity),
        'no EXT-X-DISCONTINUITY',
      );
      // Whole segments (the live edge may be an entry of parts only, without EXTINF yet) are ~2 s: none cut short.
      const whole = media.segments.filter((s) => s.duration !== undefined);
      assert.ok(whole.length >= 3);
      for (const s of whole) assert.ok(s.duration > 1.5 && s.duration < 2.6, `segment of ${s.duration} s`);

      const share = relay.dropped / (relay.dropped + relay.forwarded);
      console.log(
        `# relay dropped ${relay.dropped} of ${relay.dropped + relay.forwarded} datagrams (${(share * 100).toFixed(1)}%); ` +
          `hls.js ${describePlayed(played)}`,
      );
      assert.ok(relay.dropped >= 100 && share > 0.04, `the link really lost packets (${relay.dropped} dropped)`);
    } finally {
      publisher.kill();
    }
  });
});
