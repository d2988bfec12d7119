// Helpers for the live (ingest → playback → events) black-box tests: an ffmpeg publisher, ffprobe /
// ffmpeg readers, deadline polling, playlist fetching, and a signed-webhook receiver.

import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LivePublishOptions } from '../../devtools/ffmpeg.js';
import { clipPublishArgs } from './publish-clip.js';
import { parseMediaPlaylist, parseMultivariant, type MasterPlaylist, type MediaPlaylist } from './playlists.js';

export { rtmpUrl, rtmpsUrl } from '../../devtools/ffmpeg.js';
export type { MasterPlaylist, MediaPlaylist } from './playlists.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Polling

/**
 * Calls `fn` every `intervalMs` until it returns a value other than undefined/false, or throws
 * once `timeoutMs` has passed (with the last error or value in the message).
 */
export async function pollUntil<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 15_000, intervalMs = 250 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? `${last.name}: ${last.message}` : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`);
    }
    await sleep(intervalMs);
  }
}

/**
 * Calls `fn` every 200 ms until it returns a value other than undefined/false (errors from `fn` propagate), or throws
 * once `timeoutMs` has passed, with `detail()` (e.g. a page console) in the message.
 */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs: number,
  detail: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${detail()}`);
    await sleep(200);
  }
}

// ---------------------------------------------------------------------------------------------
// Child processes (ffmpeg / ffprobe), always reaped

const children = new Set<ChildProcess>();

/** Kills (SIGKILL) every ffmpeg/ffprobe started through this module that is still running. */
export function killAllChildren(): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
  children.clear();
}

export interface ProcResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall-clock milliseconds from spawn to exit. */
  ms: number;
}

export interface Running {
  proc: ChildProcess;
  readonly startedAt: number;
  /** Resolves when the process exits. */
  exited: Promise<ProcResult>;
  /** True once the process has exited. */
  done(): boolean;
  /** SIGKILL (if still running) and wait for exit. */
  kill(): Promise<ProcResult>;
}

export function run(cmd: string, args: string[]): Running {
  const startedAt = Date.now();
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => {
    if (stdout.length < 1 << 20) stdout += c.toString('utf8');
  });
  proc.stderr.on('data', (c: Buffer) => {
    if (stderr.length < 1 << 16) stderr += c.toString('utf8');
  });
  let finished = false;
  const exited = new Promise<ProcResult>((resolve) => {
    proc.on('error', (err) => {
      stderr += String(err);
    });
    proc.on('close', (code, signal) => {
      finished = true;
      children.delete(proc);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - startedAt });
    });
  });
  return {
    proc,
    startedAt,
    exited,
    done: () => finished,
    kill: async () => {
      if (!finished) proc.kill('SIGKILL');
      return exited;
    },
  };
}

/**
 * Publishes the test pattern + 440 Hz tone with ffmpeg (H.264 + AAC in FLV) to an rtmp:// or rtmps:// URL, in real
 * time: a pre-encoded clip in a loop (publish-clip.ts).
 */
export function publish(url: string, opts: LivePublishOptions = {}): Running {
  return run('ffmpeg', clipPublishArgs(url, opts));
}

// ---------------------------------------------------------------------------------------------
// Playback

export interface Fetched {
  status: number;
  headers: Headers;
  text: string;
  url: string;
}

export async function get(url: string, init: RequestInit = {}): Promise<Fetched> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, url };
}

/** Polls the multivariant playlist until it answers 200; returns the parsed playlist and its text. */
export async function waitForMultivariant(
  playbackUrl: string,
  timeoutMs = 20_000,
): Promise<{ res: Fetched; playlist: MasterPlaylist }> {
  const res = await pollUntil(
    'multivariant playlist 200',
    async () => {
      const r = await get(playbackUrl);
      return r.status === 200 ? r : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
  return { res, playlist: parseMultivariant(res.text) };
}

/** The absolute URL of the first variant's media playlist. */
export function firstVariantUrl(playbackUrl: string, master: MasterPlaylist): string {
  const v = master.variants[0];
  if (!v) throw new Error('multivariant playlist without variants');
  return new URL(v.uri, playbackUrl).href;
}

export async function getMediaPlaylist(url: string): Promise<{ res: Fetched; playlist: MediaPlaylist }> {
  const res = await get(url);
  if (res.status !== 200) throw new Error(`media playlist ${url} answered ${res.status}: ${res.text}`);
  return { res, playlist: parseMediaPlaylist(res.text) };
}

/** mediaSequenceNumber + segment count: the sequence number one past the newest segment. */
export function playlistEnd(p: MediaPlaylist): number {
  return (p.mediaSequenceBase ?? 0) + p.segments.length;
}

// ---------------------------------------------------------------------------------------------
// Webhook receiver

export interface ReceivedEvent {
  id: string;
  detailType: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  envelope: any;
  signatureValid: boolean;
  headers: Record<string, string | string[] | undefined>;
  receivedAt: number;
}

export interface WebhookReceiver {
  url: string;
  /** Every delivery, in arrival order (duplicates included). */
  all: ReceivedEvent[];
  /** First delivery of each event id, in arrival order. */
  unique(): ReceivedEvent[];
  /** State-change event names for a stream id, in arrival order (de-duplicated). */
  stateNames(streamId: string): string[];
  close(): Promise<void>;
}

/** The signature an openivs webhook should carry, computed independently of the server code. */
export function expectedSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export async function startWebhookReceiver(secret: string | undefined): Promise<WebhookReceiver> {
  const all: ReceivedEvent[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let envelope: unknown;
      try {
        envelope = JSON.parse(body);
      } catch {
        envelope = { unparsable: body };
      }
      const ts = req.headers['x-openivs-timestamp'];
      const sig = req.headers['x-openivs-signature'];
      let signatureValid = false;
      if (secret !== undefined && typeof ts === 'string' && typeof sig === 'string') {
        const exp = Buffer.from(expectedSignature(secret, ts, body));
        const given = Buffer.from(sig);
        signatureValid =
          exp.length === given.length && timingSafeEqual(exp, given) && Math.abs(Date.now() / 1000 - Number(ts)) < 300;
      }
      const env = envelope as { id?: string; 'detail-type'?: string };
      all.push({
        id: String(req.headers['x-openivs-event-id'] ?? env.id ?? ''),
        detailType: String(env['detail-type'] ?? ''),
        envelope,
        signatureValid,
        headers: { ...req.headers },
        receivedAt: Date.now(),
      });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const unique = () => {
    const seen = new Set<string>();
    return all.filter((e) => (seen.has(e.id) ? false : (seen.add(e.id), true)));
  };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    all,
    unique,
    stateNames: (streamId) =>
      unique()
        .filter((e) => e.detailType === 'IVS Stream State Change' && e.envelope.detail?.stream_id === streamId)
        .map((e) => String(e.envelope.detail.event_name)),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
