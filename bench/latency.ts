// bench:latency — glass-to-glass latency in a real browser: headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core) plays each stream with hls.js (the copy openivs serves at /_openivs/player/hls.min.js) in a
// minimal page served from 127.0.0.1 by this process, one mode after the other, for:
//   BASIC LOW (LL-HLS, hls.js lowLatencyMode; TS, and fMP4 in its own row), STANDARD LOW (same, transcoded ladder), BASIC NORMAL (plain HLS,
//   hls.js defaults) and, as the baseline measured in the same run, nginx-rtmp's HLS (hls_fragment 2s, hls.js defaults);
// then the same openivs modes with Amazon's IVS player (npm amazon-ivs-player, bundled by devtools/ivs-player-page.ts,
// defaults: LOW channels in its low-latency mode, which streams the prefetch segments). Its latency is the playlists'
// PDT at the player's position (bench/lib/ivs-latency.ts: through the per-segment `segmentmetadata` cue the player
// reports at each segment's first frame), beside its own getLiveLatency(); it starts at the beginning of the last
// complete segment and then plays at 1.03× until low, so its rows also give the latency at the first frame and the
// time until it stays within its target.
// Latency = Date.now() − hls.playingDate, sampled in the page every 500 ms for BENCH_DURATION s after a BENCH_WARMUP s
// warm-up from the first `playing` event. playingDate = EXT-X-PROGRAM-DATE-TIME of the playing fragment + the position
// in it; openivs's PDT is the ingest wall clock of the segment's first frame (same machine, same clock).
// nginx-rtmp writes no PDT: it runs with `hls_fragment_naming system`, which names every fragment after nginx's wall
// clock (ms) when the keyframe opening it arrived; this process serves nginx's playlist to the page with
// `#EXT-X-PROGRAM-DATE-TIME` added from those names (segments are fetched from nginx directly), so hls.js measures
// nginx exactly as it measures openivs.
// Also, for each LOW mode while the page plays: server-side part availability, from blocking playlist reloads
// (_HLS_msn/_HLS_part of the next part): now − (segment PDT + end offset of the part in its segment).
// Publisher (all modes): the 720p30 2500k 2 s-GOP clip encoded once with -tune zerolatency, sent with
// `ffmpeg -re -stream_loop -1 -c copy` (no encoder in the loop, so every mode gets byte-identical input).
// Targets (issues): hls.js p50 BASIC LOW ≤ 2.5 s (≤ 1.6 s once tuned), STANDARD LOW ≤ 3 s, NORMAL ≤ 10 s; the IVS
// player p50 ≤ 3 s on LOW channels; part availability ≤ PART-TARGET + 150 ms.
// The page joins each stream BENCH_JOIN s after its publisher started, when the playlists hold a full window: a player
// that starts with the stream's very first segment sits nearer the live edge than one joining a running stream.
// hls.js rows also print hls.js's own target latency (PART-HOLD-BACK, plus liveSyncOnStallIncrease (1 s) for each stall
// it has seen: one early stall moves its target from 1 s to 2 s for good) and every non-fatal error with its time.
// Env: BENCH_DURATION (30 s measured per mode), BENCH_WARMUP (10 s), BENCH_JOIN (14 s), BENCH_MODES (a regular
// expression: only the modes whose names match).

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import {
  fetchMediaPlaylist,
  fetchText,
  firstVariantUrl,
  listVariants,
  makeClip,
  startPublisher,
  stopPublishers,
  type Clip,
} from './lib/media.js';
import { measureIvsPlayer } from './lib/ivs-latency.js';
import { startIvsPlayerPage, type IvsPlayerPage } from '../devtools/ivs-player-page.js';
import { ensureNginxRtmp, startNginxRtmp } from './lib/nginx-rtmp.js';
import { freePort } from '../devtools/server.js';
import { killGroup, percentile, removeOnExit, sleep, startOpenivs, type GroupChild } from './lib/processes.js';
import { call } from './lib/signing.js';
import type { ErrorData } from 'hls.js';

// Browser globals, used only inside page.evaluate callbacks (the project's TypeScript has no DOM lib), where they are
// untyped: `any` is the honest type for them.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const Hls: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const require = createRequire(import.meta.url);
const ivsPlayerVersion = () => (require('amazon-ivs-player/package.json') as { version: string }).version;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 30);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 10);
const JOIN_S = Number(process.env.BENCH_JOIN ?? 14);
// The IVS player joins at the start of the last complete segment and then plays at 1.03× until it sits at its own
// low-latency target, which takes it 45–60 s: its rows sample from this long after its first frame, and the join
// (its first IVS_JOIN_S seconds) is printed beside them.
const IVS_WARMUP_S = Number(process.env.BENCH_IVS_WARMUP ?? 60);
const IVS_JOIN_S = 30;
const SAMPLE_MS = 500;
const PART_SLACK_MS = 150;
const SEGMENT_POLL_MS = 50;
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

interface Mode {
  name: string;
  /** p50 target in ms, if any. */
  targetMs?: number;
  lowLatency: boolean;
  /** Amazon's IVS player instead of hls.js. */
  ivsPlayer?: boolean;
  /** Publish URL and the URL the page plays; `mediaPlaylists` are polled for part availability (LOW only). */
  start: () => Promise<{
    publishUrl: string;
    /** Resolves, once the stream is served, to the URL the page plays and the (first) media playlist behind it. */
    ready: () => Promise<{ playUrl: string; mediaUrl: string }>;
    stop?: () => Promise<void>;
  }>;
}

interface ModeResult {
  name: string;
  targetMs?: number;
  samples: number[];
  edge: number[];
  /** hls.js's targetLatency (ms) at each sample. */
  target: number[];
  /** hls.js errors with their time (s) from the first 'playing' event. */
  errorTimes: string[];
  stalls: number;
  levels: string[];
  startupMs: number;
  parts: { rendition: string; partTargetMs: number; delays: number[] }[];
  /** Non-LOW modes: now − (PDT + EXTINF) of new segments of the first media playlist, polled every SEGMENT_POLL_MS. */
  segments: number[];
  note?: string;
  /** IVS player rows: getLiveLatency() p50, PDT latency at the first frame, time until within the target (ms). */
  ivs?: { playerP50: number; firstMs: number; settleMs: number; joinP50: number };
}

interface PageState {
  samples: { t: number; latency: number; edge: number; target: number; level: string }[];
  stalls: { t: number }[];
  playingAt: number | null;
  errors: string[];
  errorAt: number[];
}

// ---------------------------------------------------------------------------------------------------------------
// Server-side part availability (LL-HLS blocking playlist reload).

interface ListedPart {
  msn: number;
  index: number;
  endMs: number;
}

/** Every EXT-X-PART of an LL-HLS media playlist with its parent MSN, index and end time (PDT + offset, ms). */
function listedParts(text: string): { parts: ListedPart[]; partTargetMs: number } {
  let msn = 0;
  let pdt = NaN;
  let offset = 0;
  let index = 0;
  let partTargetMs = NaN;
  const parts: ListedPart[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) msn = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-SKIP:')) msn += Number(/SKIPPED-SEGMENTS=(\d+)/.exec(line)?.[1] ?? 0);
    else if (line.startsWith('#EXT-X-PART-INF:')) partTargetMs = 1000 * Number(/PART-TARGET=([\d.]+)/.exec(line)?.[1]);
    else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) {
      pdt = Date.parse(line.slice(25));
      offset = 0;
      index = 0;
    } else if (line.startsWith('#EXT-X-PART:')) {
      offset += 1000 * Number(/DURATION=([\d.]+)/.exec(line)?.[1]);
      parts.push({ msn, index, endMs: pdt + offset });
      index++;
    } else if (line !== '' && !line.startsWith('#')) {
      msn++;
      index = 0;
      offset = 0;
    }
  }
  return { parts, partTargetMs };
}

/** Follows an LL-HLS media playlist with blocking reloads of the next part until `stopAt`; one delay per new part. */
async function partAvailability(url: string, stopAt: number): Promise<{ delays: number[]; partTargetMs: number }> {
  const delays: number[] = [];
  const first = listedParts((await fetchText(url)).text);
  let partTargetMs = first.partTargetMs;
  let last = first.parts[first.parts.length - 1];
  const after = (p: ListedPart, q: ListedPart | undefined) => !q || p.msn > q.msn || (p.msn === q.msn && p.index > q.index);
  while (Date.now() < stopAt) {
    const next = new URL(url);
    if (last) {
      next.searchParams.set('_HLS_msn', String(last.msn));
      next.searchParams.set('_HLS_part', String(last.index + 1));
    }
    let text: string;
    try {
      const res = await fetchText(next.toString());
      if (res.status !== 200) {
        await sleep(100);
        continue;
      }
      text = res.text;
    } catch {
      break; // stream gone
    }
    const now = Date.now();
    const listed = listedParts(text);
    if (Number.isFinite(listed.partTargetMs)) partTargetMs = listed.partTargetMs;
    for (const p of listed.parts) {
      if (!after(p, last)) continue;
      if (last && Number.isFinite(p.endMs)) delays.push(now - p.endMs);
    }
    const newest = listed.parts[listed.parts.length - 1];
    if (newest && after(newest, last)) last = newest;
    else if (!last) await sleep(100);
  }
  return { delays, partTargetMs };
}

const lastSequence = async (url: string) => {
  const p = await fetchMediaPlaylist(url);
  return p && p.segments.length > 0 ? p.segments[p.segments.length - 1]!.sequence : undefined;
};

/** Resolves just after `url` lists a new segment, so every mode joins at the same phase of its segment cadence. */
async function nextSegment(url: string, timeoutMs = 15_000): Promise<void> {
  const start = await lastSequence(url);
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(SEGMENT_POLL_MS)) {
    const last = await lastSequence(url);
    if (last !== undefined && (start === undefined || last > start)) return;
  }
  throw new Error(`no new segment in ${url} within ${timeoutMs} ms`);
}

/** Polls a media playlist until `stopAt`; for each new segment, now − (PDT + EXTINF). */
async function segmentAvailability(url: string, stopAt: number): Promise<number[]> {
  const seen = new Set((await fetchMediaPlaylist(url))?.segments.map((x) => x.sequence) ?? []);
  const delays: number[] = [];
  while (Date.now() < stopAt) {
    const next = sleep(SEGMENT_POLL_MS);
    const playlist = await fetchMediaPlaylist(url);
    const now = Date.now();
    for (const seg of playlist?.segments ?? []) {
      if (seen.has(seg.sequence)) continue;
      seen.add(seg.sequence);
      if (seg.programDateTime !== undefined) delays.push(now - (seg.programDateTime + seg.durationS * 1000));
    }
    await next;
  }
  return delays;
}

// ---------------------------------------------------------------------------------------------------------------
// The page server: a blank page loading hls.js from openivs, and nginx's playlist with PDT added.

const pageHtml = (hlsJsUrl: string) => `<!doctype html><html><head><meta charset="utf-8"><title>latency</title></head>
<body style="margin:0;background:#000"><video id="video" muted autoplay playsinline width="640" height="360"></video>
<script src="${hlsJsUrl}"></script></body></html>`;

/** nginx's playlist with `#EXT-X-PROGRAM-DATE-TIME` from each `<name>-<ms>.ts` fragment name, URIs made absolute. */
function withProgramDateTime(text: string, base: string): string {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.startsWith('#EXTINF:')) {
      const uri = lines
        .slice(i + 1)
        .map((l) => l.trim())
        .find((l) => l !== '' && !l.startsWith('#'));
      const ms = uri ? /-(\d{13})\.ts$/.exec(uri)?.[1] : undefined;
      if (ms) out.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(Number(ms)).toISOString()}`);
      out.push(line);
    } else if (line !== '' && !line.startsWith('#')) out.push(new URL(line, base).toString());
    else out.push(line);
  }
  return out.join('\n');
}

async function startPageServer(
  hlsJsUrl: string,
  nginxHttpBase: () => string | undefined,
): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-cache' }).end(pageHtml(hlsJsUrl));
      return;
    }
    const nginx = nginxHttpBase();
    if (url.pathname.startsWith('/nginx/') && nginx) {
      const upstream = `${nginx}/${url.pathname.slice(7)}`;
      fetchText(upstream).then(
        ({ status, text }) => {
          if (status !== 200) return res.writeHead(status).end();
          res
            .writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'no-cache' })
            .end(withProgramDateTime(text, upstream));
        },
        () => res.writeHead(502).end(),
      );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

// ---------------------------------------------------------------------------------------------------------------
// One mode: publish, play in a fresh page, warm up, sample.

let ivsPage: IvsPlayerPage | undefined;
let ivsBrowser: Browser | undefined;

/** An IVS player row, joining now. */
async function ivsResult(mode: Mode, url: string): Promise<ModeResult> {
  const withinMs = mode.targetMs ?? 3_000;
  const m = await measureIvsPlayer(ivsBrowser!, ivsPage!, url, {
    warmupS: IVS_WARMUP_S,
    durationS: DURATION_S,
    sampleMs: SAMPLE_MS,
    withinMs,
    joinS: IVS_JOIN_S,
  });
  return {
    name: mode.name,
    targetMs: mode.targetMs,
    startupMs: m.startupMs,
    levels: m.levels,
    parts: [],
    segments: [],
    samples: m.samples,
    edge: [],
    target: [],
    errorTimes: [],
    stalls: m.stalls,
    note: m.errors.length > 0 ? `IVS player errors: ${[...new Set(m.errors)].join(', ')}` : undefined,
    ivs: {
      playerP50: percentile(sorted(m.player), 50),
      firstMs: m.firstMs,
      settleMs: m.settleMs,
      joinP50: percentile(sorted(m.joining), 50),
    },
  };
}

async function measureMode(browser: Browser, pageBase: string, mode: Mode, clip: Clip): Promise<ModeResult> {
  const { publishUrl, ready, stop } = await mode.start();
  const publishers: GroupChild[] = [startPublisher(clip, publishUrl)];
  const publishedAt = Date.now();
  const page = await browser.newPage();
  const consoleLines: string[] = [];
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
  try {
    const { playUrl: url, mediaUrl } = await ready();
    await sleep(publishedAt + JOIN_S * 1000 - Date.now());
    await nextSegment(mediaUrl);
    const joinedAt = Date.now();
    if (mode.ivsPlayer) return await ivsResult(mode, url);
    await page.goto(`${pageBase}/`);
    await page.evaluate(
      ({ src, lowLatency, sampleMs }: { src: string; lowLatency: boolean; sampleMs: number }) => {
        const video = document.getElementById('video');
        const state = {
          samples: [] as unknown[],
          stalls: [] as unknown[],
          playingAt: null as number | null,
          errors: [] as string[],
          errorAt: [] as number[],
        };
        window.__bench = state;
        const hls = new Hls(lowLatency ? { lowLatencyMode: true } : {});
        window.__hls = hls;
        hls.on(Hls.Events.ERROR, (_e: unknown, data: ErrorData) => {
          state.errors.push(`${data.fatal ? 'fatal ' : ''}${data.details}`);
          state.errorAt.push(Date.now());
          if (data.fatal && data.type === Hls.ErrorTypes.NETWORK_ERROR) setTimeout(() => hls.startLoad(), 500);
          else if (data.fatal && data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
        });
        video.addEventListener('playing', () => {
          if (state.playingAt === null) state.playingAt = Date.now();
        });
        video.addEventListener('waiting', () => {
          if (state.playingAt !== null) state.stalls.push({ t: Date.now() });
        });
        hls.loadSource(src);
        hls.attachMedia(video);
        setInterval(() => {
          const date = hls.playingDate;
          if (video.paused || video.readyState < 3 || !date || isNaN(date.getTime())) return;
          const now = Date.now();
          state.samples.push({
            t: now,
            latency: now - date.getTime(),
            edge: hls.latency,
            target: hls.targetLatency,
            level: `${video.videoHeight}p`,
          });
        }, sampleMs);
      },
      { src: url, lowLatency: mode.lowLatency, sampleMs: SAMPLE_MS },
    );

    const readState = () => page.evaluate(() => window.__bench as PageState);
    let state = await readState();
    for (const deadline = Date.now() + 30_000; state.playingAt === null; state = await readState()) {
      if (Date.now() > deadline) {
        throw new Error(
          `${mode.name}: no playback within 30 s; errors ${state.errors.join(', ')}\n${consoleLines.slice(-20).join('\n')}\n` +
            `publisher: ${publishers[0]!.stderrTail().trim()}`,
        );
      }
      await sleep(200);
    }
    const startupMs = state.playingAt - joinedAt;
    const windowStart = state.playingAt + WARMUP_S * 1000;
    const windowEnd = windowStart + DURATION_S * 1000;
    const partPollers = mode.lowLatency
      ? (async () => {
          await sleep(Math.max(0, windowStart - Date.now()));
          const list = await listVariants(url);
          return Promise.all(list.map(async (v) => ({ rendition: v.name, ...(await partAvailability(v.url, windowEnd)) })));
        })()
      : Promise.resolve([]);
    const segmentPoller = mode.lowLatency
      ? Promise.resolve([])
      : (async () => {
          await sleep(Math.max(0, windowStart - Date.now()));
          return segmentAvailability(mediaUrl, windowEnd);
        })();
    await sleep(windowEnd - Date.now() + 100);
    const parts = await partPollers;
    const segments = await segmentPoller;
    state = await readState();
    const inWindow = state.samples.filter((s) => s.t >= windowStart && s.t <= windowEnd);
    const levels = [...new Set(inWindow.map((s) => s.level))];
    const fatal = state.errors.filter((e) => e.startsWith('fatal'));
    return {
      name: mode.name,
      targetMs: mode.targetMs,
      startupMs,
      levels,
      parts,
      segments,
      samples: inWindow.map((s) => s.latency),
      edge: inWindow.map((s) => s.edge * 1000).filter((v) => Number.isFinite(v)),
      target: inWindow.map((s) => s.target * 1000).filter((v) => Number.isFinite(v)),
      errorTimes: state.errors.map((e, i) => `${e} at ${((state.errorAt[i]! - state.playingAt!) / 1000).toFixed(1)} s`),
      stalls: state.stalls.filter((s) => s.t >= windowStart && s.t <= windowEnd).length,
      note: fatal.length > 0 ? `hls.js fatal errors: ${[...new Set(fatal)].join(', ')}` : undefined,
    };
  } finally {
    await page.close().catch(() => undefined);
    await stopPublishers(publishers);
    await stop?.();
  }
}

// ---------------------------------------------------------------------------------------------------------------

const s = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a');
const sorted = (v: number[]) => [...v].sort((a, b) => a - b);

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  rows.forEach((row, i) => {
    console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  });
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: bash scripts/install.sh --test installs Debian's chromium`);
  const dir = removeOnExit(mkdtempSync(join(tmpdir(), 'openivs-bench-latency-')));
  const server = await startOpenivs(join(dir, 'data'), ['--allow-insecure-ingest']);
  const { port, rtmpPort } = server;
  let browser: Browser | undefined;
  let pages: Server | undefined;
  let nginxBase: string | undefined;
  try {
    const nginxBin = ensureNginxRtmp();
    const clip = await makeClip(dir, 20, { zerolatency: true });
    const pageServer = await startPageServer(`http://127.0.0.1:${port}/_openivs/player/hls.min.js`, () => nginxBase);
    pages = pageServer.server;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    console.log(
      `publisher: ${clip.seconds} s 1280x720 30 fps H.264 2500k (-tune zerolatency, 2 s GOP) + AAC clip, ` +
        `ffmpeg -re -stream_loop -1 -c copy; one mode at a time, the page joining ${JOIN_S} s after the publisher started`,
    );
    console.log(
      `player: headless Chromium ${browser.version()}, hls.js from openivs; latency = Date.now() − hls.playingDate every ` +
        `${SAMPLE_MS} ms for ${DURATION_S} s after a ${WARMUP_S} s warm-up from the first 'playing' event`,
    );

    const openivsMode = (
      name: string,
      type: string,
      latencyMode: string,
      targetMs?: number,
      ivsPlayer = false,
      containerFormat = 'TS',
    ): Mode => ({
      name,
      targetMs,
      lowLatency: latencyMode === 'LOW',
      ivsPlayer,
      start: async () => {
        const created = (await call(port, 'CreateChannel', {
          name: name.replace(/\W+/g, '-'),
          type,
          latencyMode,
          containerFormat,
          insecureIngest: true,
        })) as { channel: { playbackUrl: string }; streamKey: { value: string } };
        const playbackUrl = created.channel.playbackUrl;
        return {
          publishUrl: `rtmp://127.0.0.1:${rtmpPort}/app/${created.streamKey.value}`,
          ready: async () => {
            for (let deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(250)) {
              const media = await firstVariantUrl(playbackUrl).catch(() => undefined);
              if (media && (await fetchText(media)).status === 200) return { playUrl: playbackUrl, mediaUrl: media };
            }
            throw new Error(`${name}: not live after 20 s`);
          },
        };
      },
    });
    let nginxServer: GroupChild | undefined;
    const modes: Mode[] = [
      openivsMode('openivs BASIC LOW', 'BASIC', 'LOW', 2_500),
      openivsMode('openivs BASIC LOW fMP4', 'BASIC', 'LOW', 2_500, false, 'FRAGMENTED_MP4'),
      openivsMode('openivs STANDARD LOW', 'STANDARD', 'LOW', 3_000),
      openivsMode('openivs BASIC NORMAL', 'BASIC', 'NORMAL', 10_000),
      {
        name: 'nginx-rtmp HLS (2 s fragments)',
        lowLatency: false,
        start: async () => {
          const [nRtmp, nHttp] = [await freePort(), await freePort()];
          const nginx = await startNginxRtmp(nginxBin, join(dir, 'nginx'), nRtmp, nHttp, {
            fragment: '2s',
            naming: 'system',
            cors: true,
          });
          nginxServer = nginx.server;
          nginxBase = nginx.httpBase;
          return {
            publishUrl: `${nginx.rtmpBase}/s`,
            ready: async () => {
              const url = `${pageServer.base}/nginx/s.m3u8`;
              for (let deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(250)) {
                const { status, text } = await fetchText(url).catch(() => ({ status: 0, text: '' }));
                if (status === 200 && text.includes('#EXT-X-PROGRAM-DATE-TIME')) return { playUrl: url, mediaUrl: url };
              }
              throw new Error('nginx-rtmp: no playlist after 20 s');
            },
            stop: async () => {
              if (nginxServer) await killGroup(nginxServer.child);
            },
          };
        },
      },
    ];

    modes.push(
      openivsMode('IVS player: openivs BASIC LOW', 'BASIC', 'LOW', 3_000, true),
      openivsMode('IVS player: openivs BASIC LOW fMP4', 'BASIC', 'LOW', 3_000, true, 'FRAGMENTED_MP4'),
      openivsMode('IVS player: openivs STANDARD LOW', 'STANDARD', 'LOW', 3_000, true),
      openivsMode('IVS player: openivs BASIC NORMAL', 'BASIC', 'NORMAL', 10_000, true),
    );
    ivsPage = await startIvsPlayerPage();
    ivsBrowser = browser;
    console.log(
      `IVS player: amazon-ivs-player ${ivsPlayerVersion()} with its defaults, page and wasm served from ${ivsPage.base}`,
    );

    const only = process.env.BENCH_MODES ? new RegExp(process.env.BENCH_MODES) : undefined;
    const results: ModeResult[] = [];
    for (const mode of modes.filter((m) => !only || only.test(m.name))) {
      results.push(await measureMode(browser, pageServer.base, mode, clip));
      const r = results[results.length - 1]!;
      console.log(`  ${r.name}: first frame ${s(r.startupMs)} after the page loaded, ${r.samples.length} samples`);
      await sleep(2_000); // let the previous stream end before the next publisher starts
    }

    console.log('');
    console.log('glass-to-glass latency (ingest arrival of a frame → the <video> element showing it)');
    printTable([
      ['mode', 'p50', 'p95', 'min', 'max', 'samples', 'stalls', 'behind live edge p50', 'video height', 'target p50'],
      ...results.map((r) => {
        const v = sorted(r.samples);
        const target =
          r.targetMs === undefined ? 'baseline' : `≤ ${s(r.targetMs)} — ${percentile(v, 50) <= r.targetMs ? 'met' : 'NOT met'}`;
        return [
          r.name,
          s(percentile(v, 50)),
          s(percentile(v, 95)),
          s(v[0] ?? NaN),
          s(v[v.length - 1] ?? NaN),
          String(v.length),
          String(r.stalls),
          s(percentile(sorted(r.edge), 50)),
          r.levels.join(',') || '-',
          target,
        ];
      }),
    ]);
    for (const r of results) if (r.note) console.log(`  note (${r.name}): ${r.note}`);
    for (const r of results.filter((x) => !x.ivs && x.target.length > 0)) {
      console.log(
        `  ${r.name}: hls.js targetLatency p50 ${s(percentile(sorted(r.target), 50))}; ` +
          `errors (from the first frame): ${r.errorTimes.join(', ') || 'none'}`,
      );
    }
    for (const r of results.filter((x) => x.ivs)) {
      const within = r.targetMs ?? 3_000;
      console.log(
        `  ${r.name}: sampled from ${IVS_WARMUP_S} s after its first frame; p50 over its first ${IVS_JOIN_S} s ` +
          `${s(r.ivs!.joinP50)}; getLiveLatency() p50 ${s(r.ivs!.playerP50)}; latency at the first frame ${s(r.ivs!.firstMs)}; ` +
          `within ${s(within)} from ${Number.isFinite(r.ivs!.settleMs) ? `${s(r.ivs!.settleMs)} after the first frame` : 'never'}`,
      );
    }

    console.log('');
    console.log('server-side part availability (blocking reload of the next part): now − (segment PDT + end of the part in it)');
    const partRows: string[][] = [['mode', 'rendition', 'n', 'p50', 'p95', 'max', 'target']];
    for (const r of results) {
      for (const p of r.parts) {
        const v = sorted(p.delays);
        const limit = p.partTargetMs + PART_SLACK_MS;
        partRows.push([
          r.name,
          p.rendition,
          String(v.length),
          `${percentile(v, 50).toFixed(0)} ms`,
          `${percentile(v, 95).toFixed(0)} ms`,
          `${(v[v.length - 1] ?? NaN).toFixed(0)} ms`,
          `p95 ≤ ${limit.toFixed(0)} ms (PART-TARGET + ${PART_SLACK_MS}) — ${percentile(v, 95) <= limit ? 'met' : 'NOT met'}`,
        ]);
      }
    }
    printTable(partRows);
    console.log('');
    console.log(
      `server-side segment availability (first media playlist polled every ${SEGMENT_POLL_MS} ms): now − (PDT + EXTINF)`,
    );
    printTable([
      ['mode', 'n', 'p50', 'p95', 'max'],
      ...results
        .filter((r) => r.parts.length === 0 && !r.ivs)
        .map((r) => {
          const v = sorted(r.segments);
          return [
            r.name,
            String(v.length),
            `${percentile(v, 50).toFixed(0)} ms`,
            `${percentile(v, 95).toFixed(0)} ms`,
            `${(v[v.length - 1] ?? NaN).toFixed(0)} ms`,
          ];
        }),
    ]);

    console.log('');
    console.log('method and error bars:');
    console.log(
      `  - every page joins just after its first media playlist listed a new segment (${JOIN_S} s into the stream), so all`,
    );
    console.log(
      '    modes start at the same phase of the 2 s segment cadence; hls.js keeps the distance it starts at, so a viewer',
    );
    console.log(
      '    joining at a random moment of a plain-HLS stream sits up to one segment (2 s) further behind (+1 s on average);',
    );
    console.log('    for LL-HLS the phase is a part (334 ms).');
    console.log(
      '  - "glass" is the arrival of the frame at the server: the publisher sends a pre-encoded clip at its DTS pace (-re),',
    );
    console.log(
      '    so there is no encoder delay in the loop; a live x264 zerolatency encoder would add ~1 frame + its VBV buffering.',
    );
    console.log("  - openivs: PDT = ingest wall clock of the segment's first frame, kept on the EXTINF grid while within 500 ms");
    console.log("    of it, i.e. anchored on the stream's first frame. A part is listed when the first frame of the next one");
    console.log('    arrives, so part availability below 0 means the PDT is later than the true arrival by that much (the first');
    console.log("    frames of an -re publisher arrive late, after the RTMP connect, and later ones on its pace): openivs's");
    console.log(
      '    latencies are then low by the same amount (tens of ms). nginx has no such anchor (one clock read per fragment).',
    );
    console.log(
      "  - nginx-rtmp: PDT added by this bench from `hls_fragment_naming system` names (nginx's cached wall clock, ms, when",
    );
    console.log(
      "    the keyframe opening the fragment was read: ±1 ms plus nginx's event-loop delay); the playlist goes through a",
    );
    console.log('    local proxy (~1 ms on loopback), segments come from nginx directly.');
    console.log('  - hls.playingDate = fragment PDT + (video.currentTime − fragment start): frame-accurate, ±1 frame (33 ms) of');
    console.log(
      `    audio/video start skew in a fragment; samples every ${SAMPLE_MS} ms, clock read in the page (same machine clock).`,
    );
    console.log('    The compositor/display path after the <video> element (a frame or two) is not included.');
    console.log(
      '  - IVS player: Date.now() − (PDT + position − cue.startTime), the PDT of the segment whose segmentmetadata cue',
    );
    console.log("    (reported by the player at the segment's first frame, carrying that PDT, checked against the PDTs the");
    console.log(
      `    playlists listed) is the newest before the position; samples every ${SAMPLE_MS} ms. The player loads its wasm`,
    );
    console.log(
      '    first (1–2 s), so it joins later in the segment cadence than hls.js; it starts at the last complete segment',
    );
    console.log('    and catches up at 1.03×: its first-frame latency and the time to come within the target are printed above.');
  } finally {
    await browser?.close().catch(() => undefined);
    if (pages) {
      pages.closeAllConnections();
      await new Promise((r) => pages!.close(r));
    }
    await ivsPage?.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
