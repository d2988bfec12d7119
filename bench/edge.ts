// bench:edge — viewers through the shipped edge (deploy/varnish-openivs.vcl) versus directly against openivs, one 720p
// LOW (LL-HLS, TS) channel published by ffmpeg, same run, same publisher.
//  1. Waiting viewers of a part: BENCH_LOCK_VIEWERS viewers ask for the part named in the preload hint before it
//     exists (the origin holds the first request until the part is cut), through Varnish and through nginx
//     proxy_cache with proxy_cache_lock; each arrival is compared with a direct request for the same part made at the
//     same moment. Figures: extra delay p50/p95/max and origin part requests per part.
//  2. Scale: BENCH_VIEWERS simulated LL-HLS viewers (devtools/viewer-sim.ts: blocking reloads, preloaded hinted parts,
//     listed parts) for BENCH_SECONDS through the edge, then the same directly: origin requests/s by kind, origin CPU,
//     edge CPU per viewer, p95 time from a part's publication (a direct reference follower) to its arrival at the
//     viewers, stalls (a viewer without a new part for longer than a target duration), viewerCount. The viewers run
//     in BENCH_SIM_PROCESSES processes of their own on CPUs 1…n−1, the servers on CPU 0 (BENCH_PIN=0: no pinning);
//     the simulator's CPU is printed, since at ~100% of its CPUs the generator, not the edge, is the ceiling.
// Targets (issue 14): through the edge, origin requests/s flat in the viewer count; p95 part delivery within one part
// duration of direct; no stalls. Env: BENCH_VIEWERS (2000, or 1,000 per simulator CPU if fewer), BENCH_SECONDS (40), BENCH_LOCK_VIEWERS (20),
// BENCH_LOCK_PARTS (20), BENCH_PIN, BENCH_SIM_PROCESSES, BENCH_SIM_NODE_ARGS (e.g. "--cpu-prof"). Tiny smoke run: BENCH_VIEWERS=20 BENCH_SECONDS=15 BENCH_LOCK_VIEWERS=5 BENCH_LOCK_PARTS=5.

import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import { freePort } from '../devtools/server.js';
import { startNginxCache, startVarnish, type Edge } from '../devtools/edge.js';
import { parseMedia, startViewers } from '../devtools/viewer-sim.js';
import { startViewerPool } from '../devtools/viewer-sim-pool.js';
import { makeClip, startPublisher, stopPublishers } from './lib/media.js';
import { cpuSeconds, percentile, pinToCpu, removeOnExit, sleep, startOpenivs } from './lib/processes.js';
import { call } from './lib/signing.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 40);
const LOCK_VIEWERS = Number(process.env.BENCH_LOCK_VIEWERS ?? 20);
const LOCK_PARTS = Number(process.env.BENCH_LOCK_PARTS ?? 20);
const STALL_MS = 2000;
// The servers (openivs, the edge, the publisher) run on CPU 0 and the simulated viewers on the other CPUs, in
// processes of their own: on this 2-core machine the generator then never takes the servers' core, and its own CPU
// figure says whether it (rather than the server side) was the limit. BENCH_PIN=0 leaves placement to the scheduler.
const CPUS = availableParallelism();
const pinning = process.env.BENCH_PIN !== '0' && CPUS >= 2;
const SIM_CPUS = CPUS > 2 ? `1-${CPUS - 1}` : '1';
const SIM_PROCESSES = Number(process.env.BENCH_SIM_PROCESSES ?? Math.max(1, pinning ? CPUS - 1 : 2));
// The 2,000 viewers where the generator can drive them: measured, one simulator CPU drives about 1,000 LL-HLS
// viewers of a 720p channel (85–95% busy; at 1,500 it is saturated and its own lag shows up as stalls).
const VIEWERS = Number(process.env.BENCH_VIEWERS ?? Math.min(2000, 1000 * (pinning ? CPUS - 1 : CPUS / 2)));

const agent = new Agent({ keepAlive: true, maxSockets: 512 });
function get(url: string): Promise<{ status: number; body: Buffer; at: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), at: performance.now() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A process and its direct children (varnishd's manager and cache child). */
function processTree(pid: number): number[] {
  // ps exits 1 when it lists nothing.
  const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout.trim();
  return [pid, ...children.split(/\s+/).filter(Boolean).map(Number)];
}

/** CPU seconds of a process and its direct children. */
function treeCpu(pid: number): number {
  let total = 0;
  for (const p of processTree(pid)) {
    try {
      total += cpuSeconds(p);
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

/** Every thread of the servers' processes onto CPU 0 (see `pinning`). */
function pinServers(pids: number[]): void {
  if (!pinning) return;
  for (const pid of pids) for (const p of processTree(pid)) pinToCpu(p, 0);
}

async function playbackCounts(originUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${originUrl}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const m of text.matchAll(/^openivs_playback_requests_total\{kind="([a-z_]+)",status="\d+"\} (\d+)/gm)) {
    counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + Number(m[2]));
  }
  return counts;
}

const delta = (after: Map<string, number>, before: Map<string, number>) =>
  new Map([...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)]));
const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
const ms = (v: number) => `${v.toFixed(0)} ms`;

async function variantUrl(url: string): Promise<string> {
  const r = await get(url);
  const line = r.body
    .toString('utf8')
    .split(/\r?\n/)
    .find((l) => l.length > 0 && !l.startsWith('#'));
  if (r.status !== 200 || !line) throw new Error(`multivariant ${url}: ${r.status}`);
  return new URL(line, url).href;
}

/** Phase 1: extra delay of waiting viewers of the hinted part, through `edge`, against a direct request. */
async function waitingViewers(label: string, originUrl: string, edgeUrl: string, playbackPath: string): Promise<void> {
  const direct = await variantUrl(`${originUrl}${playbackPath}`);
  const extra: number[] = [];
  const before = await playbackCounts(originUrl);
  for (let i = 0; i < LOCK_PARTS; i++) {
    const playlist = parseMedia((await get(direct)).body.toString('utf8'), direct);
    if (!playlist.hint) throw new Error('no preload hint: is the channel LOW?');
    const directPart = playlist.hint.uri;
    const edgePart = new URL(directPart.slice(directPart.indexOf('/api/')), edgeUrl).href.replace(/\?.*$/, '');
    const [reference, ...viewers] = await Promise.all([
      get(directPart),
      ...Array.from({ length: LOCK_VIEWERS }, () => get(edgePart)),
    ]);
    for (const v of viewers) if (v.status === 200) extra.push(v.at - reference.at);
  }
  const parts = delta(await playbackCounts(originUrl), before).get('part') ?? 0;
  extra.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(26)} extra delay p50 ${ms(percentile(extra, 50))}, p95 ${ms(percentile(extra, 95))}, ` +
      `max ${ms(extra[extra.length - 1] ?? NaN)}; origin part requests per part ${((parts - LOCK_PARTS) / LOCK_PARTS).toFixed(2)} ` +
      `(${LOCK_VIEWERS} waiting viewers, ${LOCK_PARTS} parts)`,
  );
}

interface ScaleResult {
  originRps: number;
  byKind: string;
  originCpuPct: number;
  edgeCpuMsPerViewerS: number;
  edgeCpuPct: number;
  /** The viewer simulator's processes: near 100% per CPU given to them means the generator, not the servers, is the limit. */
  simulatorCpuPct: number;
  p95DelayMs: number;
  stalls: number;
  failures: number;
  failureSamples: string[];
  viewerCount: number;
}

/** Phase 2: `count` viewers of `playbackUrl` for SECONDS, parts timed against a direct reference follower. */
async function scale(
  count: number,
  playbackUrl: string,
  origin: { url: string; pid: number; port: number },
  channelArn: string,
  edge?: Edge,
): Promise<ScaleResult> {
  const published = new Map<string, number>();
  const reference = startViewers({
    playbackUrl: `${origin.url}${new URL(playbackUrl).pathname}`,
    count: 1,
    received: (_v, name, at) => published.set(name, performance.timeOrigin + at),
  });
  let failures = 0;
  const failureSamples: string[] = [];
  const arrivals: { name: string; at: number }[] = [];
  const lastAt = new Map<number, number>();
  let stalls = 0;
  const viewers = startViewerPool({
    playbackUrl,
    count,
    processes: SIM_PROCESSES,
    cpus: pinning ? SIM_CPUS : undefined,
    rampMs: 5000,
    // One address per viewer (32 per /24): the origin's per-address viewer-counting bounds see distinct viewers.
    distinctAddresses: true,
    received: (v, name, at) => {
      if (!name.includes('.')) return;
      const last = lastAt.get(v);
      if (last !== undefined && at - last > STALL_MS) stalls++;
      lastAt.set(v, at);
      arrivals.push({ name, at });
    },
    nodeArgs: process.env.BENCH_SIM_NODE_ARGS?.split(' ').filter(Boolean),
    failed: (n, samples) => {
      failures += n;
      if (failureSamples.length < 5) failureSamples.push(...samples);
    },
  });
  await sleep(8000); // ramp-up and the first parts
  arrivals.length = 0;
  stalls = 0;
  const counts0 = await playbackCounts(origin.url);
  const cpu0 = cpuSeconds(origin.pid);
  const edgeCpu0 = edge ? treeCpu(edge.pid) : 0;
  const simCpu = () => viewers.pids.reduce((total, pid) => total + cpuSeconds(pid), 0);
  const simCpu0 = simCpu();
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const elapsed = (performance.now() - t0) / 1000;
  const requests = delta(await playbackCounts(origin.url), counts0);
  const originCpu = cpuSeconds(origin.pid) - cpu0;
  const edgeCpu = edge ? treeCpu(edge.pid) - edgeCpu0 : 0;
  const simulatorCpu = simCpu() - simCpu0;
  const stream = (await call(origin.port, 'GetStream', { channelArn })) as { stream?: { viewerCount?: number } };
  await viewers.stop();
  await reference.stop();
  const delays = arrivals
    .map((a) => (published.has(a.name) ? a.at - published.get(a.name)! : NaN))
    .filter((d) => !Number.isNaN(d))
    .sort((a, b) => a - b);
  return {
    originRps: sum(requests) / elapsed,
    byKind: [...requests].map(([k, v]) => `${k} ${(v / elapsed).toFixed(1)}`).join(', '),
    originCpuPct: (originCpu / elapsed) * 100,
    edgeCpuMsPerViewerS: (edgeCpu * 1000) / elapsed / count,
    edgeCpuPct: (edgeCpu / elapsed) * 100,
    simulatorCpuPct: (simulatorCpu / elapsed) * 100,
    p95DelayMs: percentile(delays, 95),
    stalls,
    failures,
    failureSamples: failureSamples.slice(0, 5),
    viewerCount: stream.stream?.viewerCount ?? -1,
  };
}

/** Waits (up to 100 s) until GetStream counts no viewer: the sessions of the phase before have left. */
async function viewersGone(port: number, channelArn: string): Promise<void> {
  const started = Date.now();
  let count = -1;
  while (Date.now() - started < 100_000) {
    const stream = (await call(port, 'GetStream', { channelArn })) as { stream?: { viewerCount?: number } };
    count = stream.stream?.viewerCount ?? 0;
    if (count === 0) break;
    await sleep(2_000);
  }
  console.log(
    `  (waited ${((Date.now() - started) / 1000).toFixed(0)} s for the viewers of the phase before to leave: ${count} left)`,
  );
}

function report(label: string, count: number, r: ScaleResult): void {
  console.log(
    `${label.padEnd(8)} ${String(count).padStart(5)} viewers: origin ${r.originRps.toFixed(1)} req/s (${r.byKind}), ` +
      `origin CPU ${r.originCpuPct.toFixed(0)}%, edge CPU ${r.edgeCpuPct.toFixed(0)}% (${r.edgeCpuMsPerViewerS.toFixed(2)} ms/s per viewer), ` +
      `simulator CPU ${r.simulatorCpuPct.toFixed(0)}%, ` +
      `p95 part delay ${ms(r.p95DelayMs)}, stalls ${r.stalls}, failures ${r.failures}, viewerCount ${r.viewerCount}`,
  );
  for (const sample of r.failureSamples) console.log(`  failed: ${sample}`);
}

async function partTargetMs(multivariantUrl: string): Promise<number> {
  const media = await variantUrl(multivariantUrl);
  const target = parseMedia((await get(media)).body.toString('utf8'), media).partTarget;
  if (target === undefined) throw new Error('no EXT-X-PART-INF: is the channel LOW?');
  return target * 1000;
}

/** The targets for this run; origin load flat in the viewer count is read across runs of different sizes. */
function verdict(edge: ScaleResult, direct: ScaleResult, partMs: number): void {
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const extra = edge.p95DelayMs - direct.p95DelayMs;
  console.log(
    `p95 part delay through the edge ${ms(edge.p95DelayMs)} vs direct ${ms(direct.p95DelayMs)} (${extra >= 0 ? '+' : ''}${ms(extra)}), ` +
      `target within one part (${ms(partMs)}): ${met(extra <= partMs)}; stalls through the edge ${edge.stalls}, ` +
      `target 0: ${met(edge.stalls === 0)}; viewerCount through the edge ${edge.viewerCount} of ${VIEWERS} (+1 ` +
      `reference), target within 5%: ${met(Math.abs(edge.viewerCount - 1 - VIEWERS) <= VIEWERS * 0.05)}`,
  );
  const simulatorCpus = Math.min(SIM_PROCESSES, pinning ? CPUS - 1 : CPUS);
  const busiest = Math.max(edge.simulatorCpuPct, direct.simulatorCpuPct) / simulatorCpus;
  if (busiest >= 95) {
    console.log(
      `the simulator kept its CPUs ${busiest.toFixed(0)}% busy: the load generator, not the servers, was the ` +
        'limit of this run (BENCH_VIEWERS lower, or more CPUs for it)',
    );
  }
}

async function main(): Promise<void> {
  const dir = removeOnExit(mkdtempSync(join(tmpdir(), 'openivs-bench-edge-')));
  const clip = await makeClip(dir, 20, { zerolatency: true });
  const edgePort = await freePort();
  const lockPort = await freePort();
  const origin = await startOpenivs(join(dir, 'data'), [
    '--viewer-address-header',
    'x-viewer-address',
    '--playback-base-url',
    `http://127.0.0.1:${edgePort}`,
  ]);
  const varnish = await startVarnish(edgePort, [origin.port]);
  const nginx = await startNginxCache(lockPort, [origin.port], true);
  const created = (await call(origin.port, 'CreateChannel', {
    name: 'edge',
    type: 'BASIC',
    latencyMode: 'LOW',
    insecureIngest: true,
  })) as { channel: { arn: string; playbackUrl: string }; streamKey: { value: string } };
  const publisher = startPublisher(clip, `rtmp://127.0.0.1:${origin.rtmpPort}/app/${created.streamKey.value}`);
  pinServers([origin.proc.pid!, varnish.pid, nginx.pid, publisher.child.pid!]);
  try {
    const playbackUrl = created.channel.playbackUrl;
    const path = new URL(playbackUrl).pathname;
    for (let i = 0; i < 80 && (await get(`${origin.url}${path}`)).status !== 200; i++) await sleep(250);
    await sleep(3000);
    console.log(
      `bench:edge — one 720p LOW TS channel (${clip.kbps.toFixed(0)} kbit/s), origin pid ${origin.proc.pid}; ` +
        (pinning
          ? `servers (openivs, edges, publisher) on CPU 0, ${SIM_PROCESSES} simulator process(es) on CPU ${SIM_CPUS}`
          : `${SIM_PROCESSES} simulator process(es), no pinning`),
    );
    await waitingViewers('Varnish (shipped edge)', origin.url, `http://127.0.0.1:${edgePort}`, path);
    await waitingViewers('nginx proxy_cache_lock', origin.url, `http://127.0.0.1:${lockPort}`, path);
    const target = { url: origin.url, pid: origin.proc.pid!, port: origin.port };
    // A phase's sessions count for about a minute after their last request: the direct phase starts once the edge
    // phase's have left, so each phase's viewerCount is its own.
    const edge = await scale(VIEWERS, playbackUrl, target, created.channel.arn, varnish);
    report('edge', VIEWERS, edge);
    await viewersGone(origin.port, created.channel.arn);
    const direct = await scale(VIEWERS, `${origin.url}${path}`, target, created.channel.arn);
    report('direct', VIEWERS, direct);
    verdict(edge, direct, await partTargetMs(`${origin.url}${path}`));
  } finally {
    await stopPublishers([publisher]);
    await nginx.stop();
    await varnish.stop();
    await origin.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
