// bench:metrics — what Prometheus metrics cost the hot paths, metrics on versus off in the same run, and the operator
// console's first load. Two openivs run side by side from the start: one with metrics on and scraped every second
// while it is loaded (as a Prometheus with scrape_interval 1s would: more often than anyone scrapes, so the cost
// shown is an upper bound), one with --metrics off (no /metrics, no counters on the request paths, no runtime
// sampling): the baseline. Each measurement alternates them in ABBA order, on/off then off/on (BENCH_ROUNDS rounds):
// a steady drift of a shared machine (segment req/s rose 3× over one run as caches warmed) then falls on both sides
// alike, where on/off/on/off would credit it all to the side measured second.
//   (a) bench:playback's LL-HLS media playlist and (b) segment requests per second, 32 connections (autocannon), on
//       one live BASIC LOW stream per server (an ffmpeg publisher of the 720p clip each);
//   (c) bench:ingest's server CPU per stream: N ffmpeg publishers into the server, CPU seconds of the openivs process
//       over the window (after a ramp) divided by N, as % of a core;
//   (d) the console's first load in headless Chromium (bench/lib/console-load.ts): bytes transferred (compressed
//       JavaScript, and everything), time to interactive (defined there), median of BENCH_CONSOLE_LOADS fresh loads.
// Targets (issue 15): metrics cost under 3% on (a), (b), (c); under 300 kB (300 000 bytes) of compressed JavaScript.
// Env: BENCH_DURATION (10 s per load phase), BENCH_ROUNDS (4), BENCH_STREAMS (20), BENCH_INGEST_WINDOW (30 s),
// BENCH_RAMP (10 s), BENCH_CONSOLE_LOADS (5).

import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../devtools/browser.js';
import type { OpenivsServer } from '../devtools/server.js';
import { measureConsoleLoad, TTI_DEFINITION, type ConsoleLoad } from './lib/console-load.js';
import {
  fetchMediaPlaylist,
  firstVariantUrl,
  isRunning,
  makeClip,
  startPublisher,
  stopPublishers,
  type Clip,
  type MediaPlaylist,
} from './lib/media.js';
import { scrapeEverySecond, type ScrapeReport } from './lib/metrics-scraper.js';
import { cpuSeconds, percentile, removeOnExit, sleep, startOpenivs, type GroupChild } from './lib/processes.js';
import { call } from './lib/signing.js';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 20);
const INGEST_WINDOW_S = Number(process.env.BENCH_INGEST_WINDOW ?? 30);
const RAMP_S = Number(process.env.BENCH_RAMP ?? 10);
const CONSOLE_LOADS = Number(process.env.BENCH_CONSOLE_LOADS ?? 5);
const COST_TARGET = 0.03;
const JS_TARGET_BYTES = 300_000;
// A segment stays fetchable for ~16 s after it is written; load on a segment is split into chunks shorter than that.
const SEGMENT_CHUNK_S = 10;

interface Side {
  name: 'on' | 'off';
  server: OpenivsServer;
  channels: { arn: string; playbackUrl: string; key: string }[];
}

interface Row {
  figure: string;
  on: string;
  off: string;
  cost: string;
  target: string;
  met: boolean | undefined;
}

const rows: Row[] = [];
const scrapes: ScrapeReport[] = [];

/** Runs `fn` on the metrics-on server while a scraper reads its /metrics every second. */
async function scraped<T>(side: Side, fn: () => Promise<T>): Promise<T> {
  if (side.name === 'off') return fn();
  const scraper = scrapeEverySecond(`${side.server.url}/metrics`);
  try {
    return await fn();
  } finally {
    scrapes.push(await scraper.stop());
  }
}

async function load(url: () => Promise<string>, durationS: number, chunkS = durationS): Promise<number> {
  let requests = 0;
  let seconds = 0;
  let errors = 0;
  for (let left = durationS; left > 0; left -= chunkS) {
    const r = await autocannon({
      url: await url(),
      connections: 32,
      pipelining: 1,
      duration: Math.min(chunkS, left),
      // Bodies are not checked; autocannon's per-chunk string decode would otherwise cap the segment rate.
      setupClient: (client: unknown) => {
        (client as { pipelinedRequests: { addBody: (data: Buffer) => void } }).pipelinedRequests.addBody = () => undefined;
      },
    });
    requests += r.requests.total;
    seconds += r.duration;
    errors += r.errors + r.timeouts + r.non2xx;
  }
  if (errors > 0) throw new Error(`${errors} failed requests to ${await url()}`);
  return requests / seconds;
}

async function waitForSegments(url: string, count: number, timeoutMs = 30_000): Promise<MediaPlaylist> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const playlist = await fetchMediaPlaylist(url);
    if (playlist && playlist.segments.length >= count) return playlist;
    await sleep(250);
  }
  throw new Error(`no ${count} segments in ${url} after ${timeoutMs} ms`);
}

async function mediaPlaylistUrl(playbackUrl: string, publisher: GroupChild): Promise<string> {
  for (let i = 0; i < 80; i++) {
    const found = await firstVariantUrl(playbackUrl).catch(() => undefined);
    if (found) return found;
    await sleep(250);
  }
  throw new Error(`stream did not go live: ${publisher.stderrTail().trim()}`);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Higher is better (a rate): the cost is the share of the baseline's rate lost with metrics on. */
function rateRow(figure: string, on: number[], off: number[]): void {
  const cost = 1 - mean(on) / mean(off);
  rows.push({
    figure,
    on: `${mean(on).toFixed(0)} req/s`,
    off: `${mean(off).toFixed(0)} req/s`,
    cost: `${(100 * cost).toFixed(1)}%`,
    target: `< ${100 * COST_TARGET}%`,
    met: cost < COST_TARGET,
  });
}

async function playback(sides: Side[], clip: Clip): Promise<void> {
  const publishers: GroupChild[] = [];
  try {
    const urls = new Map<Side, string>();
    for (const side of sides) {
      const channel = side.channels[0]!;
      const publisher = startPublisher(clip, `rtmp://127.0.0.1:${side.server.rtmpPort}/app/${channel.key}`);
      publishers.push(publisher);
      urls.set(side, await mediaPlaylistUrl(channel.playbackUrl, publisher));
    }
    for (const url of urls.values()) await waitForSegments(url, 3);
    const newestSegment = (side: Side) => async () => {
      const mediaUrl = urls.get(side)!;
      const playlist = await waitForSegments(mediaUrl, 1);
      return new URL(playlist.segments[playlist.segments.length - 1]!.uri, mediaUrl).toString();
    };
    const cases: [string, (side: Side) => () => Promise<string>, number | undefined][] = [
      ['(a) LL-HLS media playlist req/s', (side) => async () => urls.get(side)!, undefined],
      ['(b) segment req/s', newestSegment, SEGMENT_CHUNK_S],
    ];
    for (const [figure, url, chunk] of cases) {
      console.log(`${figure}: 32 connections, ${DURATION_S} s per phase, ${ROUNDS} rounds, ABBA order`);
      for (const side of sides) await load(url(side), 2, chunk); // warm-up
      const rates: Record<Side['name'], number[]> = { on: [], off: [] };
      for (let round = 0; round < ROUNDS; round++) {
        for (const side of abba(sides, round)) {
          const rate = await scraped(side, () => load(url(side), DURATION_S, chunk));
          rates[side.name].push(rate);
          console.log(`  round ${round + 1} metrics ${side.name.padEnd(3)} ${rate.toFixed(0).padStart(7)} req/s`);
        }
      }
      rateRow(figure, rates.on, rates.off);
    }
  } finally {
    await stopPublishers(publishers);
  }
}

/** N publishers into one server; % of a core per stream over the window. */
async function ingestPhase(side: Side, clip: Clip): Promise<number> {
  const publishers: GroupChild[] = [];
  const pid = side.server.proc.pid!;
  try {
    const spacing = Math.min(100, (RAMP_S * 1000) / 2 / Math.max(1, STREAMS));
    const rampEnd = Date.now() + RAMP_S * 1000;
    for (const channel of side.channels.slice(0, STREAMS)) {
      publishers.push(startPublisher(clip, `rtmp://127.0.0.1:${side.server.rtmpPort}/app/${channel.key}`));
      await sleep(spacing);
    }
    await sleep(rampEnd - Date.now());
    return await scraped(side, async () => {
      const cpu0 = cpuSeconds(pid);
      const t0 = performance.now();
      await sleep(INGEST_WINDOW_S * 1000);
      const cpu = cpuSeconds(pid) - cpu0;
      const elapsed = (performance.now() - t0) / 1000;
      const live = ((await call(side.server.port, 'ListStreams', { maxResults: 100 })) as { streams: unknown[] }).streams.length;
      const alive = publishers.filter(isRunning).length;
      if (live !== STREAMS || alive !== STREAMS)
        throw new Error(`metrics ${side.name}: ${live} live streams, ${alive} publishers running, of ${STREAMS}`);
      return (100 * cpu) / elapsed / STREAMS;
    });
  } finally {
    await stopPublishers(publishers);
    // Let the streams end (the registry notices the publishers leaving) before the next phase starts.
    for (let i = 0; i < 40; i++) {
      const { streams } = (await call(side.server.port, 'ListStreams', { maxResults: 100 })) as { streams: unknown[] };
      if (streams.length === 0) break;
      await sleep(250);
    }
  }
}

/** Round 0 in the given order, round 1 reversed, and so on (ABBA). */
const abba = <T>(items: readonly T[], round: number): readonly T[] => (round % 2 === 0 ? items : [...items].reverse());

async function ingest(sides: Side[], clip: Clip): Promise<void> {
  console.log(`(c) ingest: ${STREAMS} publishers, ${RAMP_S} s ramp, ${INGEST_WINDOW_S} s window, ${ROUNDS} rounds, ABBA order`);
  const perStream: Record<Side['name'], number[]> = { on: [], off: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of abba(sides, round)) {
      const pct = await ingestPhase(side, clip);
      perStream[side.name].push(pct);
      console.log(`  round ${round + 1} metrics ${side.name.padEnd(3)} ${pct.toFixed(2)}% of a core per stream`);
    }
  }
  const cost = mean(perStream.on) / mean(perStream.off) - 1;
  rows.push({
    figure: `(c) server CPU per stream, ${STREAMS} streams`,
    on: `${mean(perStream.on).toFixed(2)}% core`,
    off: `${mean(perStream.off).toFixed(2)}% core`,
    cost: `${(100 * cost).toFixed(1)}%`,
    target: `< ${100 * COST_TARGET}%`,
    met: cost < COST_TARGET,
  });
}

async function consoleLoad(side: Side): Promise<void> {
  console.log(`(d) console first load: ${CONSOLE_LOADS} loads, each in a fresh browser context`);
  console.log(`  time to interactive: ${TTI_DEFINITION}`);
  let browser: Browser | undefined;
  const loads: ConsoleLoad[] = [];
  try {
    browser = await launchChromium();
    await measureConsoleLoad(browser, `${side.server.url}/console/`); // warm-up: server caches, browser start
    for (let i = 0; i < CONSOLE_LOADS; i++) loads.push(await measureConsoleLoad(browser, `${side.server.url}/console/`));
  } finally {
    await browser?.close();
  }
  const median = (pick: (l: ConsoleLoad) => number) =>
    percentile(
      loads.map(pick).sort((a, b) => a - b),
      50,
    );
  const first = loads[0]!;
  console.log(
    `  ${first.requests} requests; JavaScript ${first.jsEncodings.join('/')}: ${(first.jsBytes / 1000).toFixed(1)} kB transferred, ` +
      `${(first.jsDecodedBytes / 1000).toFixed(1)} kB decoded; DOMContentLoaded ${median((l) => l.domContentLoadedMs).toFixed(0)} ms, ` +
      `load ${median((l) => l.loadMs).toFixed(0)} ms (medians)`,
  );
  rows.push({
    figure: '(d) console first load: compressed JavaScript',
    on: `${(first.jsBytes / 1000).toFixed(1)} kB`,
    off: '—',
    cost: '—',
    target: `< ${JS_TARGET_BYTES / 1000} kB`,
    met: first.jsBytes < JS_TARGET_BYTES,
  });
  rows.push({
    figure: '(d) console first load: all bytes transferred',
    on: `${(first.totalBytes / 1000).toFixed(1)} kB`,
    off: '—',
    cost: '—',
    target: '—',
    met: undefined,
  });
  rows.push({
    figure: '(d) console time to interactive (median)',
    on: `${median((l) => l.ttiMs).toFixed(0)} ms`,
    off: '—',
    cost: '—',
    target: '—',
    met: undefined,
  });
}

function table(): void {
  const header = ['figure', 'metrics on', 'metrics off (baseline)', 'cost', 'target', ''];
  const body = rows.map((r) => [r.figure, r.on, r.off, r.cost, r.target, r.met === undefined ? '' : r.met ? 'met' : 'NOT met']);
  const all = [header, ...body];
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
  all.forEach((row, i) => {
    console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  });
  const ms = scrapes.flatMap((s) => s.ms).sort((a, b) => a - b);
  const failures = scrapes.reduce((n, s) => n + s.failures, 0);
  const bytes = Math.max(0, ...scrapes.map((s) => s.bytes));
  console.log(
    `scrapes of the metrics-on server under load: n ${ms.length}, up to ${bytes} B, p50 ${percentile(ms, 50).toFixed(1)} ms, ` +
      `p99 ${percentile(ms, 99).toFixed(1)} ms, failures ${failures}`,
  );
}

async function startSide(name: Side['name'], dir: string): Promise<Side> {
  const quota = String(STREAMS + 10);
  const server = await startOpenivs(join(dir, `openivs-${name}`), ['--allow-insecure-ingest', '--metrics', name], {
    OPENIVS_QUOTA_CHANNELS: quota,
    OPENIVS_QUOTA_CONCURRENT_BROADCASTS: quota,
  });
  const status = await fetch(`${server.url}/metrics`).then((r) => r.arrayBuffer().then(() => r.status));
  if ((status === 200) !== (name === 'on')) throw new Error(`metrics ${name}: GET /metrics answered ${status}`);
  const channels: Side['channels'] = [];
  for (let i = 0; i < Math.max(1, STREAMS); i++) {
    const out = (await call(server.port, 'CreateChannel', { name: `bench-${i}`, type: 'BASIC', insecureIngest: true })) as {
      channel: { arn: string; playbackUrl: string };
      streamKey: { value: string };
    };
    channels.push({ arn: out.channel.arn, playbackUrl: out.channel.playbackUrl, key: out.streamKey.value });
  }
  return { name, server, channels };
}

async function main(): Promise<void> {
  const dir = removeOnExit(mkdtempSync(join(tmpdir(), 'openivs-bench-metrics-')));
  const sides: Side[] = [];
  try {
    const clip = await makeClip(dir);
    console.log(
      `two openivs side by side: metrics on (scraped every second while loaded) and --metrics off; ` +
        `clip ${clip.kbps.toFixed(0)} kbit/s 720p30`,
    );
    sides.push(await startSide('on', dir), await startSide('off', dir));
    await playback(sides, clip);
    await ingest(sides, clip);
    await consoleLoad(sides[0]!);
    console.log('');
    table();
  } finally {
    for (const side of sides) await side.server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
