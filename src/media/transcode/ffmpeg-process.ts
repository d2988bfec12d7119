// The ffmpeg child as an OS process: spawning with one pipe per rendition, making sure it dies with its
// stream and with this process, turning its stderr into log lines, and checking at startup that a usable
// ffmpeg exists. No media logic lives here.
//
// Dying with the parent needs no prctl: stdin is the lifeline. ffmpeg reads its input from our pipe, so when
// this process ends for any reason (even SIGKILL) the kernel closes the pipe, ffmpeg sees end of input,
// flushes into pipes nobody reads any more and exits. On an orderly exit we also SIGKILL what is left.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import type { Logger } from 'pino';

/**
 * What supervision needs of the process: a local ChildProcess, or a relay to an ffmpeg on another node (whose
 * broken connection then counts as an exit, so the same restart logic reconnects it).
 */
export interface FfmpegHandle {
  /** The OS pid; 0 for a relayed ffmpeg (its process is on another node); undefined when it never started. */
  readonly pid?: number | undefined;
  kill(signal?: NodeJS.Signals): boolean;
  once(event: 'close', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  once(event: 'error', listener: (err: Error) => void): this;
}

export interface FfmpegChild {
  child: FfmpegHandle;
  stdin: Writable;
  stderr: Readable;
  /** One readable pipe per output, in ladder order (fd 3, 4, …). */
  outputs: Readable[];
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

export function spawnFfmpeg(path: string, args: string[], outputs: number): FfmpegChild {
  const stdio = ['pipe', 'ignore', 'pipe', ...Array.from({ length: outputs }, () => 'pipe' as const)] as const;
  const child = spawn(path, args, { stdio: [...stdio] });
  trackUntilExit(child);
  const pipes = child.stdio.slice(3) as Readable[];
  return { child, stdin: child.stdin!, stderr: child.stderr!, outputs: pipes };
}

/** Live ffmpeg children of this process (for tests and diagnostics). */
export function liveChildren(): number {
  return live.size;
}

function trackUntilExit(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  live.add(child);
  const forget = (): void => {
    live.delete(child);
  };
  child.once('exit', forget);
  child.once('error', () => {
    if (child.exitCode !== null || child.pid === undefined) forget();
  });
}

/**
 * ffmpeg stderr → log. With `-loglevel level+…` every line starts with `[error]`, `[warning]`, …; errors go
 * out at warn, the rest at debug. A child that loops on one error would flood the log, so each child gets a
 * budget of warn lines before the rest are demoted to debug. Inputs are pipes: no stream key can appear here.
 */
export function logStderr(stderr: Readable, log: Logger, context: Record<string, unknown>, warnBudget = 20): void {
  let partial = '';
  let warned = 0;
  stderr.setEncoding('utf8');
  stderr.on('data', (text: string) => {
    const lines = (partial + text).split(/\r?\n|\r/);
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      const serious = /\[(error|fatal|panic)\]/.test(line);
      if (serious && warned < warnBudget) {
        warned++;
        log.warn({ ...context, ffmpeg: line }, warned === warnBudget ? 'ffmpeg error (further ones at debug)' : 'ffmpeg error');
      } else {
        log.debug({ ...context, ffmpeg: line }, 'ffmpeg');
      }
    }
  });
}

export interface FfmpegCheck {
  ok: boolean;
  version?: string;
  /** Why not ok: not found, not runnable, or missing the libx264 / aac encoders the ladder needs. */
  reason?: string;
}

/** Startup check: runs `ffmpeg -version` and `-encoders`; never throws. */
export async function detectFfmpeg(path = 'ffmpeg'): Promise<FfmpegCheck> {
  try {
    // Both at once: this runs during start-up, before the server answers.
    const [versionText, encoders] = await Promise.all([
      run(path, ['-hide_banner', '-version']),
      run(path, ['-hide_banner', '-encoders']),
    ]);
    const version = /ffmpeg version (\S+)/.exec(versionText)?.[1];
    const missing = ['libx264', 'aac'].filter((e) => !new RegExp(`^\\s*\\S+\\s+${e}\\s`, 'm').test(encoders));
    if (missing.length > 0)
      return { ok: false, ...(version ? { version } : {}), reason: `ffmpeg lacks encoder(s): ${missing.join(', ')}` };
    return { ok: true, ...(version ? { version } : {}) };
  } catch (err) {
    return { ok: false, reason: `cannot run ${path}: ${(err as Error).message}` };
  }
}

const execFileAsync = promisify(execFile);

async function run(path: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(path, args, { timeout: 10_000, maxBuffer: 4 * 1024 * 1024 });
  return stdout;
}
