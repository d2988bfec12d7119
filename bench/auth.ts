// bench:auth — issue 5's two measurable targets, against a real openivs process with ffmpeg publishing:
//  (a) multivariant-playlist requests/s of a private channel (authorized: true) with a valid ES384 token minted with
//      jose (the same token on every request, no single-use uuid), beside the same channel made public
//      (UpdateChannel authorized: false, then a new broadcast) in the same run, in ABBA order; 32 connections
//      (autocannon). Target: private ≥ 70% of public. Server CPU per request is printed too: on a loaded machine
//      it varies less than requests/s.
//  (b) timed-metadata latency on a BASIC LOW channel: from PutMetadata's HTTP response to the LL-HLS part carrying the
//      tag being listed, followed with blocking reloads (_HLS_msn/_HLS_part) like a low-latency player; each new part
//      is fetched and its ID3 found with @svta/cml-id3 (via the tests' TS demuxer). ~20 calls at random phases.
//      Target: p95 ≤ one part duration.
// Env: BENCH_DURATION (10 s per load run), BENCH_METADATA_CALLS (20).

import autocannon from 'autocannon';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { firstVariantUrl, makeClip, startPublisher, stopPublishers, type Clip } from './lib/media.js';
import { measureMetadataLatency } from './lib/metadata-latency.js';
import { cpuSeconds, percentile, removeOnExit, sleep, startOpenivs, type GroupChild } from './lib/processes.js';
import { call } from './lib/signing.js';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const METADATA_CALLS = Number(process.env.BENCH_METADATA_CALLS ?? 20);
const TARGET = 0.7;

interface Created {
  channel: { arn: string; playbackUrl: string };
  streamKey: { value: string };
}
interface LoadResult {
  rps: number;
  seconds: number;
  p50: number;
  p99: number;
  bad: number;
  cpu: number;
}

async function load(url: string, pid: number, durationS: number): Promise<LoadResult> {
  const cpu0 = cpuSeconds(pid);
  const r = await autocannon({ url, connections: 32, pipelining: 1, duration: durationS });
  return {
    rps: r.requests.total / r.duration,
    seconds: r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    bad: r.non2xx + r.errors + r.timeouts,
    cpu: cpuSeconds(pid) - cpu0,
  };
}

const fmt = (r: LoadResult) =>
  `${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  ` +
  `server CPU ${r.cpu.toFixed(1)} s  non-2xx/errors ${r.bad}`;

async function status(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, text: await res.text() };
}

/** Polls until `url` answers `want`; returns the last answer either way (callers report a refusal). */
async function waitForStatus(url: string, want: number, timeoutMs = 30_000): Promise<{ status: number; text: string }> {
  let last = { status: 0, text: '' };
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(250)) {
    last = await status(url).catch(() => last);
    if (last.status === want) break;
  }
  return last;
}

/** Sums load runs of one mode: requests/s over all of them, server CPU per request, worst p99, bad answers. */
function total(runs: LoadResult[]): LoadResult & { cpuPerReqUs: number } {
  const requests = runs.reduce((n, r) => n + r.rps * r.seconds, 0);
  const seconds = runs.reduce((n, r) => n + r.seconds, 0);
  const cpu = runs.reduce((n, r) => n + r.cpu, 0);
  return {
    rps: requests / seconds,
    seconds,
    cpu,
    p50: Math.max(...runs.map((r) => r.p50)),
    p99: Math.max(...runs.map((r) => r.p99)),
    bad: runs.reduce((n, r) => n + r.bad, 0),
    cpuPerReqUs: (1e6 * cpu) / requests,
  };
}

/**
 * Private (with token) and public runs of the same channel in the order private, public, public, private (ABBA, so
 * a drift in the machine's load hits both alike). Authorization is part of a broadcast's channel snapshot, so each
 * switch is UpdateChannel with the publisher reconnected.
 */
async function privateVsPublic(
  port: number,
  rtmpPort: number,
  pid: number,
  clip: Clip,
  publishers: GroupChild[],
): Promise<number | undefined> {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  await call(port, 'ImportPlaybackKeyPair', {
    publicKeyMaterial: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });
  const c = (await call(port, 'CreateChannel', {
    name: 'auth',
    type: 'BASIC',
    insecureIngest: true,
    authorized: true,
  })) as Created;
  const ingest = `rtmp://127.0.0.1:${rtmpPort}/app/${c.streamKey.value}`;
  const token = await new SignJWT({ 'aws:channel-arn': c.channel.arn })
    .setProtectedHeader({ alg: 'ES384', typ: 'JWT' })
    .setExpirationTime('1h')
    .sign(keys.privateKey);
  const urls = { private: `${c.channel.playbackUrl}?token=${token}`, public: c.channel.playbackUrl };
  let publisher = startPublisher(clip, ingest);
  publishers.push(publisher);
  let mode: 'private' | 'public' = 'private';
  const live = await waitForStatus(urls.private, 200);
  if (live.status !== 200) {
    console.log(
      `(a) skipped: the private channel's multivariant playlist answers ${live.status} with a valid token: ${live.text.slice(0, 200)}`,
    );
    return undefined;
  }
  const refused = await status(urls.public);
  console.log(
    `(a) multivariant playlist, one BASIC channel (${clip.kbps.toFixed(0)} kbit/s clip), 32 connections, runs of ${DURATION_S} s ` +
      `(each after a 2 s warm-up) private, public, public, private; without a token it answers ${refused.status}`,
  );
  const runs: Record<'private' | 'public', LoadResult[]> = { private: [], public: [] };
  for (const want of ['private', 'public', 'public', 'private'] as const) {
    if (want !== mode) {
      await stopPublishers([publisher]);
      await call(port, 'UpdateChannel', { arn: c.channel.arn, authorized: want === 'private' });
      publisher = startPublisher(clip, ingest);
      publishers.push(publisher);
      const up = await waitForStatus(urls[want], 200);
      if (up.status !== 200) throw new Error(`the ${want} channel answers ${up.status}: ${up.text.slice(0, 200)}`);
      mode = want;
    }
    await load(urls[want], pid, 2);
    runs[want].push(await load(urls[want], pid, DURATION_S));
  }
  await stopPublishers([publisher]);
  const [pub, priv] = [total(runs.public), total(runs.private)];
  const ratio = priv.rps / pub.rps;
  const line = (r: ReturnType<typeof total>) => `${fmt(r)}  (${r.cpuPerReqUs.toFixed(0)} µs CPU/request)`;
  console.log(`  public           ${line(pub)}`);
  console.log(`  private + token  ${line(priv)}`);
  console.log(
    `  ratio            ${(100 * ratio).toFixed(0)}% of public (target ≥ ${100 * TARGET}%) — ${ratio >= TARGET ? 'met' : 'NOT met'}; ` +
      `CPU-bound estimate ${((100 * pub.cpuPerReqUs) / priv.cpuPerReqUs).toFixed(0)}% (public ÷ private server CPU per request)`,
  );
  return ratio;
}

async function metadataLatency(port: number, rtmpPort: number, clip: Clip, publishers: GroupChild[]): Promise<boolean> {
  const c = (await call(port, 'CreateChannel', {
    name: 'meta',
    type: 'BASIC',
    latencyMode: 'LOW',
    insecureIngest: true,
  })) as Created;
  publishers.push(startPublisher(clip, `rtmp://127.0.0.1:${rtmpPort}/app/${c.streamKey.value}`));
  let mediaUrl: string | undefined;
  for (let deadline = Date.now() + 30_000; !mediaUrl && Date.now() < deadline; await sleep(250)) {
    mediaUrl = await firstVariantUrl(c.channel.playbackUrl).catch(() => undefined);
  }
  if (!mediaUrl) throw new Error('the LOW channel did not go live');
  await sleep(3000); // a few parts in, so the follower starts from a steady edge

  const { latencies, calls, partMs, partTarget } = await measureMetadataLatency(mediaUrl, METADATA_CALLS, 'bench:auth', (text) =>
    call(port, 'PutMetadata', { channelArn: c.channel.arn, metadata: text }).then(() => undefined),
  );
  console.log(
    `(b) PutMetadata response → LL-HLS part listed with the tag (BASIC LOW TS, blocking reloads), ${METADATA_CALLS} calls`,
  );
  console.log(
    `  found ${latencies.length}/${calls}  p50 ${percentile(latencies, 50).toFixed(0)} ms  p95 ${percentile(latencies, 95).toFixed(0)} ms  ` +
      `min ${latencies[0]?.toFixed(0)} ms  max ${latencies.at(-1)?.toFixed(0)} ms`,
  );
  const p95 = percentile(latencies, 95);
  const met = latencies.length === calls && p95 <= partMs;
  console.log(
    `  part duration: PART-TARGET ${(1000 * partTarget).toFixed(0)} ms, mean of the parts ` +
      `${partMs.toFixed(0)} ms — p95 ${met ? '≤' : '>'} one part (target ≤ one part duration) — ${met ? 'met' : 'NOT met'}`,
  );
  return met;
}

async function main(): Promise<void> {
  const dir = removeOnExit(mkdtempSync(join(tmpdir(), 'openivs-bench-auth-')));
  const server = await startOpenivs(join(dir, 'data'), ['--allow-insecure-ingest']);
  const { port, rtmpPort } = server;
  const publishers: GroupChild[] = [];
  try {
    const clip = await makeClip(dir, 20, { width: 640, height: 360, videoKbps: 1000, zerolatency: true });
    const ratio = await privateVsPublic(port, rtmpPort, server.proc.pid!, clip, publishers);
    const latencyMet = await metadataLatency(port, rtmpPort, clip, publishers);
    console.log(
      `summary: private multivariant ${ratio === undefined ? 'not measured' : `${(100 * ratio).toFixed(0)}% of public`}, ` +
        `metadata latency target ${latencyMet ? 'met' : 'NOT met'}`,
    );
  } finally {
    await stopPublishers(publishers);
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
