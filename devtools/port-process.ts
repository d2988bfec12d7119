// A server process of the tests and benches (nginx, varnishd) run in the foreground: started with its output kept,
// ready once its port accepts connections, killed if this process exits first, and stopped with its own graceful
// signal (SIGKILL after 5 s), its temp dir removed.

import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';

export interface PortProcess {
  pid: number;
  logs(): string;
  stop(): Promise<void>;
}

export interface PortProcessOptions {
  command: string;
  args: string[];
  /** The loopback port that accepts connections once the process is ready. */
  port: number;
  /** Removed after the process stopped. */
  dir: string;
  /** The process's graceful stop (nginx: SIGQUIT). Default SIGTERM. */
  stopSignal?: NodeJS.Signals;
  timeoutMs?: number;
}

export async function startPortProcess(o: PortProcessOptions): Promise<PortProcess> {
  let log = '';
  const proc: ChildProcess = spawn(o.command, o.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (c: Buffer) => {
    log = (log + c.toString('utf8')).slice(-64 * 1024);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const onExit = () => proc.kill('SIGKILL');
  process.once('exit', onExit);
  const deadline = Date.now() + (o.timeoutMs ?? 15_000);
  while (!(await listening(o.port))) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`${o.command} did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    pid: proc.pid!,
    logs: () => log,
    async stop() {
      process.removeListener('exit', onExit);
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill(o.stopSignal ?? 'SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(o.dir, { recursive: true, force: true });
    },
  };
}

function listening(port: number): Promise<boolean> {
  return new Promise((res) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      res(true);
    });
    socket.once('error', () => res(false));
  });
}
