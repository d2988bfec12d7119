// STANDARD channels, the ladder: the transcoded rungs below the source (never upscaling), each rung its own variant
// once it has a segment, keyframes and timestamps aligned across renditions, and no ffmpeg for BASIC.
// This machine has 2 cores: at most one transcoded stream runs at a time, and broadcasts are short.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getMediaPlaylist, pollUntil, waitForMultivariant } from '../helpers/live.js';
import {
  assertAligned,
  createChannel,
  describeVariants,
  ffmpegChildrenOf,
  multivariant,
  probeStreams,
  publishAt,
  renditionName,
  variantByName,
  waitForSegments,
  waitForVariants,
} from '../helpers/ladder.js';
import { useServer } from '../helpers/use-server.js';

describe('live: STANDARD ladder, no upscaling, BASIC untouched', { timeout: 100_000 }, () => {
  const { server, ivs } = useServer();

  it('1280x720 input: source + 480p30 + 360p30 + 160p30, probed sizes, keyframes aligned across renditions', async () => {
    const { channel, key } = await createChannel(ivs, 'std-720', 'STANDARD');
    const pub = publishAt(server.rtmpPort, key, '1280x720', 20);
    try {
      const pb = channel.playbackUrl!;
      const { playlist: master, text } = await waitForVariants(pb, 4);
      assert.equal(master.variants.length, 4, `exactly 4 variants (no 720p rung for 720p input):\n${text}`);
      const expected: Record<string, [number, number]> = {
        source: [1280, 720],
        '480p30': [852, 480],
        '360p30': [640, 360],
        '160p30': [284, 160],
      };
      assert.deepEqual(master.variants.map(renditionName).sort(), Object.keys(expected).sort(), `renditions:\n${text}`);
      for (const v of master.variants) {
        const name = renditionName(v);
        const [w, h] = expected[name]!;
        assert.deepEqual([v.resolution?.width, v.resolution?.height], [w, h], `${name} RESOLUTION`);
        assert.match(v.codecs ?? '', /^avc1\.[0-9a-fA-F]{6},mp4a\.40\.\d+$/, `${name} CODECS avc1 + mp4a`);
        assert.ok(v.bandwidth > 0, `${name} BANDWIDTH`);
        assert.match(
          new URL(v.uri, pb).pathname,
          new RegExp(`/st-[A-Za-z0-9]+/${name}\\.m3u8$`),
          `${name} URI <key>/<streamId>/<name>.m3u8`,
        );
      }
      const bw = (n: string) => master.variants.find((v) => renditionName(v) === n)!.bandwidth;
      assert.ok(
        bw('480p30') > bw('360p30') && bw('360p30') > bw('160p30'),
        `BANDWIDTH decreases down the ladder: ${describeVariants(master)}`,
      );

      // ffprobe each variant playlist.
      const probes = await Promise.all(
        master.variants.map(async (v) => [renditionName(v), await probeStreams(new URL(v.uri, pb).href)] as const),
      );
      for (const [name, p] of probes) {
        const [w, h] = expected[name]!;
        assert.deepEqual(p.video, { codec: 'h264', width: w, height: h }, `${name}: ffprobe video`);
        assert.equal(p.audio?.codec, 'aac', `${name}: ffprobe audio`);
      }

      // Keyframe alignment: same media sequence number → same start (keyframe, PTS within a frame).
      const srcUrl = variantByName(pb, master, 'source');
      const sdUrl = variantByName(pb, master, '480p30');
      const lowUrl = variantByName(pb, master, '160p30');
      await waitForSegments(sdUrl, 2);
      await assertAligned(srcUrl, sdUrl, 2);
      await assertAligned(srcUrl, lowUrl, 1);
      assert.ok(!pub.done(), 'publisher still running at the end of the checks');
    } finally {
      await pub.kill();
    }
  });

  it('640x360 input: only source + 160p30 (no upscaling, nothing else at 360p)', async () => {
    const { channel, key } = await createChannel(ivs, 'std-360', 'STANDARD');
    const pub = publishAt(server.rtmpPort, key, '640x360', 14);
    try {
      const pb = channel.playbackUrl!;
      const first = await waitForVariants(pb, 2);
      // Give any further rung time to show up: by 3 source segments every rung that exists has one.
      await waitForSegments(variantByName(pb, first.playlist, 'source'), 3);
      await waitForSegments(variantByName(pb, first.playlist, '160p30'), 2);
      const { playlist: master, text } = await multivariant(pb);
      assert.deepEqual(master.variants.map(renditionName).sort(), ['160p30', 'source'], `renditions:\n${text}`);
      const src = master.variants.find((v) => renditionName(v) === 'source')!;
      const low = master.variants.find((v) => renditionName(v) === '160p30')!;
      assert.deepEqual([src.resolution?.width, src.resolution?.height], [640, 360]);
      assert.deepEqual([low.resolution?.width, low.resolution?.height], [284, 160]);
      assert.equal(master.variants.filter((v) => v.resolution?.height === 360).length, 1, 'one 360p variant: the source');
      const p = await probeStreams(variantByName(pb, master, '160p30'));
      assert.deepEqual(p.video, { codec: 'h264', width: 284, height: 160 }, '160p30: ffprobe video');
      assert.equal(p.audio?.codec, 'aac');
    } finally {
      await pub.kill();
    }
  });

  it('BASIC channel with 1280x720: one variant, and the server starts no ffmpeg', async () => {
    // The previous stream's ffmpeg is stopped with it (stdin closed, SIGKILL after 1 s).
    await pollUntil('no ffmpeg child left from the previous test', () => ffmpegChildrenOf(server.proc.pid!).length === 0, {
      timeoutMs: 10_000,
    });
    const { channel, key } = await createChannel(ivs, 'basic-720', 'BASIC');
    const pub = publishAt(server.rtmpPort, key, '1280x720', 12);
    try {
      const pb = channel.playbackUrl!;
      const { playlist } = await waitForMultivariant(pb);
      const srcUrl = variantByName(pb, playlist, 'source');
      const seen = new Set<number>();
      // Watch for children while 3 segments are produced.
      await pollUntil(
        '3 source segments',
        async () => {
          for (const c of ffmpegChildrenOf(server.proc.pid!)) seen.add(c);
          return (await getMediaPlaylist(srcUrl)).playlist.segments.length >= 3;
        },
        { timeoutMs: 15_000 },
      );
      const { playlist: master, text } = await multivariant(pb);
      assert.equal(master.variants.length, 1, `exactly one variant:\n${text}`);
      assert.deepEqual([master.variants[0]!.resolution?.width, master.variants[0]!.resolution?.height], [1280, 720]);
      assert.deepEqual([...seen], [], 'no ffmpeg child of the server during a BASIC stream');
      assert.deepEqual(ffmpegChildrenOf(server.proc.pid!), [], 'no ffmpeg child of the server');
    } finally {
      await pub.kill();
    }
  });
});
