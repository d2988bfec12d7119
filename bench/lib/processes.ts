// Benchmark helpers: openivs and other child servers started from the built tree, CPU time of a process (from /proc,
// so a peer and openivs are measured the same way), percentiles, and children and temp dirs cleaned up on exit.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { startServer, type OpenivsServer } from '../../devtools/server.js';

export async function waitForHttp(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${url}`);
}

/** Extra node flags for the processes a bench starts, e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

/**
 * openivs on free ports with `dataDir` (devtools/server.ts: loopback, log level warn; healthy when this resolves), its
 * stderr passed through and BENCH_NODE_ARGS as node flags; `args` and `env` add to its settings. devtools kills it
 * when this process exits; the hook installed here turns SIGINT/SIGTERM into such an exit.
 */
export function startOpenivs(
  dataDir: string,
  args: string[] = [],
  env: Record<string, string> = {},
  opts: { srt?: boolean; entry?: string } = {},
): Promise<OpenivsServer> {
  installExitHook();
  return startServer({ dataDir, args, env, output: 'inherit', nodeArgs: NODE_ARGS, srt: opts.srt, entry: opts.entry });
}

export function startNode(script: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [...NODE_ARGS, script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  // A child killed by a signal has no exit code, only a signal code; its 'exit' has been emitted already.
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** User+system CPU seconds consumed so far by a live process. */
export function cpuSeconds(pid: number): number {
  const { user, system } = cpuTimes(pid);
  return user + system;
}

/** A live process's CPU seconds so far, in user space and in the kernel on its behalf. */
export function cpuTimes(pid: number): { user: number; system: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime (fields 14 and 15 of stat), in ticks of USER_HZ, which is 100 on Linux
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}

/**
 * CPU seconds so far per kind of thread of a live process, from /proc/<pid>/task/<tid>/stat, grouped by thread name
 * with trailing digits dropped (libsrt's `SRT:RcvQ:w1`, libuv's `libuv-worker`, V8's `V8 DefaultWorke`, the main
 * thread under the process name). Threads that ended between two readings drop out of the second.
 */
export function cpuSecondsByThread(pid: number): Map<string, number> {
  const byKind = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const kind = Number(tid) === pid ? 'main' : name;
    byKind.set(kind, (byKind.get(kind) ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100);
  }
  return byKind;
}

/**
 * Pins every thread of `pid` (and the threads it starts later) to one CPU, when there are at least two: a server under
 * load then never shares its core with the load generator, whose place on the cores otherwise moved the server's CPU
 * per request by ±17% from one process to the next. Returns whether it pinned.
 */
export function pinToCpu(pid: number, cpu: number): boolean {
  if (availableParallelism() < 2) return false;
  execFileSync('taskset', ['-a', '-cp', String(cpu), String(pid)], { stdio: 'ignore' });
  return true;
}

/** Undoes pinToCpu: every thread of `pid` may run on any CPU again. */
export function unpin(pid: number): void {
  if (availableParallelism() < 2) return;
  execFileSync('taskset', ['-a', '-cp', `0-${availableParallelism() - 1}`, String(pid)], { stdio: 'ignore' });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Resident set size (VmRSS) of a live process, in kB. */
export function rssKb(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// Children in their own process groups (publishers, peer servers), killed as a group. Every group still
// alive when the benchmark exits (normally, on an error or on SIGINT/SIGTERM) is killed synchronously.
const groups = new Set<ChildProcess>();
const singles = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of groups) signalGroup(child, 'SIGKILL');
    for (const child of singles) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => process.exit(130));
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

export interface GroupChild {
  child: ChildProcess;
  /** The last few kB of the child's stderr. */
  stderrTail: () => string;
}

/** Spawns a command as the leader of a new process group, keeping the tail of its stderr. */
export function spawnGroup(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): GroupChild {
  installExitHook();
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let tail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-4096);
  });
  groups.add(child);
  child.once('exit', () => groups.delete(child));
  child.once('error', () => groups.delete(child));
  return { child, stderrTail: () => tail };
}

/** Kills a child started some other way (e.g. startNode) if the benchmark exits while it still runs. */
export function killOnExit(child: ChildProcess): ChildProcess {
  installExitHook();
  singles.add(child);
  child.once('exit', () => singles.delete(child));
  return child;
}

/** Removes a temp dir when the benchmark exits, also on SIGINT/SIGTERM (where `finally` blocks do not run). */
export function removeOnExit(dir: string): string {
  installExitHook();
  tempDirs.add(dir);
  return dir;
}

/** SIGTERM to the child's whole process group, SIGKILL after `graceMs`; resolves once the leader exited. */
export async function killGroup(child: ChildProcess, graceMs = 3_000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    groups.delete(child);
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  signalGroup(child, 'SIGKILL'); // grandchildren, if any, go with the leader
  groups.delete(child);
}
