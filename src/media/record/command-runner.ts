// Short-lived commands (the thumbnail ffmpeg) run from a small long-lived helper process instead of from the server.
// Why: node spawns with fork + exec, and fork copies the parent's page tables, so its cost grows with the parent's
// memory. bench:record measured ~30-40 ms of main-thread time per spawn from a server holding 20 live streams (a few
// hundred MB), a third of what recording added; from the ~50 MB helper a spawn costs about a millisecond. The helper
// (command-runner-child.ts) is forked on first use, talks over node's IPC channel, and exits when that channel
// closes, so it dies with the server even on kill -9. `runCommand` is the plain local run, which the helper itself
// uses and which is the fallback when the helper cannot be started.

import { fork, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface CommandOptions {
  /** SIGKILL after this long; the result then has timedOut. */
  timeoutMs: number;
  /** stdout beyond this many bytes is dropped (and the result marked truncated). */
  maxStdoutBytes: number;
}

export interface CommandResult {
  code: number | null;
  signal: string | null;
  stdout: Buffer;
  truncated: boolean;
  /** The last ~2,000 characters of stderr. */
  stderr: string;
  timedOut: boolean;
  /** Set when the command could not be started (e.g. ENOENT). */
  error?: string;
}

export type RunCommand = (file: string, args: readonly string[], opts: CommandOptions) => Promise<CommandResult>;

const STDERR_LIMIT = 2_000;
/** Commands this process runs now, for killRunning(). */
const live = new Set<ChildProcess>();

/** SIGKILLs every command this process still runs (the helper, when the server is gone). */
export function killRunning(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** Runs a command in this process (fork + exec from here); never rejects. */
export const runCommand: RunCommand = (file, args, opts) =>
  new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    let stderr = '';
    let timedOut = false;
    let error: string | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.stdout.on('data', (c: Buffer) => {
      if (size + c.length > opts.maxStdoutBytes) truncated = true;
      else chunks.push(c);
      size += c.length;
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString('utf8')).slice(-STDERR_LIMIT);
    });
    child.once('error', (err) => {
      error = err.message;
    });
    child.once('close', (code, signal) => {
      live.delete(child);
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(chunks), truncated, stderr, timedOut, error });
    });
  });

/** A request to the helper and its answer (node's IPC with `serialization: 'advanced'` carries the Buffer). */
export interface RunRequest {
  id: number;
  file: string;
  args: string[];
  opts: CommandOptions;
}
export interface RunResponse {
  id: number;
  result: CommandResult;
}

/** The parent's answer when the helper does not answer in time: its timeout plus this margin. */
const HELPER_GRACE_MS = 5_000;
const CHILD_SCRIPT = fileURLToPath(new URL('./command-runner-child.js', import.meta.url));

export class CommandRunner {
  private helper: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (r: CommandResult) => void>();
  private closed = false;

  /** Runs `file` in the helper; falls back to a local run when the helper cannot be used. Never rejects. */
  run: RunCommand = async (file, args, opts) => {
    const helper = this.closed ? undefined : this.ensureHelper();
    if (!helper) return runCommand(file, args, opts);
    const id = this.nextId++;
    const answer = new Promise<CommandResult>((resolve) => {
      const timer = setTimeout(() => {
        // A wedged helper is replaced; its children are killed as it goes.
        if (this.pending.delete(id)) resolve(failed('the command helper did not answer'));
        this.dropHelper(helper);
      }, opts.timeoutMs + HELPER_GRACE_MS);
      timer.unref();
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
    // Referenced while a command is pending, so that its answer, or the helper's exit, is waited for.
    helper.ref();
    helper.channel?.ref();
    const request: RunRequest = { id, file, args: [...args], opts };
    helper.send(request, (err) => {
      if (err) this.settle(id, failed(`the command helper is gone: ${err.message}`));
    });
    return answer;
  };

  /** The helper's pid while it runs (tests). */
  get helperPid(): number | undefined {
    return this.helper?.pid;
  }

  /** Stops the helper (server shutdown); commands still running get a failed result. */
  close(): void {
    this.closed = true;
    if (this.helper) this.dropHelper(this.helper);
  }

  private ensureHelper(): ChildProcess | undefined {
    if (this.helper) return this.helper;
    let helper: ChildProcess;
    try {
      helper = fork(CHILD_SCRIPT, [], {
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        // The helper needs none of the server's flags (heap sizes, profilers).
        execArgv: [],
      });
    } catch {
      return undefined;
    }
    this.helper = helper;
    helper.on('message', (msg: RunResponse) => this.settle(msg.id, msg.result));
    helper.once('exit', () => this.dropHelper(helper));
    helper.once('error', () => this.dropHelper(helper));
    helper.unref();
    helper.channel?.unref();
    return helper;
  }

  private settle(id: number, result: CommandResult): void {
    const resolve = this.pending.get(id);
    if (!resolve) return;
    this.pending.delete(id);
    resolve(result);
    if (this.pending.size === 0) {
      this.helper?.unref();
      this.helper?.channel?.unref();
    }
  }

  private dropHelper(helper: ChildProcess): void {
    if (this.helper !== helper) return;
    this.helper = undefined;
    helper.kill('SIGKILL');
    for (const id of [...this.pending.keys()]) this.settle(id, failed('the command helper exited'));
  }
}

function failed(error: string): CommandResult {
  return { code: null, signal: null, stdout: Buffer.alloc(0), truncated: false, stderr: '', timedOut: false, error };
}
