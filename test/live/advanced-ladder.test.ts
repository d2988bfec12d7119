// ADVANCED_SD and ADVANCED_HD channels: their own ladders per transcode preset, as IVS's "Channel Types" page lists
// them (HD: 720p30 + 480p30 + 360p30 + 160p30 for a 720p30 source; SD: 480p30 + 360p30 + 160p30), no source
// rendition, every rung transcoded (audio too), and each rung's bit rate within its preset; then IVS's audio-only
// rendition (AAC 64 kbps, `audio_only`, last). ffmpeg publishes 720p30 over RTMP; ffprobe reads every variant back.
// Then the players: hls.js in Chromium plays an ADVANCED_SD channel and leaves `audio_only` out of its levels;
// Amazon's IVS player plays it and lists `audio_only` among its qualities, as it does on IVS. This machine has 2 cores: one short broadcast at a time.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateChannelCommand, type ChannelType, type TranscodePreset } from '@aws-sdk/client-ivs';
import { firstPlaying, playWithIvsPlayer } from '../../devtools/ivs-player-page.js';
import { get, getMediaPlaylist, until } from '../helpers/live.js';
import { probeStreams, publishAt, renditionName, waitForSegments, waitForVariants } from '../helpers/ladder.js';
import { useServer } from '../helpers/use-server.js';
import type { ErrorData, ManifestParsedData } from 'hls.js';

/** Video bits per second per rung, from the IVS documentation (720p30 input). */
const LADDERS: Record<string, Record<string, number>> = {
  'ADVANCED_HD HIGHER_BANDWIDTH_DELIVERY': { '720p30': 2_300_000, '480p30': 1_300_000, '360p30': 700_000, '160p30': 270_000 },
  'ADVANCED_HD CONSTRAINED_BANDWIDTH_DELIVERY': { '720p30': 1_900_000, '480p30': 800_000, '360p30': 400_000, '160p30': 220_000 },
  'ADVANCED_SD HIGHER_BANDWIDTH_DELIVERY': { '480p30': 1_300_000, '360p30': 700_000, '160p30': 270_000 },
  'ADVANCED_SD CONSTRAINED_BANDWIDTH_DELIVERY': { '480p30': 800_000, '360p30': 400_000, '160p30': 220_000 },
};
const HEIGHTS: Record<string, number> = { '720p30': 720, '480p30': 480, '360p30': 360, '160p30': 160 };
/** Audio at its documented rate plus MPEG-TS overhead (PES and packet headers, PAT/PMT): ~15% on small rungs. */
const AUDIO: Record<string, number> = { '720p30': 128_000, '480p30': 128_000, '360p30': 64_000, '160p30': 48_000 };
const OVERHEAD = 1.3;
/** The audio-only rendition: 64 kbps AAC. Alone, a 188-byte TS packet carries one ~170-byte AAC frame: ~1.6× overhead. */
const AUDIO_ONLY_BPS = 64_000;
const AUDIO_ONLY_OVERHEAD = 2;

/** Average bit rate over the playlist's complete segments (bytes fetched / EXTINF seconds). */
async function measuredBitrate(url: string): Promise<number> {
  const { playlist } = await getMediaPlaylist(url);
  const segments = playlist.segments.slice(-3);
  let bits = 0;
  let seconds = 0;
  for (const s of segments) {
    const res = await fetch(new URL(s.uri, url), { signal: AbortSignal.timeout(5000) });
    bits += (await res.arrayBuffer()).byteLength * 8;
    seconds += s.duration;
  }
  return bits / seconds;
}

// Browser globals, used only inside page.evaluate callbacks (the project's TypeScript has no DOM lib).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const Hls: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

describe('live: ADVANCED_SD / ADVANCED_HD ladders per preset', { timeout: 240_000 }, () => {
  const { server, ivs, browser, blankPage, ivsPlayerPage } = useServer({
    browser: true,
    blankPage: true,
    ivsPlayerPage: true,
  });

  for (const [combo, ladder] of Object.entries(LADDERS)) {
    const [type, preset] = combo.split(' ') as [ChannelType, TranscodePreset];
    it(`${type} ${preset}: ${Object.keys(ladder).join(' + ')}, no source, bit rates within the preset`, async () => {
      const out = await ivs.send(
        new CreateChannelCommand({
          name: `adv-${type}-${preset}`.slice(0, 60),
          type,
          preset,
          latencyMode: 'NORMAL',
          insecureIngest: true,
        }),
      );
      assert.equal(out.channel!.type, type);
      assert.equal(out.channel!.preset, preset);
      const pb = out.channel!.playbackUrl!;
      // Long enough to outlast the checks on a busy machine (16 s did not, in CI: the stream ended first); killed at
      // the end either way.
      const pub = publishAt(server.rtmpPort, out.streamKey!.value!, '1280x720', 60);
      try {
        const want = Object.keys(ladder).length + 1;
        const { playlist: master, text } = await waitForVariants(pb, want, 40_000);
        const names = master.variants.map(renditionName);
        assert.deepEqual(names.slice(0, -1).sort(), Object.keys(ladder).sort(), `renditions (no source):\n${text}`);
        assert.equal(names.at(-1), 'audio_only', `the audio-only rendition last:\n${text}`);
        for (const v of master.variants) {
          const name = renditionName(v);
          const url = new URL(v.uri, pb).href;
          const probed = await probeStreams(url);
          if (name === 'audio_only') {
            assert.equal(probed.video, undefined, 'audio_only: no video stream');
            assert.equal(probed.audio?.codec, 'aac', 'audio_only: AAC');
            assert.deepEqual(v.codecs, 'mp4a.40.2');
            assert.deepEqual(
              v.video.map((m) => m.name),
              ['audio_only'],
              'named audio_only as IVS names it',
            );
            await waitForSegments(url, 3, 20_000);
            const bps = await measuredBitrate(url);
            assert.ok(bps <= AUDIO_ONLY_BPS * AUDIO_ONLY_OVERHEAD, `audio_only: ${Math.round(bps)} b/s`);
            assert.ok(bps > AUDIO_ONLY_BPS / 2, `audio_only: ${Math.round(bps)} b/s: below the 64 kbps AAC it carries`);
            continue;
          }
          assert.equal(probed.video?.height, HEIGHTS[name], `${name}: ffprobe height`);
          assert.equal(probed.audio?.codec, 'aac', `${name}: audio`);
          await waitForSegments(url, 3, 20_000);
          const bps = await measuredBitrate(url);
          const cap = (ladder[name]! + AUDIO[name]!) * OVERHEAD;
          assert.ok(
            bps <= cap,
            `${name}: measured ${Math.round(bps)} b/s above the preset's ${ladder[name]} + audio (cap ${cap})`,
          );
          assert.ok(bps > 0.1 * ladder[name]!, `${name}: measured ${Math.round(bps)} b/s: nearly nothing`);
        }
        assert.ok(!pub.done(), 'publisher still running at the end of the checks');
        assert.equal((await get(pb)).status, 200, 'the stream is still live after the checks');
      } finally {
        await pub.kill();
      }
    });
  }

  it('players: hls.js plays ADVANCED_SD without the audio-only level; the IVS player plays it and lists audio_only', async () => {
    const out = await ivs.send(
      new CreateChannelCommand({ name: 'adv-players', type: 'ADVANCED_SD', latencyMode: 'LOW', insecureIngest: true }),
    );
    const pb = out.channel!.playbackUrl!;
    const pub = publishAt(server.rtmpPort, out.streamKey!.value!, '1280x720', 40);
    try {
      await waitForVariants(pb, 4, 40_000);
      const page = await browser.newPage();
      try {
        await page.goto(blankPage.url);
        await page.addScriptTag({ url: `${server.url}/_openivs/player/hls.min.js` });
        await page.evaluate((src: string) => {
          const video = document.createElement('video');
          video.muted = true;
          document.body.appendChild(video);
          const hls = new Hls({ lowLatencyMode: true });
          window.__levels = undefined;
          window.__errors = [];
          hls.on(Hls.Events.MANIFEST_PARSED, (_e: unknown, data: ManifestParsedData) => {
            window.__levels = data.levels.map((l) => `${l.height}:${l.audioCodec ?? ''}:${l.videoCodec ?? ''}`);
          });
          hls.on(Hls.Events.ERROR, (_e: unknown, data: ErrorData) => window.__errors.push(`${data.fatal}/${data.details}`));
          hls.loadSource(src);
          hls.attachMedia(video);
          window.__video = video;
          void video.play().catch(() => undefined);
        }, pb);
        const state = () =>
          page.evaluate(() => ({
            levels: window.__levels as string[] | undefined,
            errors: window.__errors as string[],
            time: window.__video.currentTime as number,
          }));
        let last: Awaited<ReturnType<typeof state>> | undefined;
        const played = await until(
          'hls.js plays 3 s',
          async () => {
            last = await state();
            return last.time >= 3 ? last : undefined;
          },
          30_000,
          () => JSON.stringify(last),
        );
        assert.deepEqual(
          played.levels?.map((l) => Number(l.split(':')[0])).sort((a, b) => a - b),
          [160, 360, 480],
          `hls.js levels: ${played.levels?.join(', ')}`,
        );
        assert.ok(!played.errors.some((e) => e.startsWith('true/')), `no fatal hls.js error: ${played.errors.join(', ')}`);
      } finally {
        await page.close();
      }

      const player = await playWithIvsPlayer(browser, ivsPlayerPage, pb);
      try {
        const r = await player.until('IVS player PLAYING', (x) => firstPlaying(x) !== undefined || x.errors.length > 0, 30_000);
        assert.deepEqual(r.errors, [], `IVS player errors: ${JSON.stringify(r.errors)}`);
        const names = r.qualities.map((q) => q.name);
        assert.ok(names.includes('audio_only'), `IVS player qualities: ${names.join(', ')}`);
        assert.deepEqual(
          r.qualities
            .filter((q) => q.name !== 'audio_only')
            .map((q) => q.height)
            .sort((a, b) => a - b),
          [160, 360, 480],
          `IVS player qualities: ${JSON.stringify(r.qualities)}`,
        );
      } finally {
        await player.close();
      }
    } finally {
      await pub.kill();
    }
  });
});
