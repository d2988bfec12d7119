// bench:private — the cost of playback authorization: requests/s of a private channel next to a public one on the
// same server, both BASIC and live from the same clip, measured in the same run with 32 connections (autocannon):
//  (a) the multivariant playlist, the private one with the same ES384 token on every request (verified once, then
//      cached until its exp; origin, key existence and a fresh session credential still on every request);
//  (b) the media playlist, the private one behind its session credential (HMAC check, key and revocation caches).
// Target (issue 5): private ≥ 70% of public for both.
// Env: BENCH_DURATION (10 s per load run), BENCH_ROUNDS (2 alternating runs each, best kept).

import autocannon from 'autocannon';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { makeClip, startPublisher, stopPublishers } from './lib/media.js';
import { cpuSeconds, freePort, killOnExit, removeOnExit, sleep, startNode, stopProcess, waitForHttp, type GroupChild } from './lib/processes.js';
import { call } from './lib/signing.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const TARGET = 0.7;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

interface Created { channel: { arn: string; playbackUrl: string }; streamKey: { value: string } }

interface LoadResult { rps: number; non2xx: number; cpu: number }

async function load(url: string, pid: number, durationS: number): Promise<LoadResult> {
  const cpu0 = cpuSeconds(pid);
  const r = await autocannon({ url, connections: 32, pipelining: 1, duration: durationS });
  return { rps: r.requests.average, non2xx: r.non2xx + r.errors, cpu: cpuSeconds(pid) - cpu0 };
}

const perCpu = (r: LoadResult, durationS: number) => (r.rps * durationS) / Math.max(r.cpu, 0.001);

/**
 * Public and private runs alternate (ROUNDS each) and the best of each is kept: on a shared 2-core machine a
 * neighbour's burst otherwise decides the ratio. Requests per server CPU-second are printed as a second view.
 */
async function compare(title: string, publicUrl: string, privateUrl: string, pid: number): Promise<number> {
  await load(publicUrl, pid, 2);
  await load(privateUrl, pid, 2);
  let pub: LoadResult | undefined;
  let priv: LoadResult | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    const a = await load(publicUrl, pid, DURATION_S);
    const b = await load(privateUrl, pid, DURATION_S);
    if (!pub || a.rps > pub.rps) pub = a;
    if (!priv || b.rps > priv.rps) priv = b;
  }
  const ratio = priv!.rps / pub!.rps;
  const line = (r: LoadResult) => `${r.rps.toFixed(0).padStart(7)} req/s  ${perCpu(r, DURATION_S).toFixed(0).padStart(6)} req per server CPU-s  `
    + `non-2xx/errors ${r.non2xx}`;
  console.log(title);
  console.log(`  public   ${line(pub!)}`);
  console.log(`  private  ${line(priv!)}`);
  console.log(`  ratio    ${(100 * ratio).toFixed(0)}% of public req/s (target ≥ ${100 * TARGET}%) — ${ratio >= TARGET ? 'met' : 'NOT met'}; `
    + `${(100 * perCpu(priv!, DURATION_S) / perCpu(pub!, DURATION_S)).toFixed(0)}% per CPU-second`);
  return ratio;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  for (let deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(250)) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function firstMediaUrl(multivariantUrl: string): Promise<string | undefined> {
  const res = await fetch(multivariantUrl);
  if (res.status !== 200) return undefined;
  const uri = (await res.text()).split('\n').find((l) => l !== '' && !l.startsWith('#'));
  return uri ? new URL(uri, multivariantUrl).href : undefined;
}

async function main(): Promise<void> {
  const dir = removeOnExit(mkdtempSync(join(tmpdir(), 'openivs-bench-private-')));
  const [port, rtmpPort] = [await freePort(), await freePort()];
  const server = killOnExit(startNode(join(here, '../src/main.js'), [
    'start', '--http-port', String(port), '--rtmp-port', String(rtmpPort), '--data-dir', join(dir, 'data'),
    '--bind', '127.0.0.1', '--host', '127.0.0.1', '--log-level', 'warn', '--allow-insecure-ingest',
  ]));
  const publishers: GroupChild[] = [];
  try {
    const clip = await makeClip(dir, 20, { width: 640, height: 360, videoKbps: 1000 });
    await waitForHttp(`http://127.0.0.1:${port}/_openivs/health`);
    const keys = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    await call(port, 'ImportPlaybackKeyPair', { publicKeyMaterial: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    const open = (await call(port, 'CreateChannel', { name: 'public', type: 'BASIC', insecureIngest: true })) as Created;
    const closed = (await call(port, 'CreateChannel', { name: 'private', type: 'BASIC', insecureIngest: true, authorized: true })) as Created;
    for (const c of [open, closed]) publishers.push(startPublisher(clip, `rtmp://127.0.0.1:${rtmpPort}/app/${c.streamKey.value}`));
    const token = await new SignJWT({ 'aws:channel-arn': closed.channel.arn }).setProtectedHeader({ alg: 'ES384', typ: 'JWT' })
      .setExpirationTime('1h').sign(keys.privateKey);
    const privateMultivariant = `${closed.channel.playbackUrl}?token=${token}`;
    const publicMedia = await until('the public stream', () => firstMediaUrl(open.channel.playbackUrl));
    const privateMedia = await until('the private stream', () => firstMediaUrl(privateMultivariant));
    console.log(`two live BASIC LOW streams (${clip.kbps.toFixed(0)} kbit/s clip), 32 connections, best of ${ROUNDS} × ${DURATION_S} s runs`);
    const a = await compare('(a) multivariant playlist', open.channel.playbackUrl, privateMultivariant, server.pid!);
    const b = await compare('(b) media playlist', publicMedia, privateMedia, server.pid!);
    process.exitCode = a >= TARGET && b >= TARGET ? 0 : 1;
  } finally {
    await stopPublishers(publishers);
    await stopProcess(server);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
