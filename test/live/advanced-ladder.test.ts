// ADVANCED_SD and ADVANCED_HD channels: their own ladders per transcode preset, as IVS's "Channel Types" page lists
// them (HD: 720p30 + 480p30 + 360p30 + 160p30 for a 720p30 source; SD: 480p30 + 360p30 + 160p30), no source
// rendition, every rung transcoded (audio too), and each rung's bit rate within its preset. ffmpeg publishes
// 720p30 over RTMP; ffprobe reads every variant back. This machine has 2 cores: one short broadcast at a time.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateChannelCommand, type ChannelType, type TranscodePreset } from '@aws-sdk/client-ivs';
import { get, getMediaPlaylist } from '../helpers/live.js';
import { probeStreams, publishAt, renditionName, waitForSegments, waitForVariants } from '../helpers/ladder.js';
import { useServer } from '../helpers/use-server.js';

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

describe('live: ADVANCED_SD / ADVANCED_HD ladders per preset', { timeout: 240_000 }, () => {
  const { server, ivs } = useServer();

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
      const pub = publishAt(server.rtmpPort, out.streamKey!.value!, '1280x720', 16);
      try {
        const want = Object.keys(ladder).length;
        const { playlist: master, text } = await waitForVariants(pb, want, 40_000);
        const names = master.variants.map(renditionName).sort();
        assert.deepEqual(names, Object.keys(ladder).sort(), `renditions (no source):\n${text}`);
        for (const v of master.variants) {
          const name = renditionName(v);
          const url = new URL(v.uri, pb).href;
          const probed = await probeStreams(url);
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
        assert.equal((await get(pb)).status, 200);
        assert.ok(!pub.done(), 'publisher still running at the end of the checks');
      } finally {
        await pub.kill();
      }
    });
  }
});
