// STANDARD channels: the transcoded ladder below the source (never upscaling), each rung its own variant once it
// has a segment, keyframes and timestamps aligned across renditions, no ffmpeg for BASIC, survival of an ffmpeg
// crash (restart with backoff while the source keeps playing), the --max-transcodes capacity guard (refusal +
// Stream Failure "Transcode capacity exceeded"), and source-only playback when ffmpeg is unusable.
// This machine has 2 cores: at most one transcoded stream runs at a time, and broadcasts are short.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CreateChannelCommand, type Channel, type IvsClient } from '@aws-sdk/client-ivs';
import HLS from 'hls-parser';
import { useServer } from '../helpers/use-server.js';
import {
  get, getMediaPlaylist, playlistEnd, pollUntil, rtmpUrl, run, sleep, waitForMultivariant, type MasterPlaylist,
  type MediaPlaylist, type Running,
} from '../helpers/live.js';

const SECRET = 'standard-test-secret';
/** One frame at 30 fps, in seconds. */
const ONE_FRAME_S = 0.034;

interface Created { channel: Channel; key: string }
type Variant = MasterPlaylist['variants'][number];

/**
 * The test pattern + tone at `size`, H.264 capped at 2.5 Mbps (BASIC's ingest limit for 720p is 3.5 Mbps; the
 * helper's uncapped testsrc2 at 720p runs ~4.7 Mbps) + AAC, to rtmp://…/app/<key>.
 */
function publishAt(port: number, key: string, size: string, seconds: number): Running {
  return run('ffmpeg', [
    '-nostdin', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', '60',
    '-b:v', '2500k', '-maxrate', '2500k', '-bufsize', '2500k',
    '-c:a', 'aac', '-f', 'flv', rtmpUrl(port, key),
  ]);
}

async function createChannel(ivs: IvsClient, name: string, type: 'STANDARD' | 'BASIC'): Promise<Created> {
  const out = await ivs.send(new CreateChannelCommand({ name, type, latencyMode: 'NORMAL', insecureIngest: true }));
  return { channel: out.channel!, key: out.streamKey!.value! };
}

/** Live (non-zombie) ffmpeg processes whose parent is `pid`. */
function ffmpegChildrenOf(pid: number): number[] {
  // ps exits 1 when nothing matches; parse stdout either way.
  const out = spawnSync('ps', ['--ppid', String(pid), '-o', 'pid=,stat=,comm='], { encoding: 'utf8' });
  return out.stdout.split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 3 && f[2] === 'ffmpeg' && !f[1]!.startsWith('Z'))
    .map((f) => Number(f[0]));
}

async function multivariant(playbackUrl: string): Promise<{ text: string; playlist: MasterPlaylist }> {
  const res = await get(playbackUrl);
  if (res.status !== 200) throw new Error(`multivariant answered ${res.status}: ${res.text}`);
  const parsed = HLS.parse(res.text);
  if (!parsed.isMasterPlaylist) throw new Error(`not a multivariant playlist:\n${res.text}`);
  return { text: res.text, playlist: parsed as MasterPlaylist };
}

/** Polls until the multivariant playlist lists at least `n` variants. */
async function waitForVariants(playbackUrl: string, n: number, timeoutMs = 25_000) {
  return pollUntil(`${n} variants in the multivariant playlist`, async () => {
    const mv = await multivariant(playbackUrl);
    return mv.playlist.variants.length >= n ? mv : undefined;
  }, { timeoutMs, intervalMs: 250 });
}

/** The rendition name from a variant URI: `<key>/<streamId>/<name>.m3u8?vs=…`. */
function renditionName(v: Variant): string {
  const m = /\/([^/?]+)\.m3u8(\?|$)/.exec(v.uri);
  return m?.[1] ?? `?${v.uri}`;
}

function variantByName(playbackUrl: string, master: MasterPlaylist, name: string): string {
  const v = master.variants.find((x) => renditionName(x) === name);
  if (!v) throw new Error(`no ${name} variant in [${master.variants.map(renditionName).join(', ')}]`);
  return new URL(v.uri, playbackUrl).href;
}

function describeVariants(master: MasterPlaylist): string {
  return master.variants.map((v) => `${renditionName(v)} ${v.resolution?.width}x${v.resolution?.height} ${v.codecs}`).join('; ');
}

/** Waits until the media playlist at `url` has at least `n` segments. */
async function waitForSegments(url: string, n: number, timeoutMs = 15_000): Promise<MediaPlaylist> {
  return pollUntil(`${n} segments in ${url}`, async () => {
    const { playlist } = await getMediaPlaylist(url);
    return playlist.segments.length >= n ? playlist : undefined;
  }, { timeoutMs });
}

interface ProbedStreams { video?: { codec: string; width: number; height: number }; audio?: { codec: string } }

async function probeStreams(url: string): Promise<ProbedStreams> {
  const res = await run('ffprobe', ['-v', 'error', '-rw_timeout', '5000000', '-show_streams', '-of', 'json', url]).exited;
  assert.equal(res.code, 0, `ffprobe ${url} failed: ${res.stderr}`);
  const streams = (JSON.parse(res.stdout).streams ?? []) as Array<Record<string, unknown>>;
  const v = streams.find((s) => s.codec_type === 'video');
  const a = streams.find((s) => s.codec_type === 'audio');
  return {
    ...(v ? { video: { codec: String(v.codec_name), width: Number(v.width), height: Number(v.height) } } : {}),
    ...(a ? { audio: { codec: String(a.codec_name) } } : {}),
  };
}

/** PTS (seconds) and key flag of the first video frame of a segment. */
async function firstVideoFrame(segmentUrl: string): Promise<{ pts: number; key: boolean }> {
  const res = await run('ffprobe', [
    '-v', 'error', '-select_streams', 'v', '-read_intervals', '%+#1', '-show_frames',
    '-show_entries', 'frame=pts_time,key_frame', '-of', 'json', segmentUrl,
  ]).exited;
  assert.equal(res.code, 0, `ffprobe ${segmentUrl} failed: ${res.stderr}`);
  const frame = (JSON.parse(res.stdout).frames ?? [])[0] as { pts_time?: string; key_frame?: number } | undefined;
  assert.ok(frame && frame.pts_time !== undefined, `no video frame in ${segmentUrl}: ${res.stdout}`);
  return { pts: Number(frame.pts_time), key: frame.key_frame === 1 };
}

function segmentUrl(mediaUrl: string, p: MediaPlaylist, sequence: number): string {
  const seg = p.segments[sequence - p.mediaSequenceBase!];
  assert.ok(seg, `segment ${sequence} in playlist ${mediaUrl}`);
  return new URL(seg.uri, mediaUrl).href;
}

/**
 * For the newest `count` media sequence numbers present in both renditions: the same program date-time, the
 * first video frame a keyframe in both, and first-frame PTS within one frame.
 */
async function assertAligned(aUrl: string, bUrl: string, count: number): Promise<void> {
  const [a, b] = [(await getMediaPlaylist(aUrl)).playlist, (await getMediaPlaylist(bUrl)).playlist];
  const lo = Math.max(a.mediaSequenceBase ?? 0, b.mediaSequenceBase ?? 0);
  const hi = Math.min(playlistEnd(a), playlistEnd(b)) - 1;
  assert.ok(hi >= lo, `the renditions share a media sequence number (a: ${a.mediaSequenceBase}..${playlistEnd(a) - 1}, b: ${b.mediaSequenceBase}..${playlistEnd(b) - 1})`);
  for (let seq = hi; seq >= Math.max(lo, hi - count + 1); seq--) {
    const sa = a.segments[seq - a.mediaSequenceBase!]!;
    const sb = b.segments[seq - b.mediaSequenceBase!]!;
    const [fa, fb] = await Promise.all([firstVideoFrame(segmentUrl(aUrl, a, seq)), firstVideoFrame(segmentUrl(bUrl, b, seq))]);
    const detail = `segment ${seq}: PTS ${fa.pts} (key ${fa.key}) vs ${fb.pts} (key ${fb.key}); ` +
      `PDT ${sa.programDateTime?.toISOString()} vs ${sb.programDateTime?.toISOString()}; EXTINF ${sa.duration} vs ${sb.duration}`;
    assert.ok(fa.key, `first frame of ${aUrl} is a keyframe: ${detail}`);
    assert.ok(fb.key, `first frame of ${bUrl} is a keyframe: ${detail}`);
    assert.ok(Math.abs(fa.pts - fb.pts) <= ONE_FRAME_S, `first-frame PTS within one frame: ${detail}`);
    assert.equal(sa.programDateTime?.getTime(), sb.programDateTime?.getTime(), `same EXT-X-PROGRAM-DATE-TIME: ${detail}`);
    assert.ok(Math.abs(sa.duration - sb.duration) <= ONE_FRAME_S, `same EXTINF: ${detail}`);
  }
}

// ---------------------------------------------------------------------------------------------------------

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
        source: [1280, 720], '480p30': [852, 480], '360p30': [640, 360], '160p30': [284, 160],
      };
      assert.deepEqual(master.variants.map(renditionName).sort(), Object.keys(expected).sort(), `renditions:\n${text}`);
      for (const v of master.variants) {
        const name = renditionName(v);
        const [w, h] = expected[name]!;
        assert.deepEqual([v.resolution?.width, v.resolution?.height], [w, h], `${name} RESOLUTION`);
        assert.match(v.codecs ?? '', /^avc1\.[0-9a-fA-F]{6},mp4a\.40\.\d+$/, `${name} CODECS avc1 + mp4a`);
        assert.ok(v.bandwidth > 0, `${name} BANDWIDTH`);
        assert.match(new URL(v.uri, pb).pathname, new RegExp(`/st-[A-Za-z0-9]+/${name}\\.m3u8$`), `${name} URI <key>/<streamId>/<name>.m3u8`);
      }
      const bw = (n: string) => master.variants.find((v) => renditionName(v) === n)!.bandwidth;
      assert.ok(bw('480p30') > bw('360p30') && bw('360p30') > bw('160p30'), `BANDWIDTH decreases down the ladder: ${describeVariants(master)}`);

      // ffprobe each variant playlist.
      const probes = await Promise.all(master.variants.map(async (v) => [renditionName(v), await probeStreams(new URL(v.uri, pb).href)] as const));
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
    await pollUntil('no ffmpeg child left from the previous test', () => ffmpegChildrenOf(server.proc.pid!).length === 0,
      { timeoutMs: 10_000 });
    const { channel, key } = await createChannel(ivs, 'basic-720', 'BASIC');
    const pub = publishAt(server.rtmpPort, key, '1280x720', 12);
    try {
      const pb = channel.playbackUrl!;
      const { playlist } = await waitForMultivariant(pb);
      const srcUrl = variantByName(pb, playlist, 'source');
      const seen = new Set<number>();
      // Watch for children while 3 segments are produced.
      await pollUntil('3 source segments', async () => {
        for (const c of ffmpegChildrenOf(server.proc.pid!)) seen.add(c);
        return (await getMediaPlaylist(srcUrl)).playlist.segments.length >= 3;
      }, { timeoutMs: 15_000 });
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

// ---------------------------------------------------------------------------------------------------------

describe('live: STANDARD transcoder crash survival', { timeout: 70_000 }, () => {
  const { server, ivs } = useServer();
  let pub: Running | undefined;
  let srcUrl = '';
  let sdUrl = '';
  let playbackUrl = '';
  let killedAt = 0;

  it('kill -9 of the ffmpeg child: the source keeps playing, 480p30 resumes within ~15 s, the log says restarting', async () => {
    const { channel, key } = await createChannel(ivs, 'std-crash', 'STANDARD');
    pub = publishAt(server.rtmpPort, key, '1280x720', 34);
    playbackUrl = channel.playbackUrl!;
    const { playlist: master } = await waitForVariants(playbackUrl, 4);
    srcUrl = variantByName(playbackUrl, master, 'source');
    sdUrl = variantByName(playbackUrl, master, '480p30');
    await waitForSegments(sdUrl, 2);

    const before = ffmpegChildrenOf(server.proc.pid!);
    assert.equal(before.length, 1, `one ffmpeg child of the server during a STANDARD stream (got ${before.join(', ')})`);
    const srcEnd0 = playlistEnd((await getMediaPlaylist(srcUrl)).playlist);
    const sdEnd0 = playlistEnd((await getMediaPlaylist(sdUrl)).playlist);
    process.kill(before[0]!, 'SIGKILL');
    killedAt = Date.now();

    // Source keeps advancing during the outage; 480p30 gets new segments again (+2: past any segment open at the kill).
    let srcEnd = srcEnd0;
    let lastSrcAdvance = killedAt;
    let longestSrcStall = 0;
    let sdEnd = sdEnd0;
    while (sdEnd < sdEnd0 + 2 && Date.now() - killedAt < 15_000) {
      await sleep(400);
      const s = playlistEnd((await getMediaPlaylist(srcUrl)).playlist);
      const now = Date.now();
      if (s > srcEnd) {
        srcEnd = s;
        lastSrcAdvance = now;
      }
      longestSrcStall = Math.max(longestSrcStall, now - lastSrcAdvance);
      sdEnd = playlistEnd((await getMediaPlaylist(sdUrl)).playlist);
    }
    assert.ok(sdEnd >= sdEnd0 + 2,
      `480p30 advanced again within 15 s of the kill (end ${sdEnd0} → ${sdEnd}; source ${srcEnd0} → ${srcEnd})\n${server.logs()}`);
    assert.ok(srcEnd > srcEnd0, `the source playlist advanced during the outage (${srcEnd0} → ${srcEnd})`);
    assert.ok(longestSrcStall < 4000, `the source never stalled more than ~2 segments (longest: ${longestSrcStall} ms)`);
    assert.ok(!pub.done(), 'the publisher is unaffected by the transcoder crash');

    const after = ffmpegChildrenOf(server.proc.pid!);
    assert.equal(after.length, 1, `one (new) ffmpeg child after the restart (got ${after.join(', ')})`);
    assert.notEqual(after[0], before[0], 'a new ffmpeg process');
    assert.match(server.logs(), /restarting/i, 'the server log mentions the restart');
    const mv = await multivariant(playbackUrl);
    assert.equal(mv.playlist.variants.length, 4, `all 4 variants still listed:\n${mv.text}`);
  });

  it('after the restart 480p30 is still aligned with the source (same segment = same keyframe, PTS, discontinuities)', async () => {
    assert.ok(pub && !pub.done() && killedAt > 0, 'the crashed stream is still live');
    try {
      // Every segment that began after the kill: first frames at the same PTS, same PDT, same EXTINF.
      const src = (await getMediaPlaylist(srcUrl)).playlist;
      const sd = (await getMediaPlaylist(sdUrl)).playlist;
      const after = sd.segments.filter((x) => (x.programDateTime?.getTime() ?? 0) > killedAt - 2500).length;
      await assertAligned(srcUrl, sdUrl, Math.max(2, Math.min(after, 4)));
      // A discontinuity in one variant only would also desynchronize players switching between them.
      const flags = (p: MediaPlaylist) => p.segments.map((x, i) => `${(p.mediaSequenceBase ?? 0) + i}:${x.discontinuity ? 'D' : '-'}`);
      const common = new Set(flags(src).map((f) => f.split(':')[0]));
      assert.deepEqual(flags(sd).filter((f) => common.has(f.split(':')[0])),
        flags(src).filter((f) => new Set(flags(sd).map((g) => g.split(':')[0])).has(f.split(':')[0])),
        'EXT-X-DISCONTINUITY at the same media sequence numbers in both renditions');
    } finally {
      await pub.kill();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('live: --max-transcodes capacity guard', { timeout: 80_000 }, () => {
  const { server, ivs, hook } = useServer({ webhook: { secret: SECRET }, args: ['--max-transcodes', '1'] });

  it('a second STANDARD stream is refused with Stream Failure "Transcode capacity exceeded"; BASIC still publishes; the slot is freed at the end', async () => {
    const a = await createChannel(ivs, 'cap-a', 'STANDARD');
    const b = await createChannel(ivs, 'cap-b', 'STANDARD');
    const c = await createChannel(ivs, 'cap-basic', 'BASIC');
    const pubA = publishAt(server.rtmpPort, a.key, '640x360', 40);
    try {
      await waitForVariants(a.channel.playbackUrl!, 2);

      const refused = await publishAt(server.rtmpPort, b.key, '640x360', 10).exited;
      assert.notEqual(refused.code, 0, `the second STANDARD publish is refused (stderr: ${refused.stderr})`);
      assert.ok(refused.ms < 10_000, `refused within 10 s (took ${refused.ms} ms)`);
      const offline = await get(b.channel.playbackUrl!);
      assert.equal(offline.status, 404, 'the refused channel is offline');

      const failure = await pollUntil('Stream Failure for the refused channel', () => hook.unique().find((e) =>
        e.detailType === 'IVS Stream State Change' && e.envelope.detail?.event_name === 'Stream Failure'
        && e.envelope.resources?.[0] === b.channel.arn), { timeoutMs: 10_000 });
      assert.equal(failure.envelope.detail.reason, 'Transcode capacity exceeded');
      assert.equal(failure.envelope.detail.channel_name, 'cap-b');
      assert.equal(failure.signatureValid, true, 'signed delivery');
      assert.ok(!hook.unique().some((e) => e.envelope.resources?.[0] === a.channel.arn && e.envelope.detail?.event_name === 'Stream Failure'),
        'no Stream Failure for the stream that holds the slot');

      // BASIC needs no transcode slot.
      assert.ok(!pubA.done(), 'the first STANDARD stream is still live');
      const pubC = publishAt(server.rtmpPort, c.key, '640x360', 8);
      const { playlist: basic } = await waitForMultivariant(c.channel.playbackUrl!);
      assert.equal(basic.variants.length, 1, 'BASIC plays while the transcode capacity is used up');
      assert.ok(!pubC.done(), 'the BASIC publisher is live');
      await pubC.kill();

      // The slot is released when the first stream ends: B can now go live with its ladder.
      await pubA.kill();
      await pollUntil('channel A offline', async () => (await get(a.channel.playbackUrl!)).status === 404, { timeoutMs: 10_000 });
      const pubB = publishAt(server.rtmpPort, b.key, '640x360', 10);
      const { playlist: ladder, text } = await waitForVariants(b.channel.playbackUrl!, 2);
      assert.deepEqual(ladder.variants.map(renditionName).sort(), ['160p30', 'source'], `B transcoded after A ended:\n${text}`);
      assert.ok(!pubB.done(), 'the STANDARD publisher is accepted once the slot is free');
      await pubB.kill();
    } finally {
      await pubA.kill();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('live: STANDARD without a usable ffmpeg (--ffmpeg-path /nonexistent)', { timeout: 45_000 }, () => {
  const { server, ivs } = useServer({ args: ['--ffmpeg-path', '/nonexistent'] });

  it('logs a warning at start; a STANDARD stream plays its source rendition only', async () => {
    assert.match(server.logs(), /ffmpeg is not usable/, `startup warning:\n${server.logs()}`);
    const { channel, key } = await createChannel(ivs, 'std-noffmpeg', 'STANDARD');
    const pub = publishAt(server.rtmpPort, key, '1280x720', 12);
    try {
      const pb = channel.playbackUrl!;
      const { playlist } = await waitForMultivariant(pb);
      await waitForSegments(variantByName(pb, playlist, 'source'), 3);
      const { playlist: master, text } = await multivariant(pb);
      assert.equal(master.variants.length, 1, `source only:\n${text}`);
      assert.equal(renditionName(master.variants[0]!), 'source');
      assert.deepEqual([master.variants[0]!.resolution?.width, master.variants[0]!.resolution?.height], [1280, 720]);
      assert.ok(!pub.done(), 'the publish was accepted and is still live');
      assert.deepEqual(ffmpegChildrenOf(server.proc.pid!), [], 'no ffmpeg child');
      // Nothing transcoded is reachable either.
      const sd = await get(variantByName(pb, master, 'source').replace('/source.m3u8', '/480p30.m3u8'));
      assert.equal(sd.status, 404, '480p30 does not exist');
    } finally {
      await pub.kill();
    }
  });
});
