// bench:start: seconds from launching openivs to its first `/_openivs/health` 200, the way a user starts it.
//   warm `npm start`: nothing changed since the last build (scripts/start.mjs skips the build) — the target, ≤ 2 s;
//   `node dist/src/main.js start`: the same server without npm and the build check — the baseline, same run;
//   cold `npm start`: the build stamp removed, so `npm start` builds first (tsc + the browser bundles) — once, last.
// Each start gets free ports and its own data dir (the first start of a data dir creates the SQLite database and runs
// the migrations: runs alternate so both kinds of start see the same mix), is stopped with SIGTERM before the next,
// and the figures are the median and the spread of BENCH_RUNS (default 5) starts of each kind.
// Env: BENCH_RUNS (5), BENCH_COLD (1: measure the cold start; 0: skip it).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../devtools/server.js';
import { percentile, stopProcess } from './lib/processes.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const COLD = process.env.BENCH_COLD !== '0';
const TARGET_S = 2;
const HEALTH_TIMEOUT_MS = 300_000;

type Kind = 'npm start (warm)' | 'node dist/src/main.js' | 'npm start (cold: builds first)';

/** Launches one start of `kind` and returns the seconds until health answered 200; the server is stopped after. */
async function timeStart(kind: Kind, dataDir: string): Promise<number> {
  const httpPort = await freePort();
  const serverArgs = [
    '--http-port',
    String(httpPort),
    '--rtmp-port',
    String(await freePort()),
    '--data-dir',
    dataDir,
    '--host',
    '127.0.0.1',
    '--bind',
    '127.0.0.1',
    '--log-level',
    'warn',
    '--srt-port',
    'off',
  ];
  const [command, args] =
    kind === 'node dist/src/main.js'
      ? [process.execPath, [join(ROOT, 'dist', 'src', 'main.js'), 'start', ...serverArgs]]
      : ['npm', ['start', '--silent', '--', ...serverArgs]];
  const begun = performance.now();
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], detached: true });
  try {
    const deadline = Date.now() + HEALTH_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${kind}: exited with ${child.exitCode} before answering`);
      try {
        const res = await fetch(`http://127.0.0.1:${httpPort}/_openivs/health`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status === 200) return (performance.now() - begun) / 1000;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${kind}: no health within ${HEALTH_TIMEOUT_MS} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    // npm runs the server as its child: stop the whole process group.
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await stopProcess(child);
  }
}

const fmt = (s: number) => `${s.toFixed(2)} s`;

function summary(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), min: sorted[0]!, max: sorted.at(-1)! };
}

async function main(): Promise<void> {
  const dirs: string[] = [];
  const newDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'openivs-bench-start-'));
    dirs.push(d);
    return d;
  };
  try {
    // The build `npm run bench:start` just ran left a fresh stamp; one start first warms the OS file cache.
    await timeStart('npm start (warm)', newDir());
    const results = new Map<Kind, number[]>([
      ['npm start (warm)', []],
      ['node dist/src/main.js', []],
    ]);
    for (let i = 0; i < RUNS; i++) {
      const fresh = i % 2 === 0; // alternate a new data dir and a reused one
      const dir = fresh || dirs.length === 0 ? newDir() : dirs.at(-1)!;
      for (const kind of results.keys()) results.get(kind)!.push(await timeStart(kind, dir));
    }
    let cold: number | undefined;
    if (COLD) {
      rmSync(join(ROOT, 'dist', '.build-stamp'), { force: true });
      cold = await timeStart('npm start (cold: builds first)', newDir());
    }

    console.log(`\nbench:start — launch to the first /_openivs/health 200, ${RUNS} runs each (median, min–max)`);
    const base = summary(results.get('node dist/src/main.js')!);
    for (const [kind, values] of results) {
      const s = summary(values);
      const ratio = s.median / base.median;
      console.log(`  ${kind.padEnd(32)} ${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})  ×${ratio.toFixed(2)} of the baseline`);
    }
    if (cold !== undefined) console.log(`  ${'npm start (cold: builds first)'.padEnd(32)} ${fmt(cold)} (one run)`);
    const warm = summary(results.get('npm start (warm)')!);
    console.log(
      `  target: warm npm start ≤ ${TARGET_S} s — ${warm.median <= TARGET_S ? 'met' : 'NOT met'} (median ${fmt(warm.median)}, ` +
        `worst ${fmt(warm.max)})`,
    );
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

await main();
