// Starts the built openivs server as a child process for black-box tests: free ports, a temp data
// dir, health polling, captured logs, and stop / kill -9 / restart on the same ports and data dir.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IvsClient } from '@aws-sdk/client-ivs';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/test/helpers/server.js → dist/src/main.js */
export const MAIN_JS = resolve(here, '..', '..', 'src', 'main.js');

const HEALTH_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
const LOG_LIMIT = 256 * 1024;

export interface StartOptions {
  env?: Record<string, string>;
  dataDir?: string;
  args?: string[];
  /** Also listen for RTMPS on a free port (`--rtmps-port`); the port is then `server.rtmpsPort`. */
  rtmps?: boolean;
  /** Listen for SRT on a free UDP port (`--srt-port`), then `server.srtPort`; otherwise `--srt-port off`. */
  srt?: boolean;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly rtmpPort: number;
  /** The RTMPS port when started with `rtmps: true`, else undefined. */
  readonly rtmpsPort: number | undefined;
  /** The SRT (UDP) port when started with `srt: true`, else undefined. */
  readonly srtPort: number | undefined;
  readonly dataDir: string;
  readonly proc: ChildProcess;
  /** stdout + stderr of every run of this server so far (capped). */
  logs(): string;
  /** Sends the signal (SIGTERM by default), waits for exit, removes the temp data dir if it was created here. */
  stop(signal?: NodeJS.Signals): Promise<ExitInfo>;
  /** SIGKILL, waits for exit; keeps the data dir for a restart. */
  kill9(): Promise<ExitInfo>;
  /** Stops (SIGTERM) if still running, then starts again on the same ports and data dir. */
  restart(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** A UDP port free right now (for SRT). */
export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolveBind, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolveBind());
  });
  const { port } = socket.address();
  await new Promise<void>((resolveClose) => socket.close(() => resolveClose()));
  return port;
}

/** The process env without any OPENIVS_* variable of the developer's shell, plus `extra`. */
function childEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OPENIVS_')) env[k] = v;
  return { ...env, ...extra };
}

function waitExit(proc: ChildProcess, timeoutMs: number): Promise<ExitInfo> {
  if (proc.exitCode !== null || proc.signalCode !== null) {
    return Promise.resolve({ code: proc.exitCode, signal: proc.signalCode });
  }
  return new Promise((res) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      res({ code, signal });
    });
  });
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  if (!existsSync(MAIN_JS)) throw new Error(`openivs is not built: ${MAIN_JS} is missing (run npx tsc -p tsconfig.json)`);
  const port = await freePort();
  const rtmpPort = await freePort();
  const rtmpsPort = opts.rtmps === true ? await freePort() : undefined;
  const srtPort = opts.srt === true ? await freeUdpPort() : undefined;
  const ownsDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'openivs-test-'));
  let log = '';
  const append = (chunk: Buffer) => {
    log += chunk.toString('utf8');
    if (log.length > LOG_LIMIT) log = log.slice(log.length - LOG_LIMIT);
  };
  let proc!: ChildProcess;

  const launch = async () => {
    const args = [
      MAIN_JS, 'start',
      '--http-port', String(port), '--rtmp-port', String(rtmpPort),
      '--data-dir', dataDir, '--host', '127.0.0.1', '--bind', '127.0.0.1', '--log-level', 'warn',
      ...(rtmpsPort === undefined ? [] : ['--rtmps-port', String(rtmpsPort)]),
      '--srt-port', srtPort === undefined ? 'off' : String(srtPort),
      ...(opts.args ?? []),
    ];
    proc = spawn(process.execPath, args, { env: childEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', append);
    proc.stderr!.on('data', append);
    await waitHealthy(proc, `http://127.0.0.1:${port}`, () => log);
  };

  const server: TestServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    rtmpPort,
    rtmpsPort,
    srtPort,
    dataDir,
    get proc() {
      return proc;
    },
    logs: () => log,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const exited = proc.exitCode !== null || proc.signalCode !== null;
      if (!exited) proc.kill(signal);
      const info = await waitExit(proc, STOP_TIMEOUT_MS);
      if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
      return info;
    },
    async kill9() {
      proc.kill('SIGKILL');
      return waitExit(proc, STOP_TIMEOUT_MS);
    },
    async restart() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await waitExit(proc, STOP_TIMEOUT_MS);
      }
      await launch();
    },
  };
  try {
    await launch();
  } catch (err) {
    proc?.kill('SIGKILL');
    if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return server;
}

async function waitHealthy(proc: ChildProcess, url: string, logs: () => string): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let exited: ExitInfo | undefined;
  proc.once('exit', (code, signal) => {
    exited = { code, signal };
  });
  let lastError = '';
  while (Date.now() < deadline) {
    if (exited) {
      throw new Error(`openivs exited before becoming healthy (code ${exited.code}, signal ${exited.signal}).\n` +
        `--- server output ---\n${logs()}`);
    }
    try {
      const res = await fetch(`${url}/_openivs/health`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      lastError = `health answered ${res.status}`;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`openivs did not become healthy within ${HEALTH_TIMEOUT_MS} ms (${lastError}).\n` +
    `--- server output ---\n${logs()}`);
}

export interface ClientOptions {
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

export function ivsClient(server: { url: string }, opts: ClientOptions = {}): IvsClient {
  return new IvsClient({
    endpoint: server.url,
    region: opts.region ?? 'us-west-2',
    credentials: { accessKeyId: opts.accessKeyId ?? 'test', secretAccessKey: opts.secretAccessKey ?? 'test' },
    maxAttempts: 1,
  });
}
