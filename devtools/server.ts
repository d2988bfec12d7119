// The built openivs (dist/src/main.js) as a child process, for the black-box tests and the benchmarks: free ports, a
// temp data dir unless one is given, health polling, output captured (tests) or passed through (benchmarks), and
// stop / kill -9 / restart on the same ports and data dir. A server still running when this process exits is killed,
// so a test runner's forced exit or a benchmark's Ctrl-C leaves no orphan behind.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, freeUdpPort } from './free-port.js';

export { freePort, freeUdpPort };

const here = dirname(fileURLToPath(import.meta.url));
/** dist/devtools/server.js → dist/src/main.js */
export const MAIN_JS = resolve(here, '..', 'src', 'main.js');
/** The V8 flags openivs runs with (src/heap-flags.ts says why; a unit test keeps this copy equal to it). */
export const HEAP_FLAGS: readonly string[] = ['--initial-old-space-size=128'];

const HEALTH_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
const LOG_LIMIT = 256 * 1024;

/** The ports a server listens on (fixed for its life, restarts included). */
export interface ServerPorts {
  port: number;
  rtmpPort: number;
  rtmpsPort: number | undefined;
  httpsPort: number | undefined;
  /** The SRT (UDP) port when started with `srt: true`, else undefined (the server runs with `--srt-port off`). */
  srtPort: number | undefined;
}

export interface StartOptions {
  env?: Record<string, string>;
  dataDir?: string;
  /** Extra command-line arguments; a function gets the ports (e.g. for `--playback-base-url`). */
  args?: string[] | ((ports: ServerPorts) => string[]);
  /** Also listen for RTMPS on a free port (`--rtmps-port`); the port is then `server.rtmpsPort`. */
  rtmps?: boolean;
  /** Listen for SRT on a free UDP port (`--srt-port`), then `server.srtPort`; otherwise `--srt-port off`. */
  srt?: boolean;
  /** Also listen for HTTPS on a free port (`--https-port`); the port is then `server.httpsPort`. */
  https?: boolean;
  /**
   * 'capture' (default): stdout and stderr are kept for logs(). 'inherit': stderr goes to this process's stderr and
   * stdout is dropped, as a benchmark wants it.
   */
  output?: 'capture' | 'inherit';
  /** Node flags for the server process (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** Start node with HEAP_FLAGS, as `npm start` and the `openivs` bin do (default true; false tests their absence). */
  heapFlags?: boolean;
  /** The script node runs instead of dist/src/main.js, with main's arguments (a bench's wrapper that imports main). */
  entry?: string;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface OpenivsServer extends ServerPorts {
  readonly url: string;
  readonly dataDir: string;
  /** The current process (a new one after each restart). */
  readonly proc: ChildProcess;
  /** 1 once started, +1 with every restart: clients holding pooled connections can tell they must reconnect. */
  readonly generation: number;
  /** stdout + stderr of every run of this server so far (capped); empty with output 'inherit'. */
  logs(): string;
  /** Sends the signal (SIGTERM by default), waits for exit, removes the temp data dir if it was created here. */
  stop(signal?: NodeJS.Signals): Promise<ExitInfo>;
  /** SIGKILL, waits for exit; keeps the data dir for a restart. */
  kill9(): Promise<ExitInfo>;
  /** Stops (SIGTERM) if still running, then starts again on the same ports and data dir. */
  restart(): Promise<void>;
}

/** Server processes still running, killed when this process exits. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killOnExit(proc: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const child of running) child.kill('SIGKILL');
    });
  }
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
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

/** A first launch that lost a port to another process (see free-port.ts) is tried again on new ports. */
const PORT_RACE_ATTEMPTS = 3;

export async function startServer(opts: StartOptions = {}): Promise<OpenivsServer> {
  if (!existsSync(MAIN_JS)) throw new Error(`openivs is not built: ${MAIN_JS} is missing (run npx tsc -p tsconfig.json)`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreshPorts(opts);
    } catch (err) {
      const lostPortRace = err instanceof Error && err.message.includes('EADDRINUSE');
      if (!lostPortRace || attempt >= PORT_RACE_ATTEMPTS) throw err;
    }
  }
}

async function startOnFreshPorts(opts: StartOptions): Promise<OpenivsServer> {
  const ports: ServerPorts = {
    port: await freePort(),
    rtmpPort: await freePort(),
    rtmpsPort: opts.rtmps === true ? await freePort() : undefined,
    httpsPort: opts.https === true ? await freePort() : undefined,
    srtPort: opts.srt === true ? await freeUdpPort() : undefined,
  };
  const { port, rtmpPort, rtmpsPort, httpsPort, srtPort } = ports;
  const extraArgs = typeof opts.args === 'function' ? opts.args(ports) : (opts.args ?? []);
  const capture = opts.output !== 'inherit';
  const ownsDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'openivs-test-'));
  let log = '';
  const append = (chunk: Buffer) => {
    log += chunk.toString('utf8');
    if (log.length > LOG_LIMIT) log = log.slice(log.length - LOG_LIMIT);
  };
  let proc!: ChildProcess;
  let generation = 0;

  const launch = async () => {
    const args = [
      ...(opts.heapFlags === false ? [] : HEAP_FLAGS),
      ...(opts.nodeArgs ?? []),
      opts.entry ?? MAIN_JS,
      'start',
      '--http-port',
      String(port),
      '--rtmp-port',
      String(rtmpPort),
      '--data-dir',
      dataDir,
      '--host',
      '127.0.0.1',
      '--bind',
      '127.0.0.1',
      '--log-level',
      'warn',
      ...(rtmpsPort === undefined ? [] : ['--rtmps-port', String(rtmpsPort)]),
      ...(httpsPort === undefined ? [] : ['--https-port', String(httpsPort)]),
      '--srt-port',
      srtPort === undefined ? 'off' : String(srtPort),
      ...extraArgs,
    ];
    proc = spawn(process.execPath, args, {
      env: childEnv(opts.env),
      stdio: ['ignore', capture ? 'pipe' : 'ignore', capture ? 'pipe' : 'inherit'],
    });
    killOnExit(proc);
    generation++;
    proc.stdout?.on('data', append);
    proc.stderr?.on('data', append);
    await waitHealthy(proc, `http://127.0.0.1:${port}`, () => log);
  };

  const server: OpenivsServer = {
    url: `http://127.0.0.1:${port}`,
    ...ports,
    dataDir,
    get proc() {
      return proc;
    },
    get generation() {
      return generation;
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
      throw new Error(
        `openivs exited before becoming healthy (code ${exited.code}, signal ${exited.signal}).\n` +
          `--- server output ---\n${logs()}`,
      );
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
  throw new Error(
    `openivs did not become healthy within ${HEALTH_TIMEOUT_MS} ms (${lastError}).\n` + `--- server output ---\n${logs()}`,
  );
}
