// Amazon's IVS player in headless Chromium for the browser tests: one page per playback on the player page served by
// bench/lib/ivs-player-page.ts (bundle, wasm worker and binary on their own loopback origin; openivs is reached over
// CORS), what the page recorded, and the judgements the tests make on it (stalls, position, latency from the
// playlists' PROGRAM-DATE-TIME).

import type { Browser, Page } from 'playwright-core';
import {
  latencySamples, mediaPlaylistUrls, PlaylistDates, startIvsPlayerPage, type IvsPlayerPage, type IvsRecord, type LatencySample,
} from '../../bench/lib/ivs-player-page.js';
import { sleep } from './live.js';

export { startIvsPlayerPage, type IvsPlayerPage, type IvsRecord };

// Browser globals, used only inside page.evaluate callbacks (the project's TypeScript has no DOM lib).
declare const window: any;

export interface IvsPlayback {
  page: Page;
  /** The page console so far (last lines), for failure messages. */
  console(): string;
  read(): Promise<IvsRecord>;
  /** Waits for `test` on the record, polling; throws with `what` and the record after `timeoutMs`. */
  until(what: string, test: (r: IvsRecord) => boolean, timeoutMs: number): Promise<IvsRecord>;
  close(): Promise<void>;
}

/** Opens a page and starts the player on `url`. */
export async function playWithIvsPlayer(browser: Browser, server: IvsPlayerPage, url: string): Promise<IvsPlayback> {
  const page = await browser.newPage();
  const lines: string[] = [];
  page.on('console', (m) => lines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`pageerror: ${e.message}`));
  await page.goto(`${server.base}/`);
  await page.evaluate(({ src, options }) => window.__ivsStart(src, options), { src: url, options: server.startOptions });
  const read = async () => (await page.evaluate(() => window.__ivsRead())) as IvsRecord;
  const consoleTail = () => lines.slice(-40).join('\n');
  return {
    page,
    console: consoleTail,
    read,
    async until(what, test, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = await read();
        if (test(r)) return r;
        if (Date.now() > deadline) {
          throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${describeRecord(r)}\n--- page console ---\n${consoleTail()}`);
        }
        await sleep(250);
      }
    },
    async close() {
      await page.evaluate(() => window.__ivsStop()).catch(() => undefined);
      await page.close().catch(() => undefined);
    },
  };
}

export const firstPlaying = (r: IvsRecord) => r.states.find((s) => s.state === 'Playing');

/** A short account of a record for failure messages. */
export function describeRecord(r: IvsRecord): string {
  const states = r.states.map((s) => `${s.state}@${(s.t - r.started) / 1000}s/${s.position.toFixed(2)}`).join(' → ');
  const last = r.samples.at(-1);
  return `states: ${states}\nerrors: ${JSON.stringify(r.errors)}\nrebuffers: ${r.rebuffers.length}\n` +
    `last sample: ${JSON.stringify(last)}\nqualities: ${r.qualities.map((q) => q.name).join(', ')}`;
}

export interface PlaySummary {
  /** BUFFERING episodes after the first PLAYING: how many, and their total length (ms; an open one counts to `to`). */
  bufferings: number;
  bufferingMs: number;
  /** Position advance between the first sample at or after `from` and the last one before `to` (s), and the wall time. */
  advancedS: number;
  elapsedS: number;
  /** The longest time (ms) between samples of the window over which the position did not advance. */
  stillMs: number;
  finalState: string;
}

/** How playback went between `from` and `to` (epoch ms). */
export function summarize(r: IvsRecord, from: number, to: number): PlaySummary {
  const start = firstPlaying(r)?.t ?? Infinity;
  let bufferings = 0;
  let bufferingMs = 0;
  let since: number | undefined;
  for (const s of r.states) {
    if (s.t <= start) continue;
    if (s.state === 'Buffering' && since === undefined) {
      bufferings++;
      since = s.t;
    } else if (s.state !== 'Buffering' && since !== undefined) {
      bufferingMs += s.t - since;
      since = undefined;
    }
  }
  if (since !== undefined) bufferingMs += to - since;
  const window = r.samples.filter((s) => s.t >= from && s.t <= to && Number.isFinite(s.position));
  const first = window[0];
  const last = window.at(-1);
  let stillMs = 0;
  let movedAt = first;
  for (const s of window) {
    if (movedAt && s.position > movedAt.position) movedAt = s;
    else if (movedAt) stillMs = Math.max(stillMs, s.t - movedAt.t);
  }
  return {
    bufferings, bufferingMs,
    advancedS: first && last ? last.position - first.position : 0,
    elapsedS: first && last ? (last.t - first.t) / 1000 : 0,
    stillMs,
    finalState: r.states.at(-1)?.state ?? 'none',
  };
}

/** Follows the PDTs of a channel's media playlists while it plays (see bench/lib/ivs-player-page.ts). */
export async function followProgramDateTimes(playbackUrl: string): Promise<PlaylistDates> {
  return new PlaylistDates(await mediaPlaylistUrls(playbackUrl));
}

export interface LatencyReport {
  samples: LatencySample[];
  unlisted: number;
  /** p50 / max of the PDT latency and p50 of getLiveLatency(), seconds, for the log. */
  text: string;
}

export function latencyReport(r: IvsRecord, dates: ReadonlySet<number>, from: number): LatencyReport {
  const { samples, unlisted } = latencySamples(r, dates);
  const inWindow = samples.filter((s) => s.t >= from);
  const p50 = (v: number[]) => {
    const sorted = [...v].sort((a, b) => a - b);
    return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
  };
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const lat = inWindow.map((x) => x.latencyMs);
  return {
    samples: inWindow, unlisted,
    text: `latency (PDT at the player's position) p50 ${s(p50(lat))}, max ${s(Math.max(...lat))} over ${lat.length} samples; ` +
      `player's getLiveLatency() p50 ${s(p50(inWindow.map((x) => x.playerMs)))}`,
  };
}
