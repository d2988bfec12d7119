// bench:record — what auto-record costs. Two identical openivs processes, X and Y, record to s3rver (an
// S3-compatible endpoint started in this process); each has N BASIC channels without a recording configuration and N
// recording to S3. In every phase both get N real-time publishers of the same 720p clip at the same time, one on its
// recorded channels, the other on its unrecorded ones, and the roles swap from phase to phase (X records in odd
// phases, Y in even ones). Per phase, over the same window after the ramp: each process's CPU (% of a core) and its
// kernel part from /proc/<pid>/stat; the phase's figure is (recording − not recording) / not recording. Drift of the
// machine (a noisy neighbour, frequency) hits both processes in the same window, so it cancels within a phase instead
// of swinging a baseline measured a minute earlier; a lasting difference between X and Y (core placement, heap
// layout) alternates in sign and cancels in the mean over an even number of phases (printed as "X − Y").
// The per-phase figures, their mean and their spread (min–max, sd) are printed.
// Thumbnails: a recording takes its first one at its first piece (inside the ramp), then one per 60 s of media (IVS's
// default interval), so the default window (8 s ramp + 60 s) holds each stream's second one (taken ~62 s after its
// publisher started) with its in-process cost: the request to the command helper that spawns ffmpeg (a spawn from
// the server itself cost ~30-40 ms of main-thread time, growing with its RSS), the piece's temp file, the JPEG's PUT. A window that misses it says
// so. The process figure includes the command helper that spawns ffmpeg (its own CPU); the ffmpeg children
// themselves (cutime+cstime of openivs and its helper) are read over the whole phase, up to its recordings' end, divided
// by the JPEGs stored in it, and counted at the default rate of one per stream per 60 s: "with thumbnail ffmpeg" =
// window CPU + that.
// The ramp's difference between the two processes is printed as "start cost per recording" (incl. its first thumbnail).
// Machine CPU (all cores, /proc/stat) and publishers alive per phase show whether anything starved.
// After each phase: seconds from the publishers' stop to each new events/recording-ended.json in the bucket.
// Targets: issue 17: recording adds ≤ 15% CPU per stream, judged on the process figure (without thumbnail ffmpeg);
// issue 6: < 20% on the figure with thumbnail ffmpeg, and recording-ended.json < 10 s after the broadcast ends.
// Env: BENCH_STREAMS (20 per process, so 2 × 20 publishers), BENCH_PHASES (6; even, so X and Y record equally often),
// BENCH_DURATION (60 s window per phase: a multiple of the 10 s recorded files, so every window holds the same
// uploads, and one thumbnail per stream), BENCH_RAMP (8 s), BENCH_STORAGE (s3 | local: record to the data directories
// instead, which separates the cost of the recorder's own work from the S3 uploads). BENCH_NODE_ARGS passes node flags
// to openivs (e.g. --cpu-prof).

import { existsSync, readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { isRunning, makeClip, startPublisher, stopPublishers, type Clip } from './lib/media.js';
import { removeOnExit, sleep, startOpenivs } from './lib/processes.js';
import { call } from './lib/signing.js';
import { startS3, type TestS3 } from '../devtools/s3.js';
import type { OpenivsServer } from '../devtools/server.js';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 20);
const PHASES = Number(process.env.BENCH_PHASES ?? 6);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 60);
const RAMP_S = Number(process.env.BENCH_RAMP ?? 8);
const BUCKET = 'bench-recordings';
/** IVS's default thumbnail interval (thumbnailConfiguration.targetIntervalSeconds), which the bench's configuration keeps. */
const THUMBNAIL_INTERVAL_S = 60;
const CPU_TARGET_17 = 0.15;
const CPU_TARGET_6 = 0.2;
const END_TARGET_S = 10;
const END_DEADLINE_MS = 60_000;
const STORAGE = process.env.BENCH_STORAGE === 'local' ? 'local' : 's3';
/** Whether the window holds each stream's second thumbnail, taken ~62 s after its publisher started (first piece + 60 s). */
const WINDOW_HOLDS_THUMBNAIL = RAMP_S < 60 && RAMP_S + DURATION_S > 66;

interface Channel {
  arn: string;
  id: string;
  key: string;
}
/** One openivs process under test, with its two sets of channels. */
interface Subject {
  name: string;
  server: OpenivsServer;
  dataDir: string;
  plain: Channel[];
  recorded: Channel[];
}
/** One process over one phase. */
interface Usage {
  name: string;
  /** Window: CPU and its kernel part, % of a core. */
  cpu: number;
  system: number;
  /** Ramp: CPU seconds from the publishers' start to the window. */
  rampCpuS: number;
  /** Reaped children's CPU seconds over the whole phase (up to the recordings' end). */
  childCpuS: number;
  alive: number;
}
interface Phase {
  n: number;
  rec: Usage;
  plain: Usage;
  /** JPEGs stored in the phase (all the recording process's). */
  thumbnails: number;
  /** Whole machine, % of all cores, over the window. */
  machine: number;
  /** Broadcast end → recording-ended.json per recording (undefined: not within the deadline). */
  latencies: (number | undefined)[];
}

/**
 * CPU seconds of an openivs process together with its command helper (the process that spawns the thumbnail ffmpeg
 * for it, command-runner.ts; its own CPU is part of what recording costs): [utime+stime, stime, cutime+cstime of
 * their reaped children, i.e. the ffmpeg runs].
 */
function cpuSeconds(pid: number): [number, number, number] {
  const sum: [number, number, number] = [0, 0, 0];
  for (const p of [pid, ...helperOf(pid)]) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    } catch {
      continue; // a helper that just exited
    }
    const f = stat.split(') ')[1]!.split(' ').map(Number);
    sum[0] += (f[11]! + f[12]!) / 100;
    sum[1] += f[12]! / 100;
    sum[2] += (f[13]! + f[14]!) / 100;
  }
  return sum;
}

/** The command helper found for each openivs pid: found once, looked for again only when it is gone. */
const helpers = new Map<number, number>();

/** `pid`'s command helper, if it has one now. Reads /proc only until it is found: s3rver, in this process, can hold
 * thousands of files open for a moment, and every extra open here is a chance of EMFILE. */
function helperOf(pid: number): number[] {
  const known = helpers.get(pid);
  if (known !== undefined && existsSync(`/proc/${known}/stat`)) return [known];
  let found: number[] = [];
  try {
    found = helperPids(pid);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EMFILE') throw err;
  }
  if (found[0] !== undefined) helpers.set(pid, found[0]);
  return found;
}

/** Live children of `pid` that are its command helper. */
function helperPids(pid: number): number[] {
  const out: number[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let children: string;
    try {
      children = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8');
    } catch {
      continue; // a thread that just ended
    }
    for (const child of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
      try {
        if (readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('command-runner-child')) out.push(child);
      } catch {
        // gone already
      }
    }
  }
  return out;
}

/** [busy, total] jiffies of all cores (busy: everything but idle and iowait). */
function machineJiffies(): [number, number] {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((s, x) => s + x, 0);
  return [total - f[3]! - f[4]!, total];
}

/** The object keys of the bucket under some channels' prefixes (ivs/v1/<account>/<channel id>/), from S3 or from the local recordings directories. */
type KeyLister = (channels: readonly Channel[]) => Promise<string[]>;

const prefixOf = (c: Channel) => `ivs/v1/${c.arn.split(':')[4]}/${c.id}/`;

function keyLister(s3: TestS3, dataDirs: string[]): KeyLister {
  if (STORAGE === 's3') {
    // Channel by channel: s3rver answers 500 to a listing's second page (over 1,000 keys). Two at a time: s3rver
    // opens every listed object's files at once, and 20 concurrent listings of a late phase held ~18,000 descriptors
    // in this process (its limit is 20,000).
    return async (channels) => {
      const keys: string[] = [];
      for (let i = 0; i < channels.length; i += 2) {
        const pair = channels.slice(i, i + 2).map((c) => s3.listKeys(BUCKET, prefixOf(c)));
        keys.push(...(await Promise.all(pair)).flat());
      }
      return keys;
    };
  }
  return async (channels) =>
    dataDirs.flatMap((dataDir) => {
      const root = join(dataDir, 'recordings', BUCKET);
      return (existsSync(root) ? readdirSync(root, { recursive: true, withFileTypes: true }) : [])
        .filter((e) => e.isFile() && !e.name.startsWith('.'))
        .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'))
        .filter((k) => channels.some((c) => k.startsWith(prefixOf(c))));
    });
}

const isEnded = (k: string) => k.endsWith('/events/recording-ended.json');

/**
 * Seconds from `since` until each channel has a recording-ended.json in the bucket that is not in `before` (the
 * channels are reused, so earlier recordings have theirs); undefined: not within the deadline.
 */
async function endLatencies(
  listKeys: KeyLister,
  channels: Channel[],
  before: ReadonlySet<string>,
  since: number,
): Promise<(number | undefined)[]> {
  const found = new Map<string, number>();
  const deadline = Date.now() + END_DEADLINE_MS;
  while (found.size < channels.length && Date.now() < deadline) {
    const waiting = channels.filter((c) => !found.has(c.id));
    const keys = await listKeys(waiting).catch(() => [] as string[]);
    const now = Date.now();
    for (const c of waiting) {
      if (keys.some((k) => k.startsWith(prefixOf(c)) && isEnded(k) && !before.has(k))) {
        found.set(c.id, (now - since) / 1000);
      }
    }
    await sleep(100);
  }
  return channels.map((c) => found.get(c.id));
}

/** Phase `n`: `rec` publishes to its recorded channels, `plain` to its unrecorded ones, at the same time. */
async function runPhase(n: number, rec: Subject, plain: Subject, clip: Clip, listKeys: KeyLister): Promise<Phase> {
  const before = new Set(await listKeys(rec.recorded));
  const subjects = [rec, plain] as const;
  const pids = subjects.map((s) => s.server.proc.pid!);
  const start = pids.map(cpuSeconds);
  const publishers = subjects.map((s, i) =>
    (i === 0 ? s.recorded : s.plain).map((c) => startPublisher(clip, `rtmp://127.0.0.1:${s.server.rtmpPort}/app/${c.key}`)),
  );
  await sleep(RAMP_S * 1000);
  const w0 = pids.map(cpuSeconds);
  const [busy0, total0] = machineJiffies();
  const t0 = process.hrtime.bigint();
  await sleep(DURATION_S * 1000);
  const w1 = pids.map(cpuSeconds);
  const [busy1, total1] = machineJiffies();
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const alive = publishers.map((ps) => ps.filter(isRunning).length);
  const ended = Date.now();
  await stopPublishers(publishers.flat());
  const latencies = await endLatencies(listKeys, rec.recorded, before, ended);
  const late = rec.recorded.find((_, i) => latencies[i] === undefined);
  if (late) {
    const keys = (await listKeys([late])).filter((k) => !before.has(k));
    console.log(`phase ${n}: no recording-ended.json for channel ${late.id}; its new objects: ${keys.join(', ') || 'none'}`);
  }
  const end = pids.map(cpuSeconds);
  const usage = (i: number): Usage => ({
    name: subjects[i]!.name,
    cpu: (100 * (w1[i]![0] - w0[i]![0])) / elapsed,
    system: (100 * (w1[i]![1] - w0[i]![1])) / elapsed,
    rampCpuS: w0[i]![0] - start[i]![0],
    childCpuS: end[i]![2] - start[i]![2],
    alive: alive[i]!,
  });
  return {
    n,
    rec: usage(0),
    plain: usage(1),
    thumbnails: (await listKeys(rec.recorded)).filter((k) => k.endsWith('.jpg') && !before.has(k)).length,
    machine: (100 * (busy1 - busy0)) / (total1 - total0),
    latencies,
  };
}

async function createChannels(port: number, prefix: string, recordingConfigurationArn?: string): Promise<Channel[]> {
  const out: Channel[] = [];
  for (let i = 0; i < STREAMS; i++) {
    const res = (await call(port, 'CreateChannel', {
      name: `${prefix}-${i}`,
      type: 'BASIC',
      insecureIngest: true,
      ...(recordingConfigurationArn ? { recordingConfigurationArn } : {}),
    })) as { channel: { arn: string }; streamKey: { value: string } };
    out.push({ arn: res.channel.arn, id: res.channel.arn.split('/').pop()!, key: res.streamKey.value });
  }
  return out;
}

async function activeRecordingConfiguration(port: number): Promise<string> {
  const res = (await call(port, 'CreateRecordingConfiguration', {
    name: 'bench',
    destinationConfiguration: { s3: { bucketName: BUCKET } },
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

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const sd = (xs: readonly number[]) =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const pct = (x: number, digits = 1) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(digits)}%`;

/** "+12.3% (phases +10.1%, +14.0%, …; min–max +10.1%…+14.0%, sd 1.9 points)". */
function spread(xs: readonly number[]): string {
  return (
    `${pct(mean(xs))} (phases ${xs.map((x) => pct(x)).join(', ')}; ` +
    `min–max ${pct(Math.min(...xs))}…${pct(Math.max(...xs))}, sd ${(sd(xs) * 100).toFixed(1)} points)`
  );
}

/** The thumbnail ffmpeg of a phase's recordings at the default interval, % of a core (its seconds per JPEG × rate). */
const ffmpegRate = (p: Phase) =>
  p.thumbnails > 0 ? (100 * (p.rec.childCpuS / p.thumbnails) * STREAMS) / THUMBNAIL_INTERVAL_S : 0;

function report(phases: Phase[]): void {
  console.log(
    'phase | recording: CPU (process)      | kernel     | + thumbnail ffmpeg          | not recording: CPU (process) | kernel     | machine | alive',
  );
  console.log(
    '------|------------------------------|------------|-----------------------------|------------------------------|------------|---------|------',
  );
  const core = (x: number) => `${x.toFixed(2)}% core`;
  for (const p of phases) {
    const thumbs = `${p.thumbnails} × ${p.thumbnails > 0 ? ((1000 * p.rec.childCpuS) / p.thumbnails).toFixed(0) : '–'} ms → ${core(p.rec.cpu + ffmpegRate(p))}`;
    console.log(
      `${String(p.n).padEnd(5)} | ${`${p.rec.name} ${core(p.rec.cpu)} (${(p.rec.cpu / STREAMS).toFixed(3)}/stream)`.padEnd(28)} | ` +
        `${core(p.rec.system).padEnd(10)} | ${thumbs.padEnd(27)} | ` +
        `${`${p.plain.name} ${core(p.plain.cpu)} (${(p.plain.cpu / STREAMS).toFixed(3)}/stream)`.padEnd(28)} | ` +
        `${core(p.plain.system).padEnd(10)} | ${`${p.machine.toFixed(0)}%`.padEnd(7)} | ${p.rec.alive + p.plain.alive}/${2 * STREAMS}` +
        `${p.plain.childCpuS > 0 ? ` (${p.plain.name} ran children: ${(1000 * p.plain.childCpuS).toFixed(0)} ms)` : ''}`,
    );
  }
  console.log('');
  const extra = phases.map((p) => (p.rec.cpu - p.plain.cpu) / p.plain.cpu);
  const extraAll = phases.map((p) => (p.rec.cpu + ffmpegRate(p) - p.plain.cpu) / p.plain.cpu);
  const added = mean(phases.map((p) => p.rec.cpu - p.plain.cpu));
  const addedKernel = mean(phases.map((p) => p.rec.system - p.plain.system));
  const start = mean(phases.map((p) => (p.rec.rampCpuS - p.plain.rampCpuS) / STREAMS));
  // X − Y: half the mean difference between the phases where X records and those where Y does.
  const byRecorder = (name: string) => mean(extra.filter((_, i) => phases[i]!.rec.name === name));
  const bias = phases.length < 2 ? undefined : (byRecorder(phases[0]!.rec.name) - byRecorder(phases[1]!.rec.name)) / 2;
  const odd = phases.filter((p) => p.thumbnails !== 2 * STREAMS).map((p) => `${p.n} (${p.thumbnails})`);
  if (!WINDOW_HOLDS_THUMBNAIL || odd.length > 0) {
    console.log(
      `note: ${WINDOW_HOLDS_THUMBNAIL ? `phases with other than ${2 * STREAMS} thumbnails: ${odd.join(', ')}` : `a ${RAMP_S} s ramp and ${DURATION_S} s window`}, ` +
        "so the windows need not hold one thumbnail per stream: the process figures may miss the thumbnails' in-process cost",
    );
  }
  console.log(`recording adds, per stream (process, without thumbnail ffmpeg): ${spread(extra)}`);
  console.log(`                                        with thumbnail ffmpeg: ${spread(extraAll)}`);
  console.log(
    `  i.e. ${(added / STREAMS).toFixed(3)}% of a core per recorded stream (${(addedKernel / STREAMS).toFixed(3)}% kernel, ` +
      `${((100 * addedKernel) / added).toFixed(0)}%), + ${(mean(phases.map(ffmpegRate)) / STREAMS).toFixed(3)}% thumbnail ffmpeg; ` +
      `start cost per recording (ramp, incl. its first thumbnail's in-process part): ${(1000 * start).toFixed(0)} ms CPU` +
      (bias === undefined ? '' : `; X − Y (process difference, cancelled in the mean): ${pct(bias)}`),
  );
  const verdict = (xs: number[], ok: (x: number) => boolean) => {
    const within = xs.filter(ok).length;
    const each =
      within === xs.length ? 'every phase within' : within === 0 ? 'no phase within' : `${within}/${xs.length} phases within`;
    return `${ok(mean(xs)) ? 'met' : 'NOT met'} on the mean; ${each}`;
  };
  console.log(
    `issue 17 (≤ +${CPU_TARGET_17 * 100}%, judged on the process figure without thumbnail ffmpeg): ` +
      `${pct(mean(extra))} — ${verdict(extra, (x) => x <= CPU_TARGET_17)}`,
  );
  console.log(
    `issue 6 (< +${CPU_TARGET_6 * 100}%, judged on the figure with thumbnail ffmpeg): ` +
      `${pct(mean(extraAll))} — ${verdict(extraAll, (x) => x < CPU_TARGET_6)}`,
  );
  const latencies = phases.flatMap((p) => p.latencies);
  const got = latencies.filter((l): l is number => l !== undefined).sort((x, y) => x - y);
  const missing = latencies.length - got.length;
  const max = got[got.length - 1];
  console.log(
    `broadcast end → recording-ended.json (${latencies.length} recordings): min ${got[0]?.toFixed(2) ?? 'n/a'} s, ` +
      `median ${got[Math.floor(got.length / 2)]?.toFixed(2) ?? 'n/a'} s, max ${max?.toFixed(2) ?? 'n/a'} s` +
      `${missing > 0 ? ` (${missing} missing after ${END_DEADLINE_MS / 1000} s)` : ''} ` +
      `(target < ${END_TARGET_S} s) — ${missing === 0 && max !== undefined && max < END_TARGET_S ? 'met' : 'NOT met'}`,
  );
}

async function startSubject(name: string, dir: string, s3: TestS3): Promise<Subject> {
  const dataDir = join(dir, `data-${name}`);
  const quota = String(2 * STREAMS + 10);
  const server = await startOpenivs(dataDir, ['--allow-insecure-ingest', ...(STORAGE === 's3' ? s3.serverArgs : [])], {
    ...(STORAGE === 's3' ? s3.serverEnv : {}),
    OPENIVS_QUOTA_CHANNELS: quota,
    OPENIVS_QUOTA_CONCURRENT_BROADCASTS: quota,
  });
  const rc = await activeRecordingConfiguration(server.port);
  const plain = await createChannels(server.port, 'plain');
  const recorded = await createChannels(server.port, 'recorded', rc);
  return { name, server, dataDir, plain, recorded };
}

async function main(): Promise<void> {
  const started = Date.now();
  const dir = removeOnExit(mkdtempSync(join(tmpdir(), 'openivs-bench-record-')));
  const s3 = await startS3({ buckets: [BUCKET] });
  const subjects: Subject[] = [];
  try {
    subjects.push(await startSubject('X', dir, s3), await startSubject('Y', dir, s3));
    const [x, y] = subjects as [Subject, Subject];
    const listKeys = keyLister(
      s3,
      subjects.map((s) => s.dataDir),
    );
    const clip = await makeClip(dir);
    console.log(
      `clip: 1280x720 30 fps H.264 2500k + AAC, ${clip.kbps.toFixed(0)} kbit/s; two openivs processes, ${STREAMS} BASIC ` +
        `publishers each per phase (one recorded, one not, roles swapping), ${PHASES} phases, ${RAMP_S} s ramp, ` +
        `${DURATION_S} s window; recordings to ${STORAGE === 's3' ? 's3rver (in the bench process)' : 'local disk'} ` +
        "with IVS's default settings",
    );
    const phases: Phase[] = [];
    for (let n = 1; n <= PHASES; n++) {
      phases.push(await runPhase(n, n % 2 === 1 ? x : y, n % 2 === 1 ? y : x, clip, listKeys));
    }
    const objects = await listKeys(subjects.flatMap((s) => [...s.plain, ...s.recorded]));
    console.log(
      `bucket: ${objects.length} objects (${objects.filter((k) => k.endsWith('.ts')).length} segments, ` +
        `${objects.filter((k) => k.endsWith('.jpg')).length} thumbnails); bench ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    console.log('');
    report(phases);
  } finally {
    for (const s of subjects) await s.server.stop();
    await s3.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
