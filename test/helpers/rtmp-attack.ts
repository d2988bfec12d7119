// The invariants a hostile RTMP client must not break, measured against a real openivs server while an
// honest ffmpeg publisher is live on it: the server's own event-loop reading shows no stall, its resident
// memory stays within a bound, and the honest stream keeps playing (publisher connected, media playlist
// advancing). Shared by the ingest defect tests and the RTMP fuzzers.

import { CreateChannelCommand, type IvsClient } from '@aws-sdk/client-ivs';
import {
  firstVariantUrl,
  getMediaPlaylist,
  playlistEnd,
  pollUntil,
  publish,
  rtmpUrl,
  waitForMultivariant,
  type Running,
} from './live.js';
import { readLoop } from './loop-probe.js';

export interface HonestStream {
  publisher: Running;
  mediaUrl: string;
}

/** Creates a BASIC channel and keeps ffmpeg publishing to it (small picture: the machine is shared). */
export async function startHonestStream(ivs: IvsClient, rtmpPort: number, name: string, seconds = 600): Promise<HonestStream> {
  const out = await ivs.send(new CreateChannelCommand({ name, type: 'BASIC', insecureIngest: true }));
  const publisher = publish(rtmpUrl(rtmpPort, out.streamKey!.value!), { seconds, size: '320x180' });
  const playbackUrl = out.channel!.playbackUrl!;
  const { playlist } = await waitForMultivariant(playbackUrl, 30_000);
  return { publisher, mediaUrl: firstVariantUrl(playbackUrl, playlist) };
}

export interface AttackReading<T> {
  result: T;
  /** Longest event-loop delay the server saw while `work` ran. */
  maxDelayMs: number;
  /** Highest resident memory seen while `work` ran, minus the reading just before it. */
  rssGrowthBytes: number;
  /** Highest resident memory seen while `work` ran. */
  peakRssBytes: number;
}

/**
 * Runs `work` while reading the server's loop figures every `everyMs`, so a transient memory peak is
 * seen even if it is freed before `work` ends.
 */
export async function underAttack<T>(server: { url: string }, work: () => Promise<T>, everyMs = 150): Promise<AttackReading<T>> {
  const baseline = await readLoop(server);
  let maxDelayMs = 0;
  let peakRss = baseline.rssBytes;
  let running = true;
  const sampler = (async () => {
    while (running) {
      await new Promise((r) => setTimeout(r, everyMs));
      const r = await readLoop(server);
      maxDelayMs = Math.max(maxDelayMs, r.maxDelayMs);
      peakRss = Math.max(peakRss, r.rssBytes);
    }
  })();
  let result: T;
  try {
    result = await work();
  } finally {
    running = false;
    await sampler;
  }
  const last = await readLoop(server);
  peakRss = Math.max(peakRss, last.rssBytes);
  return {
    result,
    maxDelayMs: Math.max(maxDelayMs, last.maxDelayMs),
    rssGrowthBytes: peakRss - baseline.rssBytes,
    peakRssBytes: peakRss,
  };
}

/**
 * `underAttack`, with a stall over `maxStallMs` confirmed by replaying `work`: on a shared 2-core machine
 * the server can lose the CPU to another process (ffmpeg encodes of other tests), or hit a major GC, for a
 * few hundred ms now and then; a stall caused by the input itself comes back on every replay. Up to
 * `attempts` runs; the last reading is returned, with memory the worst of all.
 */
export async function underAttackConfirmed<T>(
  server: { url: string },
  work: () => Promise<T>,
  maxStallMs: number,
  attempts = 3,
): Promise<AttackReading<T> & { replayed: boolean; stalls: number[] }> {
  const stalls: number[] = [];
  let worstRss = 0;
  let peakRss = 0;
  for (let i = 1; ; i++) {
    const r = await underAttack(server, work);
    stalls.push(r.maxDelayMs);
    worstRss = Math.max(worstRss, r.rssGrowthBytes);
    peakRss = Math.max(peakRss, r.peakRssBytes);
    if (r.maxDelayMs < maxStallMs || i >= attempts) {
      return { ...r, rssGrowthBytes: worstRss, peakRssBytes: peakRss, replayed: i > 1, stalls };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The honest publisher is still connected and its media playlist gains `segments` more segments. */
export async function assertStillPlaying(honest: HonestStream, segments = 1, timeoutMs = 15_000): Promise<void> {
  if (honest.publisher.done()) {
    const res = await honest.publisher.exited;
    throw new Error(`the honest publisher was dropped (exit ${res.code}): ${res.stderr}`);
  }
  const start = playlistEnd((await getMediaPlaylist(honest.mediaUrl)).playlist);
  await pollUntil(
    "the honest stream's media playlist to advance",
    async () => playlistEnd((await getMediaPlaylist(honest.mediaUrl)).playlist) >= start + segments,
    { timeoutMs },
  );
  if (honest.publisher.done()) throw new Error('the honest publisher was dropped');
}
