// Helpers for the STANDARD (transcoded) channel tests: a bit-rate-capped publisher, the ladder as the multivariant
// playlist lists it (rendition names, variants by name, waiting for rungs and segments), ffprobe of a variant and of
// a segment's first frame, the server's ffmpeg children, and the alignment check across renditions (same media
// sequence number = same keyframe, PTS, PDT and EXTINF).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CreateChannelCommand, type Channel, type IvsClient } from '@aws-sdk/client-ivs';
import {
  get,
  getMediaPlaylist,
  playlistEnd,
  pollUntil,
  publish,
  rtmpUrl,
  run,
  type MasterPlaylist,
  type MediaPlaylist,
  type Running,
} from './live.js';
import { parseMultivariant } from './playlists.js';

/** One frame at 30 fps, in seconds. */
export const ONE_FRAME_S = 0.034;

export interface Created {
  channel: Channel;
  key: string;
}
type Variant = MasterPlaylist['variants'][number];

/**
 * The test pattern + tone at `size`, H.264 capped at 2.5 Mbps (BASIC's ingest limit for 720p is 3.5 Mbps; the
 * helper's uncapped testsrc2 at 720p runs ~4.7 Mbps) + AAC, to rtmp://…/app/<key>.
 */
export function publishAt(port: number, key: string, size: string, seconds: number): Running {
  return publish(rtmpUrl(port, key), { size, seconds, videoKbps: 2500 });
}

export async function createChannel(ivs: IvsClient, name: string, type: 'STANDARD' | 'BASIC'): Promise<Created> {
  const out = await ivs.send(new CreateChannelCommand({ name, type, latencyMode: 'NORMAL', insecureIngest: true }));
  return { channel: out.channel!, key: out.streamKey!.value! };
}

/** Live (non-zombie) ffmpeg processes whose parent is `pid`. */
export function ffmpegChildrenOf(pid: number): number[] {
  // ps exits 1 when nothing matches; parse stdout either way.
  const out = spawnSync('ps', ['--ppid', String(pid), '-o', 'pid=,stat=,comm='], { encoding: 'utf8' });
  return out.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 3 && f[2] === 'ffmpeg' && !f[1]!.startsWith('Z'))
    .map((f) => Number(f[0]));
}

export async function multivariant(playbackUrl: string): Promise<{ text: string; playlist: MasterPlaylist }> {
  const res = await get(playbackUrl);
  if (res.status !== 200) throw new Error(`multivariant answered ${res.status}: ${res.text}`);
  return { text: res.text, playlist: parseMultivariant(res.text) };
}

/** Polls until the multivariant playlist lists at least `n` variants. */
export async function waitForVariants(playbackUrl: string, n: number, timeoutMs = 25_000) {
  return pollUntil(
    `${n} variants in the multivariant playlist`,
    async () => {
      const mv = await multivariant(playbackUrl);
      return mv.playlist.variants.length >= n ? mv : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

/** The rendition name from a variant URI: `<key>/<streamId>/<name>.m3u8?vs=…`. */
export function renditionName(v: Variant): string {
  const m = /\/([^/?]+)\.m3u8(\?|$)/.exec(v.uri);
  return m?.[1] ?? `?${v.uri}`;
}

export function variantByName(playbackUrl: string, master: MasterPlaylist, name: string): string {
  const v = master.variants.find((x) => renditionName(x) === name);
  if (!v) throw new Error(`no ${name} variant in [${master.variants.map(renditionName).join(', ')}]`);
  return new URL(v.uri, playbackUrl).href;
}

export function describeVariants(master: MasterPlaylist): string {
  return master.variants.map((v) => `${renditionName(v)} ${v.resolution?.width}x${v.resolution?.height} ${v.codecs}`).join('; ');
}

/** Waits until the media playlist at `url` has at least `n` segments. */
export async function waitForSegments(url: string, n: number, timeoutMs = 15_000): Promise<MediaPlaylist> {
  return pollUntil(
    `${n} segments in ${url}`,
    async () => {
      const { playlist } = await getMediaPlaylist(url);
      return playlist.segments.length >= n ? playlist : undefined;
    },
    { timeoutMs },
  );
}

interface ProbedStreams {
  video?: { codec: string; width: number; height: number };
  audio?: { codec: string };
}

export async function probeStreams(url: string): Promise<ProbedStreams> {
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
    '-v',
    'error',
    '-select_streams',
    'v',
    '-read_intervals',
    '%+#1',
    '-show_frames',
    '-show_entries',
    'frame=pts_time,key_frame',
    '-of',
    'json',
    segmentUrl,
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
export async function assertAligned(aUrl: string, bUrl: string, count: number): Promise<void> {
  const [a, b] = [(await getMediaPlaylist(aUrl)).playlist, (await getMediaPlaylist(bUrl)).playlist];
  const lo = Math.max(a.mediaSequenceBase ?? 0, b.mediaSequenceBase ?? 0);
  const hi = Math.min(playlistEnd(a), playlistEnd(b)) - 1;
  assert.ok(
    hi >= lo,
    `the renditions share a media sequence number (a: ${a.mediaSequenceBase}..${playlistEnd(a) - 1}, b: ${b.mediaSequenceBase}..${playlistEnd(b) - 1})`,
  );
  for (let seq = hi; seq >= Math.max(lo, hi - count + 1); seq--) {
    const sa = a.segments[seq - a.mediaSequenceBase!]!;
    const sb = b.segments[seq - b.mediaSequenceBase!]!;
    const [fa, fb] = await Promise.all([firstVideoFrame(segmentUrl(aUrl, a, seq)), firstVideoFrame(segmentUrl(bUrl, b, seq))]);
    const detail =
      `segment ${seq}: PTS ${fa.pts} (key ${fa.key}) vs ${fb.pts} (key ${fb.key}); ` +
      `PDT ${sa.programDateTime?.toISOString()} vs ${sb.programDateTime?.toISOString()}; EXTINF ${sa.duration} vs ${sb.duration}`;
    assert.ok(fa.key, `first frame of ${aUrl} is a keyframe: ${detail}`);
    assert.ok(fb.key, `first frame of ${bUrl} is a keyframe: ${detail}`);
    assert.ok(Math.abs(fa.pts - fb.pts) <= ONE_FRAME_S, `first-frame PTS within one frame: ${detail}`);
    assert.equal(sa.programDateTime?.getTime(), sb.programDateTime?.getTime(), `same EXT-X-PROGRAM-DATE-TIME: ${detail}`);
    assert.ok(Math.abs(sa.duration - sb.duration) <= ONE_FRAME_S, `same EXTINF: ${detail}`);
  }
}
