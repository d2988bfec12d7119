// One process of simulated viewers (devtools/viewer-sim.ts), run by viewer-sim-pool.ts: the load generator of
// bench:edge runs in processes of its own (pinned to their own CPUs), so the ceiling it measures is the servers' and
// not the generator's event loop. Options arrive as JSON in argv[2]; arrivals go back to the parent in batches over
// IPC, timed in epoch milliseconds (performance.timeOrigin + now) so that they compare across processes.

import { startViewers, viewerAddress } from './viewer-sim.js';

interface ProcessOptions {
  playbackUrl: string;
  /** Index of this process's first viewer among all of the pool's (their local addresses follow from it). */
  first: number;
  count: number;
  rampMs: number;
  /** One local address per viewer (viewerAddress in viewer-sim.ts). */
  distinctAddresses: boolean;
}

export type PoolMessage =
  | { kind: 'arrivals'; names: string[]; at: number[]; viewers: number[] }
  | { kind: 'failures'; count: number; samples: string[] }
  | { kind: 'stopped'; started: number };

const options = JSON.parse(process.argv[2] ?? '{}') as ProcessOptions;
const send = (message: PoolMessage) => process.send?.(message);

let names: string[] = [];
let at: number[] = [];
let viewerIds: number[] = [];
let failures = 0;
let samples: string[] = [];

function flush(): void {
  if (names.length > 0) send({ kind: 'arrivals', names, at, viewers: viewerIds });
  if (failures > 0) send({ kind: 'failures', count: failures, samples });
  names = [];
  at = [];
  viewerIds = [];
  failures = 0;
  samples = [];
}

const viewers = startViewers({
  playbackUrl: options.playbackUrl,
  count: options.count,
  rampMs: options.rampMs,
  localAddress: options.distinctAddresses ? (i) => viewerAddress(options.first + i) : undefined,
  received: (viewer, name, time) => {
    names.push(name);
    at.push(performance.timeOrigin + time);
    viewerIds.push(options.first + viewer);
  },
  failed: (_viewer, url, status) => {
    failures++;
    if (samples.length < 3) samples.push(`${status} ${url}`);
  },
});
const timer = setInterval(flush, 250);

process.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  void viewers.stop().then(() => {
    flush();
    send({ kind: 'stopped', started: viewers.started });
    process.disconnect?.();
  });
});
// The parent is gone (killed): nothing to report to.
process.on('disconnect', () => process.exit(0));
