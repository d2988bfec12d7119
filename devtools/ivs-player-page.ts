// Amazon's IVS web player (npm amazon-ivs-player, pinned) in a page served from 127.0.0.1, shared by the browser tests
// (test/helpers/ivs-player.ts) and bench:latency (bench/lib/ivs-latency.ts). The package ships CommonJS for bundlers,
// so esbuild's `build` bundles it once per process into an IIFE exposing `window.IVSPlayer`; its wasm worker and binary
// are served from node_modules/amazon-ivs-player/dist/assets and passed as `wasmWorker`/`wasmBinary` URLs of the page's
// own origin (a Worker script must be same-origin). Playback URLs are on openivs, another origin, reached over CORS as
// on a real site.
//
// The page script (IVS_PAGE_JS) starts a player with window.__ivsStart(url, options) and records in window.__ivs what
// a test or a bench reads (window.__ivsRead()): state changes, rebuffering, errors, TEXT_METADATA_CUE payloads,
// qualities and, every `sampleMs`, the position, the buffer and the player's own getLiveLatency(). playWithIvsPlayer
// opens such a page in a browser and plays a URL.
//
// With `traceAppends`, the player's wasm worker is served with APPEND_TRACER in front of it (same file otherwise), and
// every SourceBuffer.appendBuffer it makes (in Chromium the player runs MSE in that worker) is logged to the console and
// collected as IvsPlayback.appends(): when media reached MSE, which says whether the player appended a prefetch
// segment as it streamed in or held it back (the fMP4 defect of note s24).
//
// Latency: the player's getLiveLatency() works from IVS's in-band signals, so it is logged but not trusted. The
// measure (latencySamples) is the playlist's EXT-X-PROGRAM-DATE-TIME at the player's position: every segment starts
// with the `segmentmetadata` ID3 tag, which the player reports as a TEXT_METADATA_CUE at the segment's first frame
// (cue.startTime, on the player's clock) with `transc_r` = that segment's PDT; a PDT counts only when the media
// playlists listed it (collected with PlaylistDates), and the position is mapped through the newest such cue.

import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';

// Browser globals, used only inside page.evaluate callbacks (the project's TypeScript has no DOM lib), where they are
// untyped: `any` is the honest type for them.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const require = createRequire(import.meta.url);
const PACKAGE_DIR = dirname(require.resolve('amazon-ivs-player/package.json'));
/** node_modules/amazon-ivs-player/dist/assets: the wasm worker and binary, served as the player's docs say. */
const ASSETS = join(PACKAGE_DIR, 'dist', 'assets');
const WORKER = 'amazon-ivs-wasmworker.min.js';
const WASM = 'amazon-ivs-wasmworker.min.wasm';
const TRACED_WORKER = `traced-${WORKER}`;

/** Console prefix of the append tracer's lines: `openivs-append <Date.now()> <bytes>`. */
const APPEND_LINE = 'openivs-append ';
/** Logs every SourceBuffer.appendBuffer of the scope it runs in (a worker, or the page). */
const APPEND_TRACER = String.raw`function openivsTraceAppends() {
  var S = self.SourceBuffer;
  if (!S || S.prototype.__openivsTraced) return;
  var append = S.prototype.appendBuffer;
  S.prototype.__openivsTraced = true;
  S.prototype.appendBuffer = function (data) {
    console.log('${APPEND_LINE}' + Date.now() + ' ' + (data && data.byteLength));
    return append.apply(this, arguments);
  };
}
`;

let bundled: Promise<string> | undefined;

/** The player as one browser script defining `window.IVSPlayer` (the package's exports); built once per process. */
export function bundleIvsPlayer(): Promise<string> {
  bundled ??= build({
    stdin: { contents: "window.IVSPlayer = require('amazon-ivs-player');", resolveDir: PACKAGE_DIR, loader: 'js' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome110',
    minify: true,
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  }).then((r) => r.outputFiles[0]!.text);
  return bundled;
}

// The recorder running in the page (plain browser JavaScript; the project's TypeScript has no DOM lib).
export const IVS_PAGE_JS = String.raw`(function () {
  'use strict';
  ${APPEND_TRACER}
  window.__ivsStart = function (src, options) {
    options = options || {};
    var P = window.IVSPlayer;
    var S = P.PlayerState, E = P.PlayerEventType;
    var rec = { src: src, states: [], rebuffers: [], errors: [], cues: [], qualityChanges: [], samples: [], qualities: [],
      version: P.getVersion(), started: Date.now() };
    window.__ivs = rec;
    var video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.width = 640;
    video.height = 360;
    document.body.appendChild(video);
    var player = P.create({ wasmWorker: options.wasmWorker, wasmBinary: options.wasmBinary });
    window.__ivsPlayer = player;
    player.attachHTMLVideoElement(video);
    if (options.traceAppends) openivsTraceAppends();
    if (options.logLevel) player.setLogLevel(options.logLevel);
    player.setAutoplay(true);
    player.setMuted(true);
    var pos = function () { try { return player.getPosition(); } catch (e) { return NaN; } };
    var quality = function (q) { return q && { name: q.name, width: q.width, height: q.height, bitrate: q.bitrate, codecs: q.codecs }; };
    [S.IDLE, S.READY, S.BUFFERING, S.PLAYING, S.ENDED].forEach(function (s) {
      player.addEventListener(s, function () {
        rec.states.push({ state: s, t: Date.now(), position: pos() });
        if (s === S.READY) rec.qualities = player.getQualities().map(quality);
      });
    });
    player.addEventListener(E.REBUFFERING, function () { rec.rebuffers.push({ t: Date.now(), position: pos() }); });
    player.addEventListener(E.ERROR, function (err) {
      rec.errors.push({ type: err.type, code: err.code, source: err.source, message: err.message, t: Date.now() });
    });
    player.addEventListener(E.TEXT_METADATA_CUE, function (cue) {
      rec.cues.push({ description: cue.description, text: cue.text, owner: cue.owner, startTime: cue.startTime, t: Date.now(),
        position: pos() });
    });
    player.addEventListener(E.QUALITY_CHANGED, function (q) { rec.qualityChanges.push({ name: q.name, height: q.height, t: Date.now() }); });
    rec.timer = setInterval(function () {
      var q = player.getQuality();
      rec.samples.push({ t: Date.now(), position: pos(), state: player.getState(), buffer: player.getBufferDuration(),
        liveLatency: player.getLiveLatency(), lowLatency: player.isLiveLowLatency(), quality: q ? q.name : '',
        height: video.videoHeight });
    }, options.sampleMs || 500);
    player.load(src);
    player.play();
  };
  window.__ivsRead = function () {
    var r = window.__ivs;
    if (!r) return null;
    var copy = {};
    for (var k in r) if (k !== 'timer') copy[k] = r[k];
    return copy;
  };
  window.__ivsStop = function () {
    if (window.__ivs) clearInterval(window.__ivs.timer);
    if (window.__ivsPlayer) window.__ivsPlayer.delete();
    window.__ivsPlayer = undefined;
  };
})();`;

/** What window.__ivsRead() returns. */
export interface IvsRecord {
  src: string;
  version: string;
  started: number;
  states: { state: string; t: number; position: number }[];
  rebuffers: { t: number; position: number }[];
  errors: { type: string; code: number; source: string; message: string; t: number }[];
  cues: { description: string; text: string; owner: string; startTime: number; t: number; position: number }[];
  qualityChanges: { name: string; height: number; t: number }[];
  qualities: { name: string; width: number; height: number; bitrate: number; codecs: string }[];
  samples: {
    t: number;
    position: number;
    state: string;
    buffer: number;
    liveLatency: number;
    lowLatency: boolean;
    quality: string;
    height: number;
  }[];
}

export interface IvsStartOptions {
  wasmWorker: string;
  wasmBinary: string;
  sampleMs?: number;
  /** Player log level ('debug', 'info', 'warn', 'error'). */
  logLevel?: string;
  /** Log every MSE append (IvsPlayback.appends()); the worker is then the traced copy. */
  traceAppends?: boolean;
}

const pageHtml = `<!doctype html><html><head><meta charset="utf-8"><title>amazon-ivs-player</title></head>
<body style="margin:0;background:#000"><script src="/ivs-player.js"></script><script src="/ivs-page.js"></script></body></html>`;

export interface IvsPlayerPage {
  /** http://127.0.0.1:<port>: open `${base}/` in the browser, then window.__ivsStart(url, startOptions). */
  base: string;
  startOptions: IvsStartOptions;
  /** The wasm worker with APPEND_TRACER in front of it. */
  tracedWasmWorker: string;
  close(): Promise<void>;
}

/** Serves the player page, the bundle and the player's assets on a free loopback port. */
export async function startIvsPlayerPage(): Promise<IvsPlayerPage> {
  const [bundle, worker, wasm] = await Promise.all([
    bundleIvsPlayer(),
    readFile(join(ASSETS, WORKER)),
    readFile(join(ASSETS, WASM)),
  ]);
  const files: Record<string, { type: string; body: string | Buffer }> = {
    '/': { type: 'text/html; charset=utf-8', body: pageHtml },
    '/ivs-player.js': { type: 'text/javascript', body: bundle },
    '/ivs-page.js': { type: 'text/javascript', body: IVS_PAGE_JS },
    [`/assets/${WORKER}`]: { type: 'text/javascript', body: worker },
    [`/assets/${TRACED_WORKER}`]: {
      type: 'text/javascript',
      body: `${APPEND_TRACER}openivsTraceAppends();\n${worker.toString('utf8')}`,
    },
    [`/assets/${WASM}`]: { type: 'application/wasm', body: wasm },
  };
  const server: Server = createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://x').pathname];
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': file.type,
      'cache-control': 'no-cache',
      'content-length': Buffer.byteLength(file.body),
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    startOptions: { wasmWorker: `${base}/assets/${WORKER}`, wasmBinary: `${base}/assets/${WASM}` },
    tracedWasmWorker: `${base}/assets/${TRACED_WORKER}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Playing a URL in a browser page.

export interface IvsPlayback {
  page: Page;
  /** Date.now() just before the page began to load. */
  loadedAt: number;
  /** The page console so far (last lines), for failure messages. */
  console(): string;
  /** Every page console line so far (the first 20,000), e.g. the player's own log at `logLevel: 'debug'`. */
  consoleLines(): readonly string[];
  /** MSE appends so far (with `traceAppends`): when (epoch ms) and how many bytes. */
  appends(): readonly { t: number; bytes: number }[];
  read(): Promise<IvsRecord>;
  /** Waits for `test` on the record, polling; throws with `what` and the record after `timeoutMs`. */
  until(what: string, test: (r: IvsRecord) => boolean, timeoutMs: number): Promise<IvsRecord>;
  close(): Promise<void>;
}

/** Opens a page and starts the player on `url` (`options` beside the page's own, e.g. `sampleMs`). */
export async function playWithIvsPlayer(
  browser: Browser,
  server: IvsPlayerPage,
  url: string,
  options: Partial<IvsStartOptions> = {},
): Promise<IvsPlayback> {
  const page = await browser.newPage();
  const lines: string[] = [];
  const keep = (line: string) => {
    if (lines.length < 20_000) lines.push(line);
  };
  const appends: { t: number; bytes: number }[] = [];
  const traced = (text: string) => {
    if (!text.startsWith(APPEND_LINE)) return false;
    const [t, bytes] = text.slice(APPEND_LINE.length).split(' ').map(Number);
    appends.push({ t: t!, bytes: bytes! });
    return true;
  };
  page.on('console', (m) => {
    if (!traced(m.text())) keep(`${m.type()}: ${m.text()}`);
  });
  page.on('worker', (w) => w.on('console', (m) => traced(m.text())));
  page.on('pageerror', (e) => keep(`pageerror: ${e.message}`));
  const loadedAt = Date.now();
  await page.goto(`${server.base}/`);
  await page.evaluate(({ src, options }) => window.__ivsStart(src, options), {
    src: url,
    options: {
      ...server.startOptions,
      ...(options.traceAppends ? { wasmWorker: server.tracedWasmWorker } : {}),
      ...options,
    },
  });
  const read = async () => (await page.evaluate(() => window.__ivsRead())) as IvsRecord;
  const consoleTail = () => lines.slice(-40).join('\n');
  return {
    page,
    loadedAt,
    console: consoleTail,
    consoleLines: () => lines,
    appends: () => appends,
    read,
    async until(what, test, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = await read();
        if (test(r)) return r;
        if (Date.now() > deadline) {
          throw new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}\n${describeRecord(r)}\n--- page console ---\n${consoleTail()}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
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
  // The samples around each BUFFERING: an empty buffer means media came late, a full one a starved page or decoder.
  const around = r.states
    .filter((s) => s.state === 'Buffering')
    .map((b) => {
      const near = r.samples.filter((x) => Math.abs(x.t - b.t) <= 1_000);
      const fmt = near.map(
        (x) => `${(x.t - r.started) / 1000}s ${x.state} pos ${x.position.toFixed(2)} buf ${x.buffer.toFixed(2)}`,
      );
      return `Buffering@${(b.t - r.started) / 1000}s: ${fmt.join('; ') || 'no sample within 1 s'}`;
    });
  return (
    `states: ${states}\nerrors: ${JSON.stringify(r.errors)}\nrebuffers: ${r.rebuffers.length}\n` +
    `around each buffering: ${around.join('\n  ') || 'none'}\n` +
    `last sample: ${JSON.stringify(last)}\nqualities: ${r.qualities.map((q) => q.name).join(', ')}`
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Latency from the playlists' PROGRAM-DATE-TIME.

/** Polls media playlists and keeps every EXT-X-PROGRAM-DATE-TIME they list (epoch ms), until stop(). */
export class PlaylistDates {
  readonly dates = new Set<number>();
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(mediaUrls: readonly string[], intervalMs = 500) {
    this.done = this.poll(mediaUrls, intervalMs);
  }

  async stop(): Promise<Set<number>> {
    this.stopped = true;
    await this.done;
    return this.dates;
  }

  private async poll(urls: readonly string[], intervalMs: number): Promise<void> {
    while (!this.stopped) {
      const next = new Promise((r) => setTimeout(r, intervalMs));
      await Promise.all(
        urls.map(async (url) => {
          try {
            const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
            for (const m of (await res.text()).matchAll(/^#EXT-X-PROGRAM-DATE-TIME:(.+)$/gm)) this.dates.add(Date.parse(m[1]!));
          } catch {
            // the stream ended or the server is busy: keep what was seen
          }
        }),
      );
      await next;
    }
  }
}

/** The media playlist URLs of a multivariant playlist (absolute). */
export async function mediaPlaylistUrls(playbackUrl: string): Promise<string[]> {
  const text = await (await fetch(playbackUrl, { signal: AbortSignal.timeout(5000) })).text();
  return text
    .split(/\r?\n/)
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => new URL(l, playbackUrl).href);
}

/** The per-segment cue (TXXX `segmentmetadata`) as the player reported it: its player time and its segment's PDT. */
interface SegmentCue {
  startTime: number;
  pdt: number;
}

const SEGMENT_METADATA = 'segmentmetadata';

function segmentCues(record: IvsRecord): SegmentCue[] {
  const out: SegmentCue[] = [];
  for (const c of record.cues) {
    if (c.description !== SEGMENT_METADATA) continue;
    try {
      const pdt = Number((JSON.parse(c.text) as { transc_r?: unknown }).transc_r);
      if (Number.isFinite(pdt)) out.push({ startTime: c.startTime, pdt });
    } catch {
      // not JSON: not ours
    }
  }
  return out;
}

export interface LatencySample {
  t: number;
  /** Date.now() − PDT at the player's position (ms). */
  latencyMs: number;
  /** The player's own getLiveLatency() (ms). */
  playerMs: number;
}

/**
 * Latency samples (PLAYING samples only) from the playlists' PDT at the player's position; `dates` from
 * PlaylistDates. Also how many segment cues carried a PDT the playlists did not list (should be 0).
 */
export function latencySamples(record: IvsRecord, dates: ReadonlySet<number>): { samples: LatencySample[]; unlisted: number } {
  const cues = segmentCues(record);
  const listed = cues.filter((c) => dates.has(c.pdt));
  const samples: LatencySample[] = [];
  for (const s of record.samples) {
    if (s.state !== 'Playing' || !Number.isFinite(s.position)) continue;
    let cue: SegmentCue | undefined;
    for (const c of listed) if (c.startTime <= s.position + 0.001 && (!cue || c.startTime >= cue.startTime)) cue = c;
    if (!cue) continue;
    samples.push({ t: s.t, latencyMs: s.t - (cue.pdt + (s.position - cue.startTime) * 1000), playerMs: s.liveLatency * 1000 });
  }
  return { samples, unlisted: cues.length - listed.length };
}
