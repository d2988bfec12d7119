// bench:cluster — openivs on PostgreSQL and as a cluster, each figure beside its peer from the same run:
//  1. GetChannel (signed, 32 connections, autocannon): a node on SQLite versus a node on PostgreSQL.
//  2. Playback through a node that does not own the stream versus the owner: requests/s of one segment (32
//     connections), and LL-HLS blocking reloads of the next part sent to both at once: how much later the
//     non-owner answers than the owner (p50, p99) and its p99 answer time.
//  2b. PutMetadata sent to the owner versus to a non-owner (forwarded): from the API response to the LL-HLS part
//     carrying the tag being listed (target for the non-owner: p95 ≤ one part + 100 ms, as on one node).
//  3. Failover: kill -9 of the owner during a broadcast; time until a republish (retried every 0.5 s) to a
//     surviving node plays at the same playback path.
// Needs ffmpeg and Debian's postgresql (a throwaway server is started; or BENCH_DATABASE_URL).

import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRunning, makeClip, startPublisher, stopPublishers } from './lib/media.js';
import { measureMetadataLatency } from './lib/metadata-latency.js';
import { startBenchPostgres } from './lib/postgres.js';
import { freePort } from '../devtools/server.js';
import { percentile, sleep, startNode, stopProcess, waitForHttp } from './lib/processes.js';
import { call, signedPost } from './lib/signing.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const RELOADS = Number(process.env.BENCH_RELOADS ?? 40);
const METADATA_CALLS = Number(process.env.BENCH_METADATA_CALLS ?? 20);
const SECRET = 'bench-cluster-secret-0123456789abcdef';

interface Node {
  proc: ChildProcess;
  port: number;
  rtmpPort: number;
}

async function startOpenivs(dir: string, env: Record<string, string>): Promise<Node> {
  const [port, rtmpPort] = [await freePort(), await freePort()];
  const proc = startNode(
    join(here, '../src/main.js'),
    [
      'start',
      '--http-port',
      String(port),
      '--rtmp-port',
      String(rtmpPort),
      '--data-dir',
      dir,
      '--bind',
      '127.0.0.1',
      '--host',
      '127.0.0.1',
      '--log-level',
      'error',
      '--allow-insecure-ingest',
      '--srt-port',
      'off', // three nodes on one machine cannot share UDP 9000
    ],
    env,
  );
  await waitForHttp(`http://127.0.0.1:${port}/_openivs/health`);
  return { proc, port, rtmpPort };
}

async function rate(url: string, opts: Partial<autocannon.Options>): Promise<{ rps: number; p99: number; non2xx: number }> {
  const r = await autocannon({ connections: 32, duration: DURATION_S, ...opts, url });
  return { rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx + r.errors };
}

const fmt = (r: { rps: number; p99: number; non2xx: number }) =>
  `${r.rps.toFixed(0).padStart(7)} req/s  p99 ${r.p99} ms  errors/non-2xx ${r.non2xx}`;

/** The next LL-HLS part of a media playlist: the in-progress segment's number and its next part index. */
function nextPart(text: string): { msn: number; part: number } {
  const base = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1] ?? 0);
  let segments = 0;
  let parts = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#EXTINF')) {
      segments++;
      parts = 0;
    } else if (line.startsWith('#EXT-X-PART:')) parts++;
  }
  return { msn: base + segments, part: parts };
}

async function timed(url: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'openivs-bench-cluster-'));
  const pg = await startBenchPostgres();
  const env = { OPENIVS_DATABASE_URL: pg.url, OPENIVS_CLUSTER_SECRET: SECRET };
  const nodes: Node[] = [];
  const publishers: ReturnType<typeof startPublisher>[] = [];
  try {
    const sqlite = await startOpenivs(join(dir, 'sqlite'), {});
    nodes.push(sqlite);
    const a = await startOpenivs(join(dir, 'a'), env);
    nodes.push(a);
    const b = await startOpenivs(join(dir, 'b'), env);
    nodes.push(b);

    console.log(`GetChannel, 32 connections, ${DURATION_S} s each`);
    for (const [name, node] of [
      ['SQLite', sqlite],
      ['PostgreSQL', a],
    ] as const) {
      const arn = ((await call(node.port, 'CreateChannel', { name: 'bench' })) as { channel: { arn: string } }).channel.arn;
      const req = await signedPost(node.port, 'GetChannel', { arn });
      const result = await rate(`http://127.0.0.1:${node.port}`, {
        requests: [{ method: 'POST', path: req.path, headers: req.headers, body: req.body }],
      });
      console.log(`  ${name.padEnd(11)} ${fmt(result)}`);
    }

    const clip = await makeClip(dir, 20, { width: 1280, height: 720, videoKbps: 2500, zerolatency: true });
    const created = (await call(a.port, 'CreateChannel', { name: 'live', latencyMode: 'LOW' })) as {
      channel: { arn: string; playbackUrl: string };
      streamKey: { value: string };
    };
    const path = new URL(created.channel.playbackUrl).pathname;
    publishers.push(startPublisher(clip, `rtmp://127.0.0.1:${a.rtmpPort}/app/${created.streamKey.value}`));
    const on = (node: Node, p: string) => `http://127.0.0.1:${node.port}${p}`;
    await waitFor(on(a, path), 30_000);
    await waitFor(on(b, path), 10_000);
    const master = await (await fetch(on(a, path))).text();
    const variant = master.split('\n').find((l) => l !== '' && !l.startsWith('#'))!;
    const mediaPath = new URL(variant, on(a, path)).pathname;
    const media = await (await fetch(on(a, mediaPath))).text();
    const segment = media
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .at(-1)!;
    const segmentPath = new URL(segment, on(a, mediaPath)).pathname;
    console.log(`One segment (${segmentPath.split('/').slice(-2).join('/')}), 32 connections, ${DURATION_S} s each`);
    console.log(`  owner       ${fmt(await rate(on(a, segmentPath), {}))}`);
    console.log(`  non-owner   ${fmt(await rate(on(b, segmentPath), {}))}`);

    const lag: number[] = [];
    const nonOwner: number[] = [];
    for (let i = 0; i < RELOADS; i++) {
      const { msn, part } = nextPart(await (await fetch(on(a, mediaPath))).text());
      const q = `${mediaPath}?_HLS_msn=${msn}&_HLS_part=${part}`;
      const [ta, tb] = await Promise.all([timed(on(a, q)), timed(on(b, q))]);
      lag.push(tb - ta);
      nonOwner.push(tb);
    }
    lag.sort((x, y) => x - y);
    nonOwner.sort((x, y) => x - y);
    console.log(`LL-HLS blocking reload of the next part, ${RELOADS} times, sent to owner and non-owner at once`);
    console.log(
      `  non-owner answers later by p50 ${percentile(lag, 50).toFixed(1)} ms, p99 ${percentile(lag, 99).toFixed(1)} ms` +
        ` (non-owner answer time p99 ${percentile(nonOwner, 99).toFixed(0)} ms, mostly the wait for the part)`,
    );

    console.log(`PutMetadata → part listed with the tag (followed on the owner), ${METADATA_CALLS} calls each`);
    for (const [name, node] of [
      ['owner', a],
      ['non-owner', b],
    ] as const) {
      const m = await measureMetadataLatency(on(a, mediaPath), METADATA_CALLS, `bench:cluster ${name}`, (text) =>
        call(node.port, 'PutMetadata', { channelArn: created.channel.arn, metadata: text }).then(() => undefined),
      );
      const p95 = percentile(m.latencies, 95);
      const met = m.latencies.length === m.calls && p95 <= m.partMs + 100;
      console.log(
        `  ${name.padEnd(11)} found ${m.latencies.length}/${m.calls}  p50 ${percentile(m.latencies, 50).toFixed(0)} ms  ` +
          `p95 ${p95.toFixed(0)} ms  max ${m.latencies.at(-1)?.toFixed(0)} ms  (part ${m.partMs.toFixed(0)} ms; ` +
          `target p95 ≤ part + 100 ms: ${met ? 'met' : 'NOT met'})`,
      );
    }

    a.proc.kill('SIGKILL');
    const killedAt = performance.now();
    await stopPublishers(publishers.splice(0));
    let playing = false;
    while (!playing && performance.now() - killedAt < 60_000) {
      // Refused while the dead owner's lease stands (ffmpeg exits at once); once accepted, wait for it to play.
      const pub = startPublisher(clip, `rtmp://127.0.0.1:${b.rtmpPort}/app/${created.streamKey.value}`);
      publishers.push(pub);
      await sleep(500);
      while (isRunning(pub) && !playing && performance.now() - killedAt < 60_000) {
        playing =
          (await fetch(on(b, path))
            .then((r) => (r.arrayBuffer(), r.status))
            .catch(() => 0)) === 200;
        if (!playing) await sleep(100);
      }
      if (!playing) await stopPublishers(publishers.splice(0));
    }
    console.log(
      `Failover: kill -9 of the owner → the republished stream plays at the same path on a survivor: ` +
        (playing ? `${((performance.now() - killedAt) / 1000).toFixed(1)} s` : 'not within 60 s'),
    );
  } finally {
    await stopPublishers(publishers);
    for (const n of nodes) await stopProcess(n.proc);
    pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(url)
      .then((r) => (r.arrayBuffer(), r.status))
      .catch(() => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${url} did not play within ${timeoutMs} ms`);
    await sleep(250);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
