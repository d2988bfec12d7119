// bench:metrics — what Prometheus metrics cost the playback hot path. One live BASIC stream in IVS's default LOW
// latency mode (one ffmpeg publisher of the 720p clip); for (a) the LL-HLS media playlist and (b) a segment,
// requests/s with 32 connections (autocannon) while nothing scrapes, beside the same load while a client scrapes
// GET /metrics every second (as a Prometheus with scrape_interval 1s would), in ABAB order so drift of the shared
// machine falls on both sides. The request counters are incremented either way (that is their cost in every run);
// the difference measured is the scrape's: collecting the gauges and rendering the text. Also the scrape's own
// latency and size.
// Target (issue 15): under 3% of the rate.
// Env: BENCH_DURATION (10 s per phase; each configuration runs twice).

import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
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
import {
  cpuSeconds,
  killOnExit,
  percentile,
  removeOnExit,
  sleep,
  startNode,
  stopProcess,
  waitForHttp,
  type GroupChild,
} from './lib/processes.js';
import { call } from './lib/signing.js';
import { freePort } from '../devtools/server.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const TARGET = 0.03;
// A segment stays fetchable for ~16 s after it is written; load on a segment is split into chunks shorter than that.
const SEGMENT_CHUNK_S = 10;

interface Phase {
  rps: number;
  cpu: number;
  errors: number;
}

/** A scraper of /metrics every second while it runs; keeps each scrape's latency and size. */
function scraper(url: string): { stop(): Promise<{ ms: number[]; bytes: number; failures: number }> } {
  let running = true;
  const ms: number[] = [];
  let bytes = 0;
  let failures = 0;
  const done = (async () => {
    while (running) {
      const next = sleep(1_000);
      const t0 = performance.now();
      try {
        const res = await fetch(url);
        const body = await res.text();
        if (res.status === 200) {
          ms.push(performance.now() - t0);
          bytes = body.length;
        } else failures++;
      } catch {
        failures++;
      }
      await next;
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return { ms, bytes, failures };
    },
  };
}

async function load(url: () => Promise<string>, durationS: number, pid: number, chunkS = durationS): Promise<Phase> {
  const cpu0 = cpuSeconds(pid);
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
  return { rps: requests / seconds, cpu: cpuSeconds(pid) - cpu0, errors };
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

const sum = (phases: Phase[]) => ({
  rps: phases.reduce((n, p) => n + p.rps, 0) / phases.length,
  cpu: phases.reduce((n, p) => n + p.cpu, 0),
  errors: phases.reduce((n, p) => n + p.errors, 0),
});

async function compare(
  title: string,
  url: () => Promise<string>,
  pid: number,
  metricsUrl: string,
  chunkS?: number,
): Promise<number> {
  console.log(title);
  await load(url, 2, pid, chunkS);
  const quiet: Phase[] = [];
  const scraped: Phase[] = [];
  const scrapes: number[] = [];
  let bytes = 0;
  for (let round = 0; round < 2; round++) {
    quiet.push(await load(url, DURATION_S, pid, chunkS));
    const s = scraper(metricsUrl);
    scraped.push(await load(url, DURATION_S, pid, chunkS));
    const r = await s.stop();
    if (r.failures > 0) throw new Error(`${r.failures} scrapes failed`);
    scrapes.push(...r.ms);
    bytes = r.bytes;
  }
  const a = sum(quiet);
  const b = sum(scraped);
  const cost = 1 - b.rps / a.rps;
  const sorted = scrapes.sort((x, y) => x - y);
  console.log(
    `  no scrape            ${a.rps.toFixed(0).padStart(7)} req/s  server CPU ${a.cpu.toFixed(1)} s  errors ${a.errors}`,
  );
  console.log(
    `  scrape every second  ${b.rps.toFixed(0).padStart(7)} req/s  server CPU ${b.cpu.toFixed(1)} s  errors ${b.errors}`,
  );
  console.log(
    `  scrapes: n ${sorted.length}, ${bytes} B, p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms (under load)`,
  );
  console.log(
    `  cost ${(100 * cost).toFixed(1)}% of the rate (target < ${100 * TARGET}%) — ${cost < TARGET ? 'met' : 'NOT met'}`,
  );
  return cost;
}

async function main(): Promise<void> {
  const dir = removeOnExit(mkdtempSync(join(tmpdir(), 'openivs-bench-metrics-')));
  const [port, rtmpPort] = [await freePort(), await freePort()];
  const server = killOnExit(
    startNode(join(here, '../src/main.js'), [
      'start',
      '--http-port',
      String(port),
      '--rtmp-port',
      String(rtmpPort),
      '--data-dir',
      join(dir, 'data'),
      '--bind',
      '127.0.0.1',
      '--host',
      '127.0.0.1',
      '--log-level',
      'warn',
      '--srt-port',
      'off',
      '--allow-insecure-ingest',
    ]),
  );
  const publishers: GroupChild[] = [];
  try {
    const clip = await makeClip(dir);
    await waitForHttp(`http://127.0.0.1:${port}/_openivs/health`);
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
    const metricsUrl = `http://127.0.0.1:${port}/metrics`;
    console.log(`one live BASIC LOW stream (${clip.kbps.toFixed(0)} kbit/s clip); ${DURATION_S} s per phase, ABAB`);
    const newestSegment = async () => {
      const playlist = await waitForSegments(mediaUrl, 1);
      return new URL(playlist.segments[playlist.segments.length - 1]!.uri, mediaUrl).toString();
    };
    const playlistCost = await compare(
      '(a) LL-HLS media playlist, 32 connections',
      async () => mediaUrl,
      server.pid!,
      metricsUrl,
    );
    const segmentCost = await compare('(b) segment, 32 connections', newestSegment, server.pid!, metricsUrl, SEGMENT_CHUNK_S);
    console.log(
      `summary: a scrape every second costs the playlist ${(100 * playlistCost).toFixed(1)}%, the segment ${(100 * segmentCost).toFixed(1)}% ` +
        `of their rates (target < ${100 * TARGET}%)`,
    );
  } finally {
    await stopPublishers(publishers);
    await stopProcess(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
