// bench:record — what auto-record costs. One openivs process records to s3rver (an S3-compatible endpoint
// started in this process). Three phases with N real-time BASIC publishers of the same 720p clip each:
//   A1: N channels without a recording configuration   B: N channels recording to S3   A2: A1 again.
// Per phase, over the window after the ramp: openivs CPU (% of a core) from /proc/<pid>/stat, with and without
// the ffmpeg children it ran and reaped (thumbnails). The baseline is the mean of A1 and A2, so drift (JIT
// warm-up, a noisy neighbour) shows as their difference. After B: seconds from the publishers' stop to
// events/recording-ended.json in the bucket, per recording.
// Targets (issue 6): recording adds < 20% CPU per stream; recording-ended.json < 10 s after the broadcast ends.
// Env: BENCH_STREAMS (4), BENCH_DURATION (60 s window per phase: one thumbnail per stream at the default interval), BENCH_RAMP (8 s), BENCH_STORAGE (s3 | local: record to
// the data directory instead, which separates the cost of the recorder's own work from the S3 uploads).

import { existsSync, readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRunning, makeClip, startPublisher, stopPublishers, type Clip } from './lib/media.js';
import { freePort, killOnExit, removeOnExit, sleep, startNode, stopProcess, waitForHttp, type GroupChild } from './lib/processes.js';
import { call } from './lib/signing.js';
import { startS3, type TestS3 } from '../test/helpers/s3.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const STREAMS = Number(process.env.BENCH_STREAMS ?? 4);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 60);
const RAMP_S = Number(process.env.BENCH_RAMP ?? 8);
const BUCKET = 'bench-recordings';
const CPU_TARGET = 0.2;
const END_TARGET_S = 10;
const END_DEADLINE_MS = 60_000;
const STORAGE = process.env.BENCH_STORAGE === 'local' ? 'local' : 's3';

interface Channel { arn: string; id: string; key: string }
interface Phase { name: string; cpu: number; cpuWithChildren: number; system: number; alive: number }

/** CPU seconds of a live process: [own utime+stime, plus cutime+cstime of its reaped children, own stime]. */
function cpuSeconds(pid: number): [number, number, number] {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ').map(Number);
  const own = f[11]! + f[12]!;
  return [own / 100, (own + f[13]! + f[14]!) / 100, f[12]! / 100];
}

async function runPhase(name: string, pid: number, rtmpPort: number, channels: Channel[], clip: Clip): Promise<{ phase: Phase; publishers: GroupChild[] }> {
  const publishers = channels.map((c) => startPublisher(clip, `rtmp://127.0.0.1:${rtmpPort}/app/${c.key}`));
  await sleep(RAMP_S * 1000);
  const [own0, all0, sys0] = cpuSeconds(pid);
  const t0 = process.hrtime.bigint();
  await sleep(DURATION_S * 1000);
  const [own1, all1, sys1] = cpuSeconds(pid);
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const alive = publishers.filter(isRunning).length;
  return {
    phase: { name, cpu: (100 * (own1 - own0)) / elapsed, cpuWithChildren: (100 * (all1 - all0)) / elapsed,
      system: (100 * (sys1 - sys0)) / elapsed, alive },
    publishers,
  };
}

/** Seconds from `since` until each channel's recording-ended.json is in the bucket (undefined: not within the deadline). */
/** Every object key of the bucket under ivs/v1/, from S3 or from the local recordings directory. */
type KeyLister = () => Promise<string[]>;

function keyLister(s3: TestS3, dataDir: string): KeyLister {
  if (STORAGE === 's3') return () => s3.listKeys(BUCKET, 'ivs/v1/');
  const root = join(dataDir, 'recordings', BUCKET);
  return async () => (existsSync(root) ? readdirSync(root, { recursive: true, withFileTypes: true }) : [])
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'))
    .filter((k) => k.startsWith('ivs/v1/'));
}

async function endLatencies(listKeys: KeyLister, channels: Channel[], since: number): Promise<(number | undefined)[]> {
  const found = new Map<string, number>();
  const deadline = Date.now() + END_DEADLINE_MS;
  while (found.size < channels.length && Date.now() < deadline) {
    const keys = await listKeys().catch(() => [] as string[]);
    const now = Date.now();
    for (const c of channels) {
      if (!found.has(c.id) && keys.some((k) => k.includes(`/${c.id}/`) && k.endsWith('/events/recording-ended.json'))) {
        found.set(c.id, (now - since) / 1000);
      }
    }
    await sleep(100);
  }
  return channels.map((c) => found.get(c.id));
}

async function createChannels(port: number, prefix: string, recordingConfigurationArn?: string): Promise<Channel[]> {
  const out: Channel[] = [];
  for (let i = 0; i < STREAMS; i++) {
    const res = (await call(port, 'CreateChannel', {
      name: `${prefix}-${i}`, type: 'BASIC', insecureIngest: true, ...(recordingConfigurationArn ? { recordingConfigurationArn } : {}),
    })) as { channel: { arn: string }; streamKey: { value: string } };
    out.push({ arn: res.channel.arn, id: res.channel.arn.split('/').pop()!, key: res.streamKey.value });
  }
  return out;
}

async function activeRecordingConfiguration(port: number): Promise<string> {
  const res = (await call(port, 'CreateRecordingConfiguration', {
    name: 'bench', destinationConfiguration: { s3: { bucketName: BUCKET } },
  })) as { recordingConfiguration: { arn: string } };
  const arn = res.recordingConfiguration.arn;
  for (let i = 0; i < 100; i++) {
    const got = (await call(port, 'GetRecordingConfiguration', { arn })) as { recordingConfiguration: { state: string } };
    if (got.recordingConfiguration.state === 'ACTIVE') return arn;
    if (got.recordingConfiguration.state === 'CREATE_FAILED') throw new Error('recording configuration CREATE_FAILED');
    await sleep(100);
  }
  throw new Error('recording configuration did not become ACTIVE');
}

function report(phases: Phase[], latencies: (number | undefined)[]): void {
  const [a1, b, a2] = phases as [Phase, Phase, Phase];
  console.log('phase                 | CPU (process)          | of which kernel | CPU incl. reaped ffmpeg | publishers alive');
  console.log('----------------------|------------------------|-----------------|-------------------------|-----------------');
  for (const p of phases) {
    console.log(`${p.name.padEnd(21)} | ${`${p.cpu.toFixed(1)}% core (${(p.cpu / STREAMS).toFixed(2)}/stream)`.padEnd(22)} | `
      + `${`${p.system.toFixed(1)}% core`.padEnd(15)} | ${`${p.cpuWithChildren.toFixed(1)}% core`.padEnd(23)} | ${p.alive}/${STREAMS}`);
  }
  const base = (a1.cpu + a2.cpu) / 2;
  const baseAll = (a1.cpuWithChildren + a2.cpuWithChildren) / 2;
  const extra = (b.cpu - base) / base;
  const extraAll = (b.cpuWithChildren - baseAll) / baseAll;
  console.log('');
  console.log(`baseline drift A1→A2: ${(((a2.cpu - a1.cpu) / a1.cpu) * 100).toFixed(0)}%`);
  console.log(`recording adds ${(extra * 100).toFixed(1)}% CPU per stream (process; ${((b.cpu - base) / STREAMS).toFixed(2)}% of a core `
    + `per stream), ${(extraAll * 100).toFixed(1)}% with thumbnail ffmpeg `
    + `(target < ${CPU_TARGET * 100}%) — ${extraAll < CPU_TARGET ? 'met' : 'NOT met'}`);
  const got = latencies.filter((l): l is number => l !== undefined).sort((x, y) => x - y);
  const missing = latencies.length - got.length;
  const max = got[got.length - 1];
  console.log(`broadcast end → recording-ended.json: ${got.map((l) => l.toFixed(2)).join(', ')} s`
    + `${missing > 0 ? ` (${missing} missing after ${END_DEADLINE_MS / 1000} s)` : ''}; max ${max?.toFixed(2) ?? 'n/a'} s `
    + `(target < ${END_TARGET_S} s) — ${missing === 0 && max !== undefined && max < END_TARGET_S ? 'met' : 'NOT met'}`);
}

async function main(): Promise<void> {
  const dir = removeOnExit(mkdtempSync(join(tmpdir(), 'openivs-bench-record-')));
  const s3 = await startS3({ buckets: [BUCKET] });
  const dataDir = join(dir, 'data');
  const listKeys = keyLister(s3, dataDir);
  const [port, rtmpPort] = [await freePort(), await freePort()];
  const quota = String(3 * STREAMS + 10);
  const server = killOnExit(startNode(join(here, '../src/main.js'), [
    'start', '--http-port', String(port), '--rtmp-port', String(rtmpPort), '--srt-port', 'off', '--data-dir', dataDir,
    '--bind', '127.0.0.1', '--host', '127.0.0.1', '--log-level', 'warn', '--allow-insecure-ingest',
    ...(STORAGE === 's3' ? s3.serverArgs : []),
  ], { ...(STORAGE === 's3' ? s3.serverEnv : {}), OPENIVS_QUOTA_CHANNELS: quota, OPENIVS_QUOTA_CONCURRENT_BROADCASTS: quota }));
  try {
    const clip = await makeClip(dir);
    await waitForHttp(`http://127.0.0.1:${port}/_openivs/health`);
    console.log(`clip: 1280x720 30 fps H.264 2500k + AAC, ${clip.kbps.toFixed(0)} kbit/s; ${STREAMS} BASIC publishers per phase, `
      + `${RAMP_S} s ramp, ${DURATION_S} s window; recordings to ${STORAGE === 's3' ? 's3rver (in the bench process)' : 'local disk'} `
      + "with IVS's default settings");
    const rc = await activeRecordingConfiguration(port);
    const plain1 = await createChannels(port, 'plain-a');
    const recorded = await createChannels(port, 'recorded', rc);
    const plain2 = await createChannels(port, 'plain-b');
    const phases: Phase[] = [];

    let run = await runPhase('A1 not recorded', server.pid!, rtmpPort, plain1, clip);
    await stopPublishers(run.publishers);
    phases.push(run.phase);

    run = await runPhase(`B  recorded (${STORAGE})`, server.pid!, rtmpPort, recorded, clip);
    const ended = Date.now();
    await stopPublishers(run.publishers);
    phases.push(run.phase);
    const latencies = await endLatencies(listKeys, recorded, ended);
    const late = recorded.find((_, i) => latencies[i] === undefined);
    if (late) {
      const keys = (await listKeys()).filter((k) => k.includes(`/${late.id}/`));
      console.log(`no recording-ended.json for channel ${late.id}; its objects: ${keys.join(', ') || 'none'}`);
    }

    run = await runPhase('A2 not recorded', server.pid!, rtmpPort, plain2, clip);
    await stopPublishers(run.publishers);
    phases.push(run.phase);

    const objects = await listKeys();
    console.log(`bucket: ${objects.length} objects (${objects.filter((k) => k.endsWith('.ts')).length} segments, `
      + `${objects.filter((k) => k.endsWith('.jpg')).length} thumbnails)`);
    console.log('');
    report(phases, latencies);
  } finally {
    await stopProcess(server);
    await s3.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
