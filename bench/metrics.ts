// bench:metrics — what Prometheus metrics cost the hot paths, metrics on versus off in the same run, and the operator
// console's first load. Each round starts a fresh pair of openivs side by side: one with metrics on and scraped every
// BENCH_SCRAPE_INTERVAL seconds while it is loaded (default 1, as a Prometheus with scrape_interval 1s would: more
// often than anyone scrapes, so the cost shown is an upper bound; 15 is a common setting), one with --metrics off (no /metrics, no counters on the request paths, no runtime
// sampling): the baseline. Both are loaded at the same time with the same load, both pinned to the same CPU (the
// load generator and the publishers on the other), and the figure is the server's CPU time per request (per stream for ingest): what a
// request costs it, the inverse of what one core of it can serve. Measured so because this machine's speed swings by
// 2–3× within minutes and differently on its two CPUs, and two identical servers loaded one after the other differed
// by 15–17% for their whole life (an A/A run): loaded together on one CPU, a swing falls on both alike. The cost printed is over all rounds, with the spread
// of the per-round costs beside it; BENCH_AA=1 prints the same for two identical servers, the bench's noise floor.
//   (a) bench:playback's LL-HLS media playlist and (b) segment requests, 32 connections per server (autocannon) at a
//       fixed rate (BENCH_PLAYLIST_RATE, BENCH_SEGMENT_RATE per server: what this one load generator can hold for
//       two), on one live BASIC LOW stream per server (an ffmpeg publisher of the 720p clip each);
//   (c) bench:ingest's server CPU per stream: N ffmpeg publishers into each server, CPU seconds of the openivs
//       process over the window (after a ramp) divided by N, as % of a core;
//   (d) the console's first load in headless Chromium (bench/lib/console-load.ts): bytes transferred (compressed
//       JavaScript, and everything), time to interactive (defined there), median of BENCH_CONSOLE_LOADS fresh loads.
//   (e) one scrape's CPU, in one process with a few live streams (scrapeCost): what each scrape costs at any interval.
// At the fixed rates of (a) and (b) the servers idle most of the time, so what metrics cost per second rather than per
// request (the event-loop delay monitor's 100 wake-ups a second, ~0.4% of a core on this VM when the process is idle
// and next to nothing when it is busy; a scrape, (e)) is divided among few requests: at 400 segments/s, ~8% of a
// core, it weighs ~12× what it takes from a saturated server.
// Targets (issue 15): metrics cost under 3% on (a), (b), (c); under 300 kB (300 000 bytes) of compressed JavaScript.
// Env: BENCH_SCRAPE_INTERVAL (1 s), BENCH_DURATION (10 s per load phase), BENCH_PLAYLIST_RATE (5000 req/s), BENCH_SEGMENT_RATE (400 req/s), BENCH_ROUNDS (4), BENCH_STREAMS (20), BENCH_INGEST_WINDOW (30 s),
// BENCH_RAMP (10 s), BENCH_WARM_UP (5 s of scraped load before each measured window), BENCH_CONSOLE_LOADS (5), BENCH_ONLY (a comma list of playlist, segment, ingest, scrape, console: runs
// those parts alone, to iterate on one figure), BENCH_AA=1 (an A/A run: both sides with metrics off and nothing
// scraped, so the "cost" printed is the bench's own noise floor).

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
import { scrapeEvery, type ScrapeReport } from './lib/metrics-scraper.js';
import { cpuSeconds, percentile, pinToCpu, removeOnExit, sleep, startOpenivs, type GroupChild } from './lib/processes.js';
import { call } from './lib/signing.js';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 20);
const INGEST_WINDOW_S = Number(process.env.BENCH_INGEST_WINDOW ?? 30);
const RAMP_S = Number(process.env.BENCH_RAMP ?? 10);
const CONSOLE_LOADS = Number(process.env.BENCH_CONSOLE_LOADS ?? 5);
const AA = process.env.BENCH_AA === '1';
const PARTS = ['playlist', 'segment', 'ingest', 'scrape', 'console'] as const;
const ONLY = new Set((process.env.BENCH_ONLY ?? PARTS.join(',')).split(',').map((part) => part.trim()));
for (const part of ONLY) if (!(PARTS as readonly string[]).includes(part)) throw new Error(`BENCH_ONLY: unknown part ${part}`);
const SCRAPE_INTERVAL_S = Number(process.env.BENCH_SCRAPE_INTERVAL ?? 1);
const PLAYLIST_RATE = Number(process.env.BENCH_PLAYLIST_RATE ?? 5000);
const SEGMENT_RATE = Number(process.env.BENCH_SEGMENT_RATE ?? 400);
const COST_TARGET = 0.03;
const SERVER_CPU = 0;
const BENCH_CPU = 1;
const JS_TARGET_BYTES = 300_000;
// A segment stays fetchable for ~16 s after it is written; load on a segment is split into chunks shorter than that.
const SEGMENT_CHUNK_S = 10;
/** Load before each measured window, scraped too (see playbackRound). */
const WARM_UP_S = Number(process.env.BENCH_WARM_UP ?? 5);

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

/** Runs `fn` on the metrics-on server while a scraper reads its /metrics every BENCH_SCRAPE_INTERVAL seconds. */
async function scraped<T>(side: Side, fn: () => Promise<T>): Promise<T> {
  if (side.name === 'off' || AA) return fn();
  const scraper = scrapeEvery(`${side.server.url}/metrics`, SCRAPE_INTERVAL_S * 1000);
  try {
    return await fn();
  } finally {
    scrapes.push(await scraper.stop());
  }
}

interface Load {
  /** Requests per second the 32 connections got. */
  rate: number;
  /** CPU time of the server process per request, µs: what the request costs it, whoever else wants the cores. */
  cpuUs: number;
}

async function load(pid: number, url: () => Promise<string>, rate: number, durationS: number, chunkS = durationS): Promise<Load> {
  let requests = 0;
  let seconds = 0;
  let errors = 0;
  let cpu = 0;
  for (let left = durationS; left > 0; left -= chunkS) {
    const target = await url();
    const cpu0 = cpuSeconds(pid);
    const r = await autocannon({
      url: target,
      connections: 32,
      pipelining: 1,
      overallRate: rate,
      duration: Math.min(chunkS, left),
      // Bodies are not checked; autocannon's per-chunk string decode would otherwise cap the segment rate.
      setupClient: (client: unknown) => {
        (client as { pipelinedRequests: { addBody: (data: Buffer) => void } }).pipelinedRequests.addBody = () => undefined;
      },
    });
    cpu += cpuSeconds(pid) - cpu0;
    requests += r.requests.total;
    seconds += r.duration;
    errors += r.errors + r.timeouts + r.non2xx;
  }
  if (errors > 0) throw new Error(`${errors} failed requests to ${await url()}`);
  return { rate: requests / seconds, cpuUs: (cpu * 1e6) / requests };
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
/** "min … max" of per-round costs, in %. */
const spread = (costs: number[]) => `${pct(Math.min(...costs))} … ${pct(Math.max(...costs))}`;

/** Lower is better (CPU per request): the cost is the extra share over the baseline. */
function cpuRow(figure: string, on: number[], off: number[]): void {
  const cost = mean(on) / mean(off) - 1;
  rows.push({
    figure,
    on: `${mean(on).toFixed(1)} µs`,
    off: `${mean(off).toFixed(1)} µs`,
    cost: `${pct(cost)} (rounds ${spread(on.map((x, i) => x / off[i]! - 1))})`,
    target: `< ${100 * COST_TARGET}%`,
    met: cost < COST_TARGET,
  });
}

type Rates = Record<Side['name'], number[]>;
interface PlaybackFigures {
  rates: Rates;
  cpuUs: Rates;
}
const PLAYBACK_CASES = [
  { part: 'playlist', figure: '(a) LL-HLS media playlist: server CPU per request', rate: PLAYLIST_RATE, chunk: undefined },
  { part: 'segment', figure: '(b) segment: server CPU per request', rate: SEGMENT_RATE, chunk: SEGMENT_CHUNK_S },
] as const;
const playbackFigures = new Map<string, PlaybackFigures>(
  PLAYBACK_CASES.map((c) => [c.part, { rates: { on: [], off: [] }, cpuUs: { on: [], off: [] } }]),
);

/** One round of (a) and (b) on a fresh pair of servers, both loaded at once. */
async function playbackRound(sides: Side[], clip: Clip, round: number): Promise<void> {
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
    const newestSegment = async (side: Side) => {
      const mediaUrl = urls.get(side)!;
      const playlist = await waitForSegments(mediaUrl, 1);
      return new URL(playlist.segments[playlist.segments.length - 1]!.uri, mediaUrl).toString();
    };
    const pid = (side: Side) => side.server.proc.pid!;
    for (const { part, figure, rate, chunk } of PLAYBACK_CASES) {
      if (!ONLY.has(part)) continue;
      const url = (side: Side) => (part === 'playlist' ? async () => urls.get(side)! : () => newestSegment(side));
      // The warm-up is scraped like the measured window. A process's first scrapes under load make V8 drop the
      // optimised code of the whole request path (node's http internals and the dispatcher meet a second kind of
      // request and response: 45 deoptimisations in the first second, none after) and build it again, about 0.2 s
      // of CPU once in a server's life. A Prometheus scrapes a server from its start, so that belongs to the warm-up,
      // not to what each scrape costs in the steady state.
      const got = await Promise.all(
        sides.map((side) =>
          scraped(side, async () => {
            await load(pid(side), url(side), rate, WARM_UP_S, chunk);
            return load(pid(side), url(side), rate, DURATION_S, chunk);
          }),
        ),
      );
      const { rates, cpuUs } = playbackFigures.get(part)!;
      sides.forEach((side, i) => {
        rates[side.name].push(got[i]!.rate);
        cpuUs[side.name].push(got[i]!.cpuUs);
      });
      const line = sides.map((side, i) => `${side.name} ${got[i]!.cpuUs.toFixed(1)} µs at ${got[i]!.rate.toFixed(0)} req/s`);
      console.log(`  round ${round + 1} ${figure}: ${line.join(', ')}; cost ${pct(last(cpuUs.on) / last(cpuUs.off) - 1)}`);
    }
  } finally {
    await stopPublishers(publishers);
  }
}

const last = (xs: number[]) => xs[xs.length - 1]!;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** N publishers into one server; % of a core per stream over the window. */
async function ingestPhase(side: Side, clip: Clip): Promise<number> {
  const publishers: GroupChild[] = [];
  const pid = side.server.proc.pid!;
  try {
    // Scraped from the ramp on, like the playback warm-up (see playbackRound).
    return await scraped(side, async () => {
      const spacing = Math.min(100, (RAMP_S * 1000) / 2 / Math.max(1, STREAMS));
      const rampEnd = Date.now() + RAMP_S * 1000;
      for (const channel of side.channels.slice(0, STREAMS)) {
        publishers.push(startPublisher(clip, `rtmp://127.0.0.1:${side.server.rtmpPort}/app/${channel.key}`));
        await sleep(spacing);
      }
      await sleep(rampEnd - Date.now());
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

const perStream: Rates = { on: [], off: [] };

/** One round of (c) on a fresh pair of servers, both published into at once. */
async function ingestRound(sides: Side[], clip: Clip, round: number): Promise<void> {
  const shares = await Promise.all(sides.map((side) => ingestPhase(side, clip)));
  const line: string[] = [];
  sides.forEach((side, i) => {
    perStream[side.name].push(shares[i]!);
    line.push(`${side.name} ${shares[i]!.toFixed(2)}%`);
  });
  console.log(
    `  round ${round + 1} (c) % of a core per stream: ${line.join(', ')}; cost ${pct(last(perStream.on) / last(perStream.off) - 1)}`,
  );
}

function ingestRow(): void {
  const cost = mean(perStream.on) / mean(perStream.off) - 1;
  rows.push({
    figure: `(c) server CPU per stream, ${STREAMS} streams`,
    on: `${mean(perStream.on).toFixed(2)}% core`,
    off: `${mean(perStream.off).toFixed(2)}% core`,
    cost: `${pct(cost)} (rounds ${spread(perStream.on.map((x, i) => x / perStream.off[i]! - 1))})`,
    target: `< ${100 * COST_TARGET}%`,
    met: cost < COST_TARGET,
  });
}

const SCRAPE_STREAMS = Math.min(5, Math.max(1, STREAMS));
const SCRAPE_WINDOW_S = 5;

/**
 * (e) What one scrape costs the server, in the same process and without the noise of a second one: its CPU over
 * SCRAPE_WINDOW_S seconds of back-to-back scrapes, less its CPU over as long without (the live streams' own work),
 * per scrape; SCRAPE_STREAMS streams live (each adds per-stream series). Three rounds. Printed beside what it makes at
 * a 15 s and a 1 s interval, as a share of one core: a cost per second, whatever the load.
 */
async function scrapeCost(side: Side, clip: Clip): Promise<void> {
  const publishers: GroupChild[] = [];
  const pid = side.server.proc.pid!;
  try {
    for (const channel of side.channels.slice(0, SCRAPE_STREAMS)) {
      const publisher = startPublisher(clip, `rtmp://127.0.0.1:${side.server.rtmpPort}/app/${channel.key}`);
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
        const res = await fetch(`${side.server.url}/metrics`);
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
  if (ms.length === 0 && failures === 0) return;
  console.log(
    `scrapes of the metrics-on server under load: n ${ms.length}, up to ${bytes} B, p50 ${percentile(ms, 50).toFixed(1)} ms, ` +
      `p99 ${percentile(ms, 99).toFixed(1)} ms, failures ${failures}`,
  );
}

/** `cpu`: the CPU the server is pinned to (none when undefined or on a one-CPU machine). */
async function startSide(name: Side['name'], parentDir: string, cpu?: number): Promise<Side> {
  const quota = String(STREAMS + 10);
  const server = await startOpenivs(
    join(parentDir, `openivs-${name}`),
    ['--allow-insecure-ingest', '--metrics', AA ? 'off' : name],
    {
      OPENIVS_QUOTA_CHANNELS: quota,
      OPENIVS_QUOTA_CONCURRENT_BROADCASTS: quota,
    },
  );
  if (cpu !== undefined) pinToCpu(server.proc.pid!, cpu);
  const status = await fetch(`${server.url}/metrics`).then((r) => r.arrayBuffer().then(() => r.status));
  if ((status === 200) !== (name === 'on' && !AA)) throw new Error(`metrics ${name}: GET /metrics answered ${status}`);
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
  const clip = await makeClip(dir);
  const pinned = pinToCpu(process.pid, BENCH_CPU);
  console.log(
    `two openivs side by side, a fresh pair each round: metrics on (scraped every ${SCRAPE_INTERVAL_S} s while loaded) and ` +
      `--metrics off; clip ${clip.kbps.toFixed(0)} kbit/s 720p30; ${ROUNDS} rounds; (a), (b) 32 connections, ` +
      `${DURATION_S} s, ${PLAYLIST_RATE} playlist or ${SEGMENT_RATE} segment req/s per server; (c) ${STREAMS} publishers per ` +
      `server, ${RAMP_S} s ramp, ${INGEST_WINDOW_S} s window; ` +
      (pinned ? `both servers on CPU ${SERVER_CPU}, this load generator and the publishers on CPU ${BENCH_CPU}` : 'one CPU') +
      (AA ? '; A/A: both sides with metrics off, nothing scraped' : ''),
  );
  const playbackWanted = ONLY.has('playlist') || ONLY.has('segment');
  try {
    if (playbackWanted || ONLY.has('ingest')) {
      for (let round = 0; round < ROUNDS; round++) {
        const sides = await startPair(dir, round);
        try {
          if (playbackWanted) await playbackRound(sides, clip, round);
          if (ONLY.has('ingest')) await ingestRound(sides, clip, round);
        } finally {
          for (const side of sides) await side.server.stop();
        }
      }
      for (const { part, figure } of PLAYBACK_CASES) {
        const { rates, cpuUs } = playbackFigures.get(part)!;
        if (!ONLY.has(part)) continue;
        cpuRow(figure, cpuUs.on, cpuUs.off);
        console.log(`${figure}: at ${mean(rates.on).toFixed(0)} (on) and ${mean(rates.off).toFixed(0)} (off) req/s`);
      }
      if (ONLY.has('ingest')) ingestRow();
    }
    if (ONLY.has('scrape') && !AA) {
      const side = await startSide('on', join(dir, 'scrape'), SERVER_CPU);
      try {
        await scrapeCost(side, clip);
      } finally {
        await side.server.stop();
      }
    }
    if (ONLY.has('console')) {
      const side = await startSide('on', join(dir, 'console'));
      try {
        await consoleLoad(side);
      } finally {
        await side.server.stop();
      }
    }
    console.log('');
    table();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Both sides of one round, [on, off], on the servers' CPU; which starts first alternates by round. */
async function startPair(dir: string, round: number): Promise<Side[]> {
  const roundDir = join(dir, `round-${round + 1}`);
  if (round % 2 === 0) {
    const on = await startSide('on', roundDir, SERVER_CPU);
    return [on, await startSide('off', roundDir, SERVER_CPU)];
  }
  const off = await startSide('off', roundDir, SERVER_CPU);
  return [await startSide('on', roundDir, SERVER_CPU), off];
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
