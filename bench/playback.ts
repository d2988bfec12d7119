// bench:playback — HLS delivery of one live BASIC stream (one ffmpeg publisher of the 720p clip).
//  1a. Media playlist (LL-HLS) requests/s: openivs beside a bare node:http server sending the same bytes with the
//      same headers (its own process), and beside the same bare handler inside the openivs process (in-process-bare.ts:
//      the ceiling of any handler there). wrk (C; 32 connections, one thread) on one CPU, the servers on the other;
//      BENCH_PAIRS rounds of a BENCH_WINDOW-second window per server, the order reversed every other round, so that
//      the machine's drift (large here: the same server's rate moves by a third from one minute to the next) falls
//      on all three alike. The figure is the median of the rounds' ratios, with their quartiles.
//  1b. A segment (~600 KB) with 32 connections (autocannon), beside the bare server, one window each.
//  2. Segment availability delay seen from outside: the media playlist is polled every 50 ms and, for each new
//     segment, now − (EXT-X-PROGRAM-DATE-TIME + EXTINF) is taken. The PDT is the ingest wall clock of the segment's
//     first frame, so this is the time from the arrival of the segment's last frame (more exactly: of the next
//     segment's first frame, which closes it) to the segment being listed, ± the poll interval.
// Targets: playlist ≥ 80% of the bare server's rate (issue 17), segment ≥ 60% (issue 3).
// Env: BENCH_DURATION (10 s per segment load run), BENCH_PAIRS (8), BENCH_WINDOW (3 s), BENCH_SEGMENTS (20 segments
// for the delay histogram).

import autocannon from 'autocannon';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  fetchMediaPlaylist,
  firstVariantUrl,
  makeClip,
  startPublisher,
  stopPublishers,
  type MediaPlaylist,
} from './lib/media.js';
import { freePort } from '../devtools/server.js';
import {
  cpuSeconds,
  killOnExit,
  percentile,
  removeOnExit,
  sleep,
  startNode,
  startOpenivs,
  stopProcess,
  waitForHttp,
  type GroupChild,
} from './lib/processes.js';
import { call } from './lib/signing.js';
import { interleaved, median } from './lib/interleaved.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 8);
const WINDOW_S = Number(process.env.BENCH_WINDOW ?? 3);
const SEGMENTS = Number(process.env.BENCH_SEGMENTS ?? 20);
const POLL_MS = 50;
const TARGET = 0.6;
const PLAYLIST_TARGET = 0.8;
// A segment stays fetchable for the 6 listed + 2 retained segments (~16 s) after it is written; load runs on a
// segment are split into chunks short enough that a freshly picked newest segment outlives each chunk.
const SEGMENT_CHUNK_S = 10;
const DROP_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

interface LoadResult {
  rps: number;
  mbps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  cpu: number;
  bytes: number;
}

/**
 * autocannon keeps every response body as a string (`body += chunk`, a UTF-8 decode per chunk), which caps it near
 * 60 MB/s on this machine: with ~600 KB segments the client, not the server, would be measured. No option turns that
 * off, so each client's body accumulator is replaced with a no-op (bodies are not checked here; bytes are still
 * counted from the socket).
 */
function discardBodies(client: unknown): void {
  (client as { pipelinedRequests: { addBody: (data: Buffer) => void } }).pipelinedRequests.addBody = () => undefined;
}

/** Runs autocannon for `durationS`, in chunks of at most `chunkS`, each against the URL `url()` gives then. */
async function load(url: () => Promise<string>, durationS: number, pid: number, chunkS = durationS): Promise<LoadResult> {
  const cpu0 = cpuSeconds(pid);
  let requests = 0;
  let bytes = 0;
  let seconds = 0;
  let errors = 0;
  let non2xx = 0;
  let p50 = 0;
  let p99 = 0;
  for (let left = durationS; left > 0; left -= chunkS) {
    const r = await autocannon({
      url: await url(),
      connections: 32,
      pipelining: 1,
      duration: Math.min(chunkS, left),
      setupClient: discardBodies,
    });
    requests += r.requests.total;
    bytes += r.throughput.total;
    seconds += r.duration;
    errors += r.errors + r.timeouts;
    non2xx += r.non2xx;
    p50 = Math.max(p50, r.latency.p50);
    p99 = Math.max(p99, r.latency.p99);
  }
  return {
    rps: requests / seconds,
    mbps: bytes / seconds / 1e6,
    p50,
    p99,
    errors,
    non2xx,
    cpu: cpuSeconds(pid) - cpu0,
    bytes: bytes / requests,
  };
}

const fmt = (r: LoadResult) =>
  `${r.rps.toFixed(0).padStart(7)} req/s ${r.mbps.toFixed(1).padStart(8)} MB/s  p50 ${r.p50} ms  p99 ${r.p99} ms  ` +
  `server CPU ${r.cpu.toFixed(1)} s  errors ${r.errors} non-2xx ${r.non2xx}`;

const bodyFile = (dir: string, name: string) => join(dir, `${name}.body`);
const headersFile = (dir: string, name: string) => join(dir, `${name}.headers.json`);

/** Fetches `url` once, and starts a bare server answering every request with those bytes and headers. */
async function bareCopy(
  url: string,
  dir: string,
  name: string,
): Promise<{ child: ReturnType<typeof startNode>; port: number; size: number }> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
  const body = Buffer.from(await res.arrayBuffer());
  const headers: Record<string, string> = {};
  res.headers.forEach((value, key) => {
    if (!DROP_HEADERS.has(key)) headers[key] = value;
  });
  writeFileSync(bodyFile(dir, name), body);
  writeFileSync(headersFile(dir, name), JSON.stringify(headers));
  const port = await freePort();
  const child = killOnExit(
    startNode(join(here, 'lib/bare-server.js'), [String(port), bodyFile(dir, name), headersFile(dir, name)]),
  );
  await waitForHttp(`http://127.0.0.1:${port}/`);
  return { child, port, size: body.length };
}

async function compare(
  title: string,
  ours: () => Promise<string>,
  oursPid: number,
  bareUrl: string,
  barePid: number,
  chunkS?: number,
): Promise<number> {
  console.log(title);
  await load(async () => bareUrl, 2, barePid);
  const baseline = await load(async () => bareUrl, DURATION_S, barePid);
  await load(ours, 2, oursPid);
  const result = await load(ours, DURATION_S, oursPid, chunkS);
  const ratio = result.rps / baseline.rps;
  console.log(`  bare node:http  ${fmt(baseline)}`);
  console.log(`  openivs         ${fmt(result)}`);
  console.log(
    `  ratio           ${(100 * ratio).toFixed(0)}% of the bare server (target ≥ ${100 * TARGET}%) — ${ratio >= TARGET ? 'met' : 'NOT met'}`,
  );
  return ratio;
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

async function availabilityDelays(url: string, count: number): Promise<number[]> {
  const seen = new Set<number>();
  const delays: number[] = [];
  const first = await fetchMediaPlaylist(url);
  for (const s of first?.segments ?? []) seen.add(s.sequence);
  const deadline = Date.now() + count * 4_000 + 30_000;
  while (delays.length < count && Date.now() < deadline) {
    const next = sleep(POLL_MS);
    const playlist = await fetchMediaPlaylist(url);
    const now = Date.now();
    for (const s of playlist?.segments ?? []) {
      if (seen.has(s.sequence)) continue;
      seen.add(s.sequence);
      if (s.programDateTime === undefined || !Number.isFinite(s.durationS))
        throw new Error(`segment ${s.uri} lacks PDT or EXTINF`);
      delays.push(now - (s.programDateTime + s.durationS * 1000));
    }
    await next;
  }
  if (delays.length < count) throw new Error(`only ${delays.length} new segments seen before the deadline`);
  return delays;
}

function histogram(values: number[]): void {
  const sorted = [...values].sort((a, b) => a - b);
  console.log(
    `  n ${sorted.length}  min ${sorted[0]!.toFixed(0)} ms  p50 ${percentile(sorted, 50).toFixed(0)} ms  ` +
      `p90 ${percentile(sorted, 90).toFixed(0)} ms  p99 ${percentile(sorted, 99).toFixed(0)} ms  max ${sorted[sorted.length - 1]!.toFixed(0)} ms`,
  );
  const bucket = 50;
  const lo = Math.floor(sorted[0]! / bucket) * bucket;
  const hi = Math.floor(sorted[sorted.length - 1]! / bucket) * bucket;
  if ((hi - lo) / bucket > 40) return; // too spread for a readable text histogram
  for (let b = lo; b <= hi; b += bucket) {
    const n = sorted.filter((v) => v >= b && v < b + bucket).length;
    console.log(`  ${String(b).padStart(6)}–${String(b + bucket).padEnd(6)} ms ${String(n).padStart(3)} ${'#'.repeat(n)}`);
  }
}

async function main(): Promise<void> {
  const dir = removeOnExit(mkdtempSync(join(tmpdir(), 'openivs-bench-playback-')));
  const inProcessPort = await freePort();
  const server = await startOpenivs(
    join(dir, 'data'),
    ['--allow-insecure-ingest'],
    {
      BENCH_BARE_PORT: String(inProcessPort),
      BENCH_BARE_BODY: bodyFile(dir, 'playlist'),
      BENCH_BARE_HEADERS: headersFile(dir, 'playlist'),
    },
    { entry: join(here, 'lib/in-process-bare.js') },
  );
  const { port, rtmpPort } = server;
  const publishers: GroupChild[] = [];
  const bares: ReturnType<typeof startNode>[] = [];
  try {
    const clip = await makeClip(dir);
    const created = (await call(port, 'CreateChannel', { name: 'bench', type: 'BASIC', insecureIngest: true })) as {
      channel: { playbackUrl: string };
      streamKey: { value: string };
    };
    publishers.push(startPublisher(clip, `rtmp://127.0.0.1:${rtmpPort}/app/${created.streamKey.value}`));
    let found: string | undefined;
    for (let i = 0; i < 60 && !found; i++) {
      found = await firstVariantUrl(created.channel.playbackUrl).catch(() => undefined);
      if (!found) await sleep(250);
    }
    if (!found) throw new Error(`stream did not go live: ${publishers[0]!.stderrTail().trim()}`);
    const mediaUrl = found;
    await waitForSegments(mediaUrl, 3);
    console.log(`one live BASIC stream (${clip.kbps.toFixed(0)} kbit/s clip); media playlist ${new URL(mediaUrl).pathname}`);

    const newestSegment = async () => {
      const playlist = await waitForSegments(mediaUrl, 1);
      return new URL(playlist.segments[playlist.segments.length - 1]!.uri, mediaUrl).toString();
    };

    // The bare copy of the playlist is taken once the window is full (a segment has slid out), so it has the size
    // openivs's playlist keeps during the run.
    const startSequence = (await waitForSegments(mediaUrl, 1)).mediaSequence;
    for (let deadline = Date.now() + 30_000; Date.now() < deadline;) {
      if ((await waitForSegments(mediaUrl, 1)).mediaSequence > startSequence) break;
      await sleep(250);
    }
    const playlistBare = await bareCopy(mediaUrl, dir, 'playlist');
    bares.push(playlistBare.child);
    await waitForHttp(`http://127.0.0.1:${inProcessPort}/`);
    console.log(
      `(a) media playlist (${playlistBare.size} B): wrk, 32 connections; ${PAIRS} rounds of ${WINDOW_S} s per server ` +
        `(medians; ratios to the bare server)`,
    );
    const media = new URL(mediaUrl);
    const get = (path: string) => ({ method: 'GET', path, body: '', headers: {} });
    const ratios = await interleaved(
      [
        { name: 'bare node:http', port: playlistBare.port, request: get('/'), pid: playlistBare.child.pid! },
        { name: 'bare handler inside openivs', port: inProcessPort, request: get('/'), pid: server.proc.pid! },
        { name: 'openivs', port, request: get(media.pathname + media.search), pid: server.proc.pid! },
      ],
      PAIRS,
      WINDOW_S,
    );
    const playlistRatio = median(ratios.get('openivs')!);
    const ceiling = median(ratios.get('bare handler inside openivs')!);
    const handlerShare = median(ratios.get('openivs')!.map((r, i) => r / ratios.get('bare handler inside openivs')![i]!));
    console.log(
      `  ratio           ${(100 * playlistRatio).toFixed(0)}% of the bare server (target ≥ ${100 * PLAYLIST_TARGET}%) — ` +
        `${playlistRatio >= PLAYLIST_TARGET ? 'met' : 'NOT met'}; the bare handler inside openivs: ${(100 * ceiling).toFixed(0)}%, ` +
        `openivs ${(100 * handlerShare).toFixed(0)}% of that`,
    );

    const segmentBare = await bareCopy(await newestSegment(), dir, 'segment');
    bares.push(segmentBare.child);
    const segmentRatio = await compare(
      `(b) segment (${(segmentBare.size / 1024).toFixed(0)} KiB), 32 connections, ${DURATION_S} s each (after a 2 s warm-up)`,
      newestSegment,
      server.proc.pid!,
      `http://127.0.0.1:${segmentBare.port}/`,
      segmentBare.child.pid!,
      SEGMENT_CHUNK_S,
    );

    console.log(
      `segment availability delay: now − (PDT + EXTINF) for ${SEGMENTS} new segments, playlist polled every ${POLL_MS} ms`,
    );
    histogram(await availabilityDelays(mediaUrl, SEGMENTS));
    console.log(
      `summary: playlist ${(100 * playlistRatio).toFixed(0)}% (target ≥ ${100 * PLAYLIST_TARGET}%; ceiling inside openivs ` +
        `${(100 * ceiling).toFixed(0)}%), segment ${(100 * segmentRatio).toFixed(0)}% (target ≥ ${100 * TARGET}%) of the bare server`,
    );
  } finally {
    await stopPublishers(publishers);
    for (const bare of bares) await stopProcess(bare);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
