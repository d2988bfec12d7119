// bench:metrics — what Prometheus metrics cost the hot paths, metrics on versus off in the same run, and the operator
// console's first load. One process holds two openivs apps built as `openivs start` builds its one
// (bench/lib/metrics-pair-host.ts): "on", scraped every BENCH_SCRAPE_INTERVAL seconds while it is measured (default
// 1, as a Prometheus with scrape_interval 1s would: more often than anyone scrapes, so the cost shown is an upper
// bound; 15 s is a common setting), and "off", built with --metrics off (no /metrics, no counters on the request
// paths, no runtime sampling): the baseline. What metrics run in the background for the whole process (the event-loop
// delay monitor's timer, the GC observer) is paused while "off" is measured and running while "on" is.
// Why one process: this machine's speed swings by 2–3× within minutes, and two identical openivs processes differed by
// 15–17% for their whole life (an A/A run), more than the 3% to be resolved. A comparison inside one process has no
// such difference of its own (same machine code, same heap, same CPU), and short windows of "on" and "off" taken in
// turn (ABBA: on, off, then off, on, ...) put a swing on both alike. The host is pinned to one CPU, the load generator
// (wrk, C) and the publishers to the other. The cost printed is the mean of "on" over the mean of "off" (less 1) with
// the 95% interval of the pairs' costs, their median and spread; BENCH_AA=1 loads the off app in both windows of every
// pair (for (c): pauses the metrics in both): the bench's own noise floor.
//   (a) bench:playback's LL-HLS media playlist and (b) segment requests with wrk, 32 connections, as fast as they are
//       answered, on one live BASIC stream per app (an ffmpeg publisher of the 720p clip each; a segment window asks
//       both apps for the segment of the same sequence number, the same stretch of the clip). The figure: the host's
//       CPU time per request (what a request costs it, the inverse of what one core serves), beside req/s.
//   (c) bench:ingest's server CPU per stream: N ffmpeg publishers into the on app for the whole part, and pairs of
//       windows with its metrics running (and scraped) or paused (ingestPart): CPU seconds of the host over a window
//       divided by N, as % of a core.
//   (d) the console's first load in headless Chromium (bench/lib/console-load.ts): bytes transferred (compressed
//       JavaScript, and everything), time to interactive (defined there), median of BENCH_CONSOLE_LOADS fresh loads.
//   (e) one scrape's CPU, with a few live streams (scrapeCost): what each scrape costs at any interval.
// At a fixed low load (c, and any playback rate well below saturation) what metrics cost per second rather than per
// request (the event-loop monitor's 100 wake-ups a second, ~0.4% of a core on this VM when the process idles and
// next to nothing when it is busy; a scrape, (e)) weighs more than on a saturated server, where it is absorbed.
// Targets (issue 15): metrics cost under 3% on (a), (b), (c); under 300 kB (300 000 bytes) of compressed JavaScript.
// Env: BENCH_SCRAPE_INTERVAL (1 s), BENCH_WINDOW (3 s per playback window), BENCH_PAIRS (20 pairs of playback windows),
// BENCH_WARM_UP (5 s per app of scraped load before the playback pairs), BENCH_STREAMS (50, bench:ingest's count),
// BENCH_INGEST_PAIRS (12), BENCH_INGEST_WINDOW (5 s), BENCH_RAMP (10 s), BENCH_CONSOLE_LOADS (5), BENCH_ONLY (a comma
// list of playlist, segment, ingest, scrape, console: runs those parts alone), BENCH_AA=1 (the A/A run; BENCH_AA=on
// measures the on side, running and scraped, in both windows: with BENCH_NODE_ARGS=--cpu-prof, a profile of it alone).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../devtools/browser.js';
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
import { startMetricsHost, type HostedApp, type MetricsHost, type SideName } from './lib/metrics-host.js';
import { scrapeEvery, type ScrapeReport } from './lib/metrics-scraper.js';
import { cpuSeconds, percentile, pinToCpu, removeOnExit, sleep, type GroupChild } from './lib/processes.js';
import { call } from './lib/signing.js';
import { wrkLoad } from './lib/wrk.js';

const WINDOW_S = Number(process.env.BENCH_WINDOW ?? 3);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 20);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 50);
const INGEST_PAIRS = Number(process.env.BENCH_INGEST_PAIRS ?? 12);
const INGEST_WINDOW_S = Number(process.env.BENCH_INGEST_WINDOW ?? 5);
const RAMP_S = Number(process.env.BENCH_RAMP ?? 10);
const CONSOLE_LOADS = Number(process.env.BENCH_CONSOLE_LOADS ?? 5);
/** An A/A run: the off side in both windows ('1'), or the on side, running and scraped, in both ('on'). */
const AA_SIDE: SideName | undefined = process.env.BENCH_AA === '1' ? 'off' : process.env.BENCH_AA === 'on' ? 'on' : undefined;
const AA = AA_SIDE !== undefined;
const PARTS = ['playlist', 'segment', 'ingest', 'scrape', 'console'] as const;
const ONLY = new Set((process.env.BENCH_ONLY ?? PARTS.join(',')).split(',').map((part) => part.trim()));
for (const part of ONLY) if (!(PARTS as readonly string[]).includes(part)) throw new Error(`BENCH_ONLY: unknown part ${part}`);
const SCRAPE_INTERVAL_S = Number(process.env.BENCH_SCRAPE_INTERVAL ?? 1);
const COST_TARGET = 0.03;
const SERVER_CPU = 0;
const BENCH_CPU = 1;
const JS_TARGET_BYTES = 300_000;
/** Load on each app before the playback pairs, scraped on "on" (see playbackPart). */
const WARM_UP_S = Number(process.env.BENCH_WARM_UP ?? 5);

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

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** ABBA: pair k measures on then off when k is even, off then on when odd; a drift within a pair falls on both alike. */
const pairOrder = (k: number): SideName[] => (k % 2 === 0 ? ['on', 'off'] : ['off', 'on']);

/** Which app a window of `side` loads: the same one in both windows of an A/A run. */
const loaded = (side: SideName): SideName => AA_SIDE ?? side;

/**
 * One window on `side`: its sampling state set, "on" scraped while it runs, and the host's CPU seconds over it.
 * `run` applies the load and returns the requests answered (or anything to divide by).
 */
async function measuredWindow(
  host: MetricsHost,
  side: SideName,
  run: () => Promise<number>,
): Promise<{ cpu: number; count: number }> {
  await host.measure(loaded(side));
  const scraper = loaded(side) === 'on' ? scrapeEvery(`${host.apps.on.url}/metrics`, SCRAPE_INTERVAL_S * 1000) : undefined;
  const cpu0 = cpuSeconds(host.pid);
  try {
    const count = await run();
    return { cpu: cpuSeconds(host.pid) - cpu0, count };
  } finally {
    if (scraper) scrapes.push(await scraper.stop());
  }
}

interface Pairs {
  /** Per pair: the figure for on and for off (lower is better), and req/s when there is one. */
  on: number[];
  off: number[];
  rateOn: number[];
  rateOff: number[];
}

const newPairs = (): Pairs => ({ on: [], off: [], rateOn: [], rateOff: [] });

/**
 * A row of a lower-is-better figure: the cost is the mean of "on" over the mean of "off", less 1, with the 95%
 * interval of the pairs' own costs (1.96 standard errors) and their median and spread beside it.
 */
function costRow(figure: string, pairs: Pairs, unit: (x: number) => string): void {
  const costs = pairs.on.map((x, i) => x / pairs.off[i]! - 1);
  const cost = mean(pairs.on) / mean(pairs.off) - 1;
  const sd = Math.sqrt(costs.reduce((sum, c) => sum + (c - mean(costs)) ** 2, 0) / Math.max(1, costs.length - 1));
  const interval = (1.96 * sd) / Math.sqrt(costs.length);
  const rates = pairs.rateOn.length > 0 ? `; ${mean(pairs.rateOn).toFixed(0)} and ${mean(pairs.rateOff).toFixed(0)} req/s` : '';
  rows.push({
    figure,
    on: unit(mean(pairs.on)),
    off: unit(mean(pairs.off)),
    cost:
      `${pct(cost)} ± ${pct(interval)} (${costs.length} pairs: median ${pct(median(costs))}, ` +
      `${pct(Math.min(...costs))} … ${pct(Math.max(...costs))}${rates})`,
    target: `< ${100 * COST_TARGET}%`,
    met: cost < COST_TARGET,
  });
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

/** wrk on the bench's CPU against one URL for `seconds`; the requests answered (any failure throws). */
async function wrkWindow(url: string, seconds: number): Promise<{ requests: number; rps: number }> {
  const u = new URL(url);
  const r = await wrkLoad(
    Number(u.port),
    { method: 'GET', path: u.pathname + u.search, headers: {}, body: '' },
    seconds,
    32,
    1,
    BENCH_CPU,
  );
  if (r.errors > 0 || r.non2xx > 0) throw new Error(`${r.errors} errors, ${r.non2xx} non-2xx answers from ${url}`);
  return r;
}

/**
 * (a) and (b): a publisher into each app, then for each part a scraped warm-up of each app (a process's first scrapes
 * under load make V8 drop the optimised code of the whole request path once, about 0.2 s of CPU in a server's life;
 * a Prometheus scrapes a server from its start, so that belongs to the warm-up), then PAIRS pairs of windows.
 */
async function playbackPart(host: MetricsHost, clip: Clip): Promise<void> {
  const publishers: GroupChild[] = [];
  try {
    // Both publishers start together, so both streams are at the same point of the clip and of their parts: the
    // two apps' playlists then list as many parts (and so have the same size) most of the time.
    const started = (['on', 'off'] as const).map((side) => {
      const app = host.apps[side];
      const publisher = startPublisher(clip, `rtmp://127.0.0.1:${app.rtmpPort}/app/${app.channels[0]!.key}`);
      publishers.push(publisher);
      return mediaPlaylistUrl(app.channels[0]!.playbackUrl, publisher);
    });
    const urls: Record<SideName, string> = { on: await started[0]!, off: await started[1]! };
    for (const url of Object.values(urls)) await waitForSegments(url, 3);
    /** The URL of the newest segment both apps list, by sequence number: the same stretch of the clip in both. */
    const commonSegment = async (): Promise<Record<SideName, string>> => {
      const lists = { on: await waitForSegments(urls.on, 1), off: await waitForSegments(urls.off, 1) };
      const newest = (p: MediaPlaylist) => p.segments[p.segments.length - 1]!.sequence;
      const sequence = Math.min(newest(lists.on), newest(lists.off));
      const uri = (side: SideName) => {
        const segment = lists[side].segments.find((s) => s.sequence === sequence);
        if (!segment) throw new Error(`segment ${sequence} is not listed by the ${side} app`);
        return new URL(segment.uri, urls[side]).toString();
      };
      return { on: uri('on'), off: uri('off') };
    };
    /** The size of each app's answer at `url`, for the log: a segment pair compares the same bytes. */
    const sizes = async (url: Record<SideName, string>) => {
      const size = async (u: string) => (await fetch(u).then((r) => r.arrayBuffer())).byteLength;
      return `${(await size(url.on)) / 1000} / ${(await size(url.off)) / 1000} kB`;
    };
    const cases = [
      { part: 'playlist', figure: '(a) LL-HLS media playlist: host CPU per request', target: async () => urls },
      { part: 'segment', figure: '(b) segment: host CPU per request', target: commonSegment },
    ] as const;
    for (const { part, figure, target } of cases) {
      if (!ONLY.has(part)) continue;
      const warm = await target();
      for (const side of ['on', 'off'] as const)
        await measuredWindow(host, side, async () => (await wrkWindow(warm[loaded(side)], WARM_UP_S)).requests);
      const pairs = newPairs();
      for (let k = 0; k < PAIRS; k++) {
        const url = await target();
        const got = {} as Record<SideName, { cpuUs: number; rps: number }>;
        for (const side of pairOrder(k)) {
          let rps = 0;
          const w = await measuredWindow(host, side, async () => {
            const r = await wrkWindow(url[loaded(side)], WINDOW_S);
            rps = r.rps;
            return r.requests;
          });
          got[side] = { cpuUs: (w.cpu * 1e6) / w.count, rps };
        }
        pairs.on.push(got.on.cpuUs);
        pairs.off.push(got.off.cpuUs);
        pairs.rateOn.push(got.on.rps);
        pairs.rateOff.push(got.off.rps);
        console.log(
          `  pair ${k + 1} ${figure}: on ${got.on.cpuUs.toFixed(1)} µs at ${got.on.rps.toFixed(0)} req/s, ` +
            `off ${got.off.cpuUs.toFixed(1)} µs at ${got.off.rps.toFixed(0)} req/s; cost ${pct(got.on.cpuUs / got.off.cpuUs - 1)} ` +
            `(${await sizes(url)})`,
        );
      }
      costRow(figure, pairs, (us) => `${us.toFixed(1)} µs`);
    }
  } finally {
    await stopPublishers(publishers);
    for (const app of Object.values(host.apps)) await streamsEnded(app);
  }
}

/**
 * (c): STREAMS publishers into the on app for the whole part (a ramp first), and INGEST_PAIRS pairs of windows over
 * them: "on" with its metrics running and scraped, "off" with them paused (Metrics.pause: no event-loop monitor, no
 * GC observer, no publish-delay observation, no scrape). The same streams in both windows, so neither a ramp nor a
 * different set of publishers comes between them. What stays in "off": one call per part to a listener that returns
 * at once. The host's % of a core per stream over each window.
 */
async function ingestPart(host: MetricsHost, clip: Clip): Promise<void> {
  const app = host.apps.on;
  const publishers: GroupChild[] = [];
  try {
    const spacing = Math.min(100, (RAMP_S * 1000) / 2 / Math.max(1, STREAMS));
    const rampEnd = Date.now() + RAMP_S * 1000;
    for (const channel of app.channels.slice(0, STREAMS)) {
      publishers.push(startPublisher(clip, `rtmp://127.0.0.1:${app.rtmpPort}/app/${channel.key}`));
      await sleep(spacing);
    }
    await sleep(rampEnd - Date.now());
    const pairs = newPairs();
    for (let k = 0; k < INGEST_PAIRS; k++) {
      const got = {} as Record<SideName, number>;
      for (const side of pairOrder(k)) {
        const t0 = performance.now();
        const w = await measuredWindow(host, side, async () => {
          await sleep(INGEST_WINDOW_S * 1000);
          return 1;
        });
        got[side] = (100 * w.cpu) / ((performance.now() - t0) / 1000) / STREAMS;
      }
      pairs.on.push(got.on);
      pairs.off.push(got.off);
      console.log(
        `  pair ${k + 1} (c) % of a core per stream: on ${got.on.toFixed(3)}%, off ${got.off.toFixed(3)}%; cost ${pct(got.on / got.off - 1)}`,
      );
    }
    const live = ((await call(app.httpPort, 'ListStreams', { maxResults: 100 })) as { streams: unknown[] }).streams.length;
    const alive = publishers.filter(isRunning).length;
    if (live !== STREAMS || alive !== STREAMS)
      throw new Error(`${live} live streams, ${alive} publishers running, of ${STREAMS}`);
    costRow(`(c) host CPU per stream, ${STREAMS} streams`, pairs, (share) => `${share.toFixed(3)}% core`);
  } finally {
    await stopPublishers(publishers);
    await streamsEnded(app);
  }
}

/** Lets the streams end (the registry notices the publishers leaving) before the next window or part starts. */
async function streamsEnded(app: HostedApp): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const { streams } = (await call(app.httpPort, 'ListStreams', { maxResults: 100 })) as { streams: unknown[] };
    if (streams.length === 0) return;
    await sleep(250);
  }
}

const SCRAPE_STREAMS = Math.min(5, Math.max(1, STREAMS));
const SCRAPE_WINDOW_S = 5;

/**
 * (e) What one scrape costs the server, in the same process and without the noise of a second one: its CPU over
 * SCRAPE_WINDOW_S seconds of back-to-back scrapes, less its CPU over as long without (the live streams' own work),
 * per scrape; SCRAPE_STREAMS streams live (each adds per-stream series). Three rounds. Printed beside what it makes at
 * a 15 s and a 1 s interval, as a share of one core: a cost per second, whatever the load.
 */
async function scrapeCost(host: MetricsHost, clip: Clip): Promise<void> {
  const app = host.apps.on;
  const publishers: GroupChild[] = [];
  const pid = host.pid;
  try {
    for (const channel of app.channels.slice(0, SCRAPE_STREAMS)) {
      const publisher = startPublisher(clip, `rtmp://127.0.0.1:${app.rtmpPort}/app/${channel.key}`);
      publishers.push(publisher);
      await mediaPlaylistUrl(channel.playbackUrl, publisher);
    }
    const perScrapeUs: number[] = [];
    let bytes = 0;
    for (let round = 0; round < 4; round++) {
      const idle0 = cpuSeconds(pid);
      await sleep(SCRAPE_WINDOW_S * 1000);
      const idlePerS = (cpuSeconds(pid) - idle0) / SCRAPE_WINDOW_S;
      const cpu0 = cpuSeconds(pid);
      const t0 = performance.now();
      let n = 0;
      while (performance.now() - t0 < SCRAPE_WINDOW_S * 1000) {
        const res = await fetch(`${app.url}/metrics`);
        bytes = (await res.arrayBuffer()).byteLength;
        if (res.status !== 200) throw new Error(`scrape answered ${res.status}`);
        n++;
      }
      const elapsed = (performance.now() - t0) / 1000;
      // Round 0 warms the scrape path up (V8 compiles it); it is not counted.
      if (round > 0) perScrapeUs.push(((cpuSeconds(pid) - cpu0 - idlePerS * elapsed) * 1e6) / n);
    }
    const sorted = [...perScrapeUs].sort((a, b) => a - b);
    const med = percentile(sorted, 50);
    console.log(
      `(e) one scrape (${bytes} B, ${SCRAPE_STREAMS} live streams): ${sorted.map((us) => us.toFixed(0)).join(', ')} µs of server CPU ` +
        `(3 rounds of ${SCRAPE_WINDOW_S} s back to back, less the CPU of as long without scrapes)`,
    );
    rows.push({
      figure: `(e) one scrape, ${SCRAPE_STREAMS} live streams: server CPU (median of 3)`,
      on: `${med.toFixed(0)} µs`,
      off: '—',
      cost: `${((100 * med) / 1e6 / 15).toFixed(3)}% of a core at 15 s, ${((100 * med) / 1e6).toFixed(2)}% at 1 s`,
      target: '—',
      met: undefined,
    });
  } finally {
    await stopPublishers(publishers);
  }
}

async function consoleLoad(app: HostedApp): Promise<void> {
  console.log(`(d) console first load: ${CONSOLE_LOADS} loads, each in a fresh browser context`);
  console.log(`  time to interactive: ${TTI_DEFINITION}`);
  let browser: Browser | undefined;
  const loads: ConsoleLoad[] = [];
  try {
    browser = await launchChromium();
    await measureConsoleLoad(browser, `${app.url}/console/`); // warm-up: server caches, browser start
    for (let i = 0; i < CONSOLE_LOADS; i++) loads.push(await measureConsoleLoad(browser, `${app.url}/console/`));
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
  if (ms.length === 0 && failures === 0) return;
  console.log(
    `scrapes of the metrics-on server under load: n ${ms.length}, up to ${bytes} B, p50 ${percentile(ms, 50).toFixed(1)} ms, ` +
      `p99 ${percentile(ms, 99).toFixed(1)} ms, failures ${failures}`,
  );
}

async function main(): Promise<void> {
  const dir = removeOnExit(mkdtempSync(join(tmpdir(), 'openivs-bench-metrics-')));
  const clip = await makeClip(dir);
  const pinned = pinToCpu(process.pid, BENCH_CPU);
  console.log(
    `one process, two openivs apps: metrics on (scraped every ${SCRAPE_INTERVAL_S} s while measured) and --metrics off; ` +
      `clip ${clip.kbps.toFixed(0)} kbit/s 720p30; (a), (b) wrk 32 connections, a ${WARM_UP_S} s warm-up per app, then ` +
      `${PAIRS} pairs of ${WINDOW_S} s windows; (c) ${STREAMS} publishers, ${RAMP_S} s ramp, ${INGEST_PAIRS} pairs of ` +
      `${INGEST_WINDOW_S} s windows; ` +
      (pinned ? `the host on CPU ${SERVER_CPU}, wrk, this bench and the publishers on CPU ${BENCH_CPU}` : 'one CPU') +
      (AA ? `; A/A: the ${AA_SIDE} side in both windows of every pair` : ''),
  );
  const host = await startMetricsHost(dir, Math.max(STREAMS, SCRAPE_STREAMS), pinned ? SERVER_CPU : undefined);
  try {
    if (ONLY.has('playlist') || ONLY.has('segment')) await playbackPart(host, clip);
    if (ONLY.has('ingest')) await ingestPart(host, clip);
    await host.measure('on');
    if (ONLY.has('scrape') && !AA) await scrapeCost(host, clip);
    if (ONLY.has('console')) await consoleLoad(host.apps.on);
    console.log('');
    table();
  } finally {
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
