// bench:latency's Amazon IVS player rows: the player page of devtools/ivs-player-page.ts in a fresh browser page, playing for
// a warm-up then a measured window. Latency = Date.now() − the playlists' EXT-X-PROGRAM-DATE-TIME at the player's
// position (latencySamples), every `sampleMs`; the player's own getLiveLatency() and the latency at its first PLAYING
// are reported beside it, and how long it took to come within `withinMs` (the player starts at the beginning of the
// last complete segment and then plays at 1.03× until its latency is low, so its latency falls during the first
// minute; the window shows where it sits after the warm-up).

import type { Browser } from 'playwright-core';
import {
  firstPlaying,
  latencySamples,
  mediaPlaylistUrls,
  playWithIvsPlayer,
  PlaylistDates,
  type IvsPlayback,
  type IvsPlayerPage,
} from '../../devtools/ivs-player-page.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

export interface IvsMeasurement {
  /** PDT latency samples in the window (ms). */
  samples: number[];
  /** getLiveLatency() in the window (ms). */
  player: number[];
  /** BUFFERING episodes in the window. */
  stalls: number;
  levels: string[];
  /** From the page load to the first PLAYING (ms). */
  startupMs: number;
  /** PDT latency at the first sample after the first PLAYING (ms). */
  firstMs: number;
  /** PDT latency samples of the first `joinS` seconds after the first PLAYING (ms): the join, before the player settles. */
  joining: number[];
  /** From the first PLAYING until the PDT latency stays within `withinMs` (ms), or NaN. */
  settleMs: number;
  errors: string[];
}

export async function measureIvsPlayer(
  browser: Browser,
  page: IvsPlayerPage,
  playUrl: string,
  o: { warmupS: number; durationS: number; sampleMs: number; withinMs: number; joinS: number },
): Promise<IvsMeasurement> {
  const dates = new PlaylistDates(await mediaPlaylistUrls(playUrl));
  let player: IvsPlayback | undefined;
  try {
    player = await playWithIvsPlayer(browser, page, playUrl, { sampleMs: o.sampleMs });
    const loaded = player.loadedAt;
    const read = () => player!.read();
    let r = await read();
    for (const deadline = Date.now() + 30_000; !firstPlaying(r); r = await read()) {
      if (Date.now() > deadline || r.errors.length > 0) {
        throw new Error(`IVS player: no playback within 30 s; errors ${JSON.stringify(r.errors)}\n${player.console()}`);
      }
      await sleep(200);
    }
    const start = firstPlaying(r)!.t;
    const windowStart = start + o.warmupS * 1000;
    const windowEnd = windowStart + o.durationS * 1000;
    await sleep(windowEnd - Date.now() + 100);
    r = await read();
    const all = latencySamples(r, await dates.stop()).samples;
    const inWindow = all.filter((s) => s.t >= windowStart && s.t <= windowEnd);
    const lastOver = [...all].reverse().find((s) => s.latencyMs > o.withinMs);
    const settled = lastOver === undefined ? start : all.find((s) => s.t > lastOver.t)?.t;
    let stalls = 0;
    for (let i = 1; i < r.states.length; i++) {
      const s = r.states[i]!;
      if (s.state === 'Buffering' && s.t >= windowStart && s.t <= windowEnd && r.states[i - 1]!.state !== 'Buffering') stalls++;
    }
    return {
      samples: inWindow.map((s) => s.latencyMs),
      player: inWindow.map((s) => s.playerMs),
      stalls,
      levels: [...new Set(r.samples.filter((s) => s.t >= windowStart && s.t <= windowEnd).map((s) => `${s.height}p`))],
      startupMs: start - loaded,
      firstMs: all[0]?.latencyMs ?? NaN,
      joining: all.filter((s) => s.t >= start && s.t <= start + o.joinS * 1000).map((s) => s.latencyMs),
      settleMs: settled === undefined ? NaN : settled - start,
      errors: r.errors.map((e) => `${e.type} ${e.code} ${e.message}`),
    };
  } finally {
    await player?.close();
    await dates.stop();
  }
}
