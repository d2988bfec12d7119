// Simulated viewers spread over child processes (viewer-sim-process.ts), optionally pinned to given CPUs with
// taskset, for loads one event loop cannot generate (bench:edge's thousands of viewers). Arrivals come back in
// batches and are replayed to `received` with epoch-millisecond times; `stop()` resolves once every child has
// stopped its viewers and reported.

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PoolMessage } from './viewer-sim-process.js';

const SCRIPT = fileURLToPath(new URL('./viewer-sim-process.js', import.meta.url));

export interface PoolOptions {
  playbackUrl: string;
  count: number;
  processes: number;
  /** Spread the viewers' starts over this long (default 0). */
  rampMs?: number;
  /** One local address per viewer (127.x.y.z), so the origin sees distinct viewers. */
  distinctAddresses?: boolean;
  /** CPUs the children run on (`taskset -c`), e.g. "1"; default: wherever the scheduler puts them. */
  cpus?: string;
  /** A part or segment `name` reached `viewer` at `at` (epoch ms). */
  received?(viewer: number, name: string, at: number): void;
  /** `count` failed requests (a response other than 200, or a transport error); `samples`: a few of them. */
  failed?(count: number, samples: string[]): void;
  /** Extra node arguments for the children (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

export interface ViewerPool {
  readonly pids: number[];
  /** Viewers that opened a session, summed over the children (known after stop()). */
  stop(): Promise<{ started: number }>;
}

export function startViewerPool(opts: PoolOptions): ViewerPool {
  const children: ChildProcess[] = [];
  const per = Math.ceil(opts.count / opts.processes);
  for (let first = 0; first < opts.count; first += per) {
    const count = Math.min(per, opts.count - first);
    const args = JSON.stringify({
      playbackUrl: opts.playbackUrl,
      first,
      count,
      rampMs: opts.rampMs ?? 0,
      distinctAddresses: opts.distinctAddresses ?? false,
    });
    const nodeArgs = opts.nodeArgs ?? [];
    const child = fork(SCRIPT, [args], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // taskset runs node itself, so the child is pinned from its first instruction (and so are its threads).
      ...(opts.cpus
        ? { execPath: 'taskset', execArgv: ['-c', opts.cpus, process.execPath, ...nodeArgs] }
        : { execArgv: nodeArgs }),
    });
    child.on('message', (message: PoolMessage) => {
      if (message.kind === 'arrivals') {
        for (let i = 0; i < message.names.length; i++) {
          opts.received?.(message.viewers[i]!, message.names[i]!, message.at[i]!);
        }
      } else if (message.kind === 'failures') opts.failed?.(message.count, message.samples);
    });
    children.push(child);
  }
  return {
    get pids() {
      return children.map((c) => c.pid!);
    },
    async stop() {
      const reports = children.map(
        (child) =>
          new Promise<number>((resolve) => {
            let started = 0;
            child.on('message', (m: PoolMessage) => {
              if (m.kind === 'stopped') started = m.started;
            });
            child.once('exit', () => resolve(started));
            if (child.connected) child.send('stop');
            else resolve(0);
          }),
      );
      const started = (await Promise.all(reports)).reduce((a, b) => a + b, 0);
      return { started };
    },
  };
}
