// bench:transcode — the cost of a STANDARD channel's transcoding against plain ffmpeg doing the same work.
//  openivs: a 1080p30 ~6 Mbit/s H.264 + AAC clip published with `ffmpeg -re -stream_loop -1 -c copy` into a STANDARD
//    NORMAL channel. Over the window (after a ramp) the server's ffmpeg child (found with `ps --ppid <server pid>`) and
//    the openivs process are measured separately from /proc/<pid>/stat; speed = media seconds of new 720p30 segments
//    per wall second, taken between the first and last new segment seen (playlist polled every 200 ms); the 720p30
//    segment delay now − (PDT + EXTINF) at the start and end of the window shows whether the ladder falls behind.
//  baseline (same run, one after the other): plain ffmpeg making the same ladder from the same clip at real time
//    (`-re -stream_loop -1`), with the very arguments openivs uses (ffmpegArgs(ladderFor(…)) from the built tree), the
//    FLV pipe outputs replaced by `-f null -`; its CPU measured the same way, its speed from `-progress`.
// Targets (issue): openivs total (ffmpeg child + openivs) ≤ plain ffmpeg + 10%; speed ≥ 1.0× real time.
// Env: BENCH_DURATION (60 s window), BENCH_RAMP (10 s).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ffmpegArgs, ladderFor } from '../src/media/transcode/index.js';
import { fetchMediaPlaylist, listVariants, makeClip, startPublisher, stopPublishers, type Clip } from './lib/media.js';
import {
  cpuSeconds, freePort, killGroup, killOnExit, removeOnExit, sleep, spawnGroup, startNode, stopProcess, waitForHttp, type GroupChild,
} from './lib/processes.js';
import { call } from './lib/signing.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const DURATION_S = Number(process.env.BENCH_DURATION ?? 60);
const RAMP_S = Number(process.env.BENCH_RAMP ?? 10);
const POLL_MS = 200;
const OVERHEAD_TARGET = 0.10;
const SOURCE = { width: 1920, height: 1080, frameRate: 30 };
/** What openivs's transcoder passes (src/media/transcode/transcoder.ts, registry/transcoding.ts). */
const ARGS_OPTIONS = { x264Preset: 'veryfast', sourceFrameRate: SOURCE.frameRate } as const;

interface Measured {
  wallS: number;
  ffmpegCpuS: number;
  serverCpuS?: number;
  /** Media seconds produced per wall second. */
  speed: number;
  /** ± on `speed` from the poll interval (openivs) or -progress period (plain). */
  speedError: number;
  notes: string[];
}

/** Live ffmpeg children of `pid`. */
function ffmpegChildren(pid: number): number[] {
  const r = spawnSync('ps', ['--ppid', String(pid), '-o', 'pid=,comm='], { encoding: 'utf8' });
  return r.stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f[1] === 'ffmpeg').map((f) => Number(f[0]));
}

function cpuOf(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      out.set(pid, cpuSeconds(pid));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(250)) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function runOpenivs(clip: Clip, dir: string): Promise<Measured> {
  const notes: string[] = [];
  const [port, rtmpPort] = [await freePort(), await freePort()];
  const server = killOnExit(startNode(join(here, '../src/main.js'), [
    'start', '--http-port', String(port), '--rtmp-port', String(rtmpPort), '--srt-port', 'off', '--data-dir', join(dir, 'data'),
    '--bind', '127.0.0.1', '--host', '127.0.0.1', '--log-level', 'warn', '--allow-insecure-ingest',
  ]));
  const publishers: GroupChild[] = [];
  try {
    await waitForHttp(`http://127.0.0.1:${port}/_openivs/health`);
    const created = (await call(port, 'CreateChannel', { name: 'transcode', type: 'STANDARD', latencyMode: 'NORMAL', insecureIngest: true })) as
      { channel: { playbackUrl: string }; streamKey: { value: string } };
    publishers.push(startPublisher(clip, `rtmp://127.0.0.1:${rtmpPort}/app/${created.streamKey.value}`));
    const rendition = await until('the 720p30 rendition in the multivariant playlist', async () =>
      (await listVariants(created.channel.playbackUrl)).find((v) => v.height === 720), 30_000);
    await until('720p30 segments', async () => ((await fetchMediaPlaylist(rendition.url))?.segments.length ?? 0) > 0 || undefined, 30_000);
    const variants = await listVariants(created.channel.playbackUrl);
    console.log(`  openivs: renditions ${variants.map((v) => v.name).join(', ')}; measuring ${rendition.name} (${new URL(rendition.url).pathname})`);
    await sleep(RAMP_S * 1000);

    const serverPid = server.pid!;
    const children0 = ffmpegChildren(serverPid);
    if (children0.length !== 1) notes.push(`${children0.length} ffmpeg children at the window start (expected 1)`);
    const cpu0 = cpuOf(children0);
    const server0 = cpuSeconds(serverPid);
    const t0 = process.hrtime.bigint();

    const seen = new Set((await fetchMediaPlaylist(rendition.url))?.segments.map((s) => s.sequence) ?? []);
    const arrivals: { at: number; durationS: number; delayMs: number }[] = [];
    const windowEnd = Date.now() + DURATION_S * 1000;
    while (Date.now() < windowEnd) {
      const next = sleep(POLL_MS);
      const playlist = await fetchMediaPlaylist(rendition.url);
      const now = Date.now();
      for (const s of playlist?.segments ?? []) {
        if (seen.has(s.sequence)) continue;
        seen.add(s.sequence);
        arrivals.push({ at: now, durationS: s.durationS, delayMs: now - ((s.programDateTime ?? NaN) + s.durationS * 1000) });
      }
      await next;
    }

    const children1 = ffmpegChildren(serverPid);
    const cpu1 = cpuOf(children1);
    const server1 = cpuSeconds(serverPid);
    const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
    let ffmpegCpuS = 0;
    for (const [pid, c1] of cpu1) ffmpegCpuS += c1 - (cpu0.get(pid) ?? 0);
    if (children1.join() !== children0.join()) {
      notes.push(`ffmpeg child changed during the window (${children0.join(',') || 'none'} → ${children1.join(',') || 'none'}): `
        + 'the CPU of an exited child is lost');
    }
    const alive = publishers.every((p) => p.child.exitCode === null && p.child.signalCode === null);
    if (!alive) notes.push(`the publisher exited: ${publishers[0]!.stderrTail().trim()}`);

    let speed = NaN;
    let speedError = NaN;
    if (arrivals.length >= 2) {
      const media = arrivals.slice(1).reduce((sum, a) => sum + a.durationS, 0);
      const spanS = (arrivals[arrivals.length - 1]!.at - arrivals[0]!.at) / 1000;
      speed = media / spanS;
      speedError = (2 * POLL_MS) / 1000 / spanS;
    } else notes.push(`only ${arrivals.length} new 720p30 segments in the window`);
    const delays = arrivals.map((a) => a.delayMs);
    if (delays.length > 0) {
      const head = delays.slice(0, 3);
      const tail = delays.slice(-3);
      const avg = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
      notes.push(`720p30 segment delay now − (PDT + EXTINF): first ${head.map((d) => d.toFixed(0)).join(', ')} ms, `
        + `last ${tail.map((d) => d.toFixed(0)).join(', ')} ms (${arrivals.length} new segments, `
        + `${avg(tail) - avg(head) > 1000 ? 'GROWING: the ladder falls behind' : 'steady'})`);
    }
    return { wallS, ffmpegCpuS, serverCpuS: server1 - server0, speed, speedError, notes };
  } finally {
    await stopPublishers(publishers);
    await stopProcess(server);
  }
}

/** The transcoder's own command line, reading the clip at real time and discarding the outputs. */
function plainArgs(clip: Clip, progressFile: string): string[] {
  const args = ffmpegArgs(ladderFor(SOURCE), ARGS_OPTIONS);
  const input = args.indexOf('pipe:0');
  if (input < 0 || args[input - 1] !== '-i' || args[input - 2] !== 'flv' || args[input - 3] !== '-f') {
    throw new Error(`unexpected ffmpegArgs input: ${args.join(' ')}`);
  }
  const out: string[] = [...args.slice(0, input - 3), '-re', '-stream_loop', '-1', '-f', 'flv', '-i', clip.path];
  for (let i = input + 1; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-flvflags') i++; // an FLV-muxer option: the null muxer has none
    else if (a === '-f' && args[i + 1] === 'flv' && /^pipe:\d+$/.test(args[i + 2] ?? '')) {
      out.push('-f', 'null', '-');
      i += 2;
    } else out.push(a);
  }
  return [...out, '-progress', progressFile, '-stats_period', '0.5'];
}

/** Latest out_time_us in an ffmpeg -progress file, in seconds. */
function progressSeconds(file: string): number {
  if (!existsSync(file)) return NaN;
  const all = [...readFileSync(file, 'utf8').matchAll(/^out_time_us=(\d+)$/gm)];
  return all.length > 0 ? Number(all[all.length - 1]![1]) / 1e6 : NaN;
}

async function runPlain(clip: Clip, dir: string): Promise<Measured> {
  const notes: string[] = [];
  const progress = join(dir, 'progress.txt');
  const args = plainArgs(clip, progress);
  const ffmpeg = spawnGroup('ffmpeg', args);
  try {
    await sleep(RAMP_S * 1000);
    if (ffmpeg.child.exitCode !== null) throw new Error(`plain ffmpeg exited: ${ffmpeg.stderrTail().trim()}`);
    const pid = ffmpeg.child.pid!;
    const cpu0 = cpuSeconds(pid);
    const media0 = progressSeconds(progress);
    const t0 = process.hrtime.bigint();
    await sleep(DURATION_S * 1000);
    const cpu1 = cpuSeconds(pid);
    const media1 = progressSeconds(progress);
    const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
    if (ffmpeg.stderrTail().trim()) notes.push(`stderr: ${ffmpeg.stderrTail().trim().split('\n').slice(-3).join(' | ')}`);
    notes.push(`command: ffmpeg ${args.map((a) => (/[\s'()]/.test(a) ? `'${a}'` : a)).join(' ')}`);
    return { wallS, ffmpegCpuS: cpu1 - cpu0, speed: (media1 - media0) / wallS, speedError: 1 / wallS, notes };
  } finally {
    await killGroup(ffmpeg.child);
  }
}

async function main(): Promise<void> {
  const dir = removeOnExit(mkdtempSync(join(tmpdir(), 'openivs-bench-transcode-')));
  try {
    const t = Date.now();
    const clip = await makeClip(dir, 20, { width: SOURCE.width, height: SOURCE.height, videoKbps: 6000 });
    const ladder = ladderFor(SOURCE);
    console.log(`clip: 1920x1080 30 fps H.264 6000k (2 s GOP) + AAC 128k, ${clip.seconds} s FLV, ${clip.kbps.toFixed(0)} kbit/s overall `
      + `(encoded in ${((Date.now() - t) / 1000).toFixed(0)} s)`);
    console.log(`ladder: ${ladder.map((r) => `${r.name} ${r.width}x${r.height} ${r.videoBitrate / 1000}k`).join(', ')}; `
      + `x264 ${ARGS_OPTIONS.x264Preset}, ${cpus().length} cores`);
    console.log(`${RAMP_S} s ramp, ${DURATION_S} s window; openivs first, then plain ffmpeg, one after the other. The picture is lavfi`
      + ' testsrc2 (synthetic, cheap to encode): absolute CPU is lower than for camera content, the comparison holds for both alike');
    const ours = await runOpenivs(clip, dir);
    const plain = await runPlain(clip, dir);

    const cores = (cpuS: number, wallS: number) => `${(cpuS / wallS).toFixed(2)} cores`;
    const oursTotal = ours.ffmpegCpuS + ours.serverCpuS!;
    const plainRate = plain.ffmpegCpuS / plain.wallS;
    const totalRate = oursTotal / ours.wallS;
    const childRate = ours.ffmpegCpuS / ours.wallS;
    const overhead = totalRate / plainRate - 1;
    console.log('');
    const rows = [
      ['', 'CPU', 'cores used', 'speed'],
      ['plain ffmpeg (baseline)', `${plain.ffmpegCpuS.toFixed(1)} s / ${plain.wallS.toFixed(1)} s`, cores(plain.ffmpegCpuS, plain.wallS),
        `${plain.speed.toFixed(3)}× ±${plain.speedError.toFixed(3)} (-progress out_time)`],
      ['openivs ffmpeg child', `${ours.ffmpegCpuS.toFixed(1)} s / ${ours.wallS.toFixed(1)} s`, cores(ours.ffmpegCpuS, ours.wallS),
        `${ours.speed.toFixed(3)}× ±${ours.speedError.toFixed(3)} (720p30 segments)`],
      ['openivs process', `${ours.serverCpuS!.toFixed(1)} s / ${ours.wallS.toFixed(1)} s`, cores(ours.serverCpuS!, ours.wallS), ''],
      ['openivs total', `${oursTotal.toFixed(1)} s / ${ours.wallS.toFixed(1)} s`, cores(oursTotal, ours.wallS), ''],
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
    rows.forEach((row, i) => {
      console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | '));
      if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
    });
    for (const n of ours.notes) console.log(`  note (openivs): ${n}`);
    for (const n of plain.notes) console.log(`  note (plain ffmpeg): ${n}`);
    console.log('');
    console.log(`ffmpeg child vs plain ffmpeg: ${((childRate / plainRate - 1) * 100).toFixed(1)}% `
      + '(same arguments; the child reads FLV from openivs over a pipe and writes 4 FLV pipes)');
    console.log(`overhead (ffmpeg child + openivs) vs plain ffmpeg: ${(overhead * 100).toFixed(1)}% `
      + `(target < ${OVERHEAD_TARGET * 100}%) — ${overhead < OVERHEAD_TARGET ? 'met' : 'NOT met'}`);
    console.log(`  (openivs process alone: ${((ours.serverCpuS! / ours.wallS / plainRate) * 100).toFixed(1)}% of plain ffmpeg's CPU; it also does `
      + 'RTMP ingest and packages the source + 4 renditions, which the baseline does not)');
    const speedMet = ours.speed + ours.speedError >= 1;
    console.log(`speed of the 720p30 rendition: ${ours.speed.toFixed(3)}× ±${ours.speedError.toFixed(3)} real time (target ≥ 1.0) — `
      + `${speedMet ? 'met' : 'NOT met'} (the ± is the ${POLL_MS} ms playlist poll at both ends of the span)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
