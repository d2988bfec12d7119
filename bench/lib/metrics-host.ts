// The parent's side of bench/lib/metrics-pair-host.ts: forks the one process that holds the metrics-on and the
// metrics-off app, pins it to a CPU, creates each app's channels, and pauses or resumes the on app's background
// sampling between load windows.

import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BoundPorts } from '../../src/app.js';
import { killOnExit, pinToCpu } from './processes.js';
import { call } from './signing.js';

const HOST_SCRIPT = fileURLToPath(new URL('./metrics-pair-host.js', import.meta.url));
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

export type SideName = 'on' | 'off';

export interface HostedChannel {
  arn: string;
  playbackUrl: string;
  key: string;
}

export interface HostedApp {
  name: SideName;
  url: string;
  httpPort: number;
  rtmpPort: number;
  channels: HostedChannel[];
}

export interface MetricsHost {
  pid: number;
  apps: Record<SideName, HostedApp>;
  /** Makes `side` the one being measured: resumes the on app's metrics (Metrics.resume) for 'on', pauses them for 'off'. */
  measure(side: SideName): Promise<void>;
  stop(): Promise<void>;
}

type Reply = { ok: string } | { on: BoundPorts; off: BoundPorts };

/** Starts the host in `dir` on `cpu` (when defined) with `channels` channels per app. */
export async function startMetricsHost(dir: string, channels: number, cpu?: number): Promise<MetricsHost> {
  const dirs = { on: join(dir, 'openivs-on'), off: join(dir, 'openivs-off') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  const quota = String(channels + 10);
  const child = killOnExit(
    fork(HOST_SCRIPT, [dirs.on, dirs.off, quota], { execArgv: NODE_ARGS, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  const replies: Reply[] = [];
  const waiters: ((reply: Reply) => void)[] = [];
  child.on('message', (reply: Reply) => {
    const waiter = waiters.shift();
    if (waiter) waiter(reply);
    else replies.push(reply);
  });
  const next = () =>
    new Promise<Reply>((resolve, reject) => {
      const queued = replies.shift();
      if (queued) return resolve(queued);
      const onExit = (code: number | null) => reject(new Error(`metrics host exited (${code})`));
      child.once('exit', onExit);
      waiters.push((reply) => {
        child.off('exit', onExit);
        resolve(reply);
      });
    });
  const first = await next();
  if (!('on' in first)) throw new Error(`metrics host: expected its ports, got ${JSON.stringify(first)}`);
  if (cpu !== undefined) pinToCpu(child.pid!, cpu);
  const command = async (cmd: 'pause' | 'resume' | 'stop') => {
    child.send({ cmd });
    const reply = await next();
    if (!('ok' in reply) || reply.ok !== cmd) throw new Error(`metrics host: ${cmd} answered ${JSON.stringify(reply)}`);
  };
  const apps = {
    on: await hostedApp('on', first.on, channels),
    off: await hostedApp('off', first.off, channels),
  };
  const status = async (app: HostedApp) => await fetch(`${app.url}/metrics`).then((r) => r.arrayBuffer().then(() => r.status));
  if ((await status(apps.on)) !== 200 || (await status(apps.off)) === 200)
    throw new Error('metrics host: GET /metrics must answer on the on app only');
  return {
    pid: child.pid!,
    apps,
    measure: (side) => command(side === 'on' ? 'resume' : 'pause'),
    stop: () => stopHost(child, () => command('stop')),
  };
}

async function hostedApp(name: SideName, ports: BoundPorts, count: number): Promise<HostedApp> {
  const channels: HostedChannel[] = [];
  for (let i = 0; i < Math.max(1, count); i++) {
    const out = (await call(ports.httpPort, 'CreateChannel', { name: `bench-${i}`, type: 'BASIC', insecureIngest: true })) as {
      channel: { arn: string; playbackUrl: string };
      streamKey: { value: string };
    };
    channels.push({ arn: out.channel.arn, playbackUrl: out.channel.playbackUrl, key: out.streamKey.value });
  }
  return { name, url: `http://127.0.0.1:${ports.httpPort}`, httpPort: ports.httpPort, rtmpPort: ports.rtmpPort, channels };
}

async function stopHost(child: ChildProcess, stop: () => Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await stop().catch(() => child.kill('SIGKILL'));
  await exited;
}
