// Real SRT callers for the SRT ingest tests — ffmpeg (Debian's build has libsrt) and srt-live-transmit from srt-tools
// — and a recording harness around SrtListener: connections, refusals, close reasons and what each connection's
// MPEG-TS demuxes to. The addon is required, not optional: without it these helpers throw SrtUnavailableError, whose
// message says to run scripts/install.sh, and the test fails.

import { spawn, type ChildProcess } from 'node:child_process';
import { TsDemuxer } from '../../src/media/ingest/mpegts/demuxer.js';
import type { SrtStats } from '../../src/media/ingest/srt/addon.js';
import type { SrtConnection } from '../../src/media/ingest/srt/connection.js';
import { SrtListener, type SrtListenerOptions, type SrtRefusal } from '../../src/media/ingest/srt/listener.js';
import { pollUntil, run, type ProcResult, type Running } from './live.js';
import { Collected } from './srt-media.js';

/** Query values go in raw, as users paste them into encoders (ffmpeg 5.1 does not percent-decode `streamid`). */
export function srtUrl(port: number, query: Record<string, string | number>): string {
  const q = Object.entries(query)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return `srt://127.0.0.1:${port}?${q}`;
}

/** ffmpeg sending a TS file (stream copy) over SRT, in real time unless told otherwise. */
export function ffmpegSendTs(file: string, url: string, realtime = true): Running {
  return run('ffmpeg', [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'warning',
    ...(realtime ? ['-re'] : []),
    '-i',
    file,
    '-c',
    'copy',
    '-f',
    'mpegts',
    url,
  ]);
}

/** ffmpeg encoding a test pattern live to SRT (for refusal tests: it fails at the handshake). */
export function ffmpegSendPattern(url: string, seconds: number): Running {
  return run('ffmpeg', [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'warning',
    '-re',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x240:rate=25',
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-f',
    'mpegts',
    url,
  ]);
}

export interface Pipeline {
  exited: Promise<ProcResult>;
  kill(): void;
}

/**
 * srt-live-transmit as the SRT caller, fed by ffmpeg (real time, stream copy, to stdout) or by nothing at all
 * (`file` null: stdin stays open and empty, a caller that connects and sends nothing). No auto-reconnect; it stops
 * itself after `seconds`.
 */
export function srtLiveTransmit(url: string, file: string | null, seconds: number): Pipeline {
  const slt = spawn('srt-live-transmit', ['-a', 'no', '-t', String(seconds), '-c', '1316', 'file://con', url], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let feeder: ChildProcess | null = null;
  if (file) {
    feeder = spawn(
      'ffmpeg',
      ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-i', file, '-c', 'copy', '-f', 'mpegts', 'pipe:1'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    feeder.stdout!.pipe(slt.stdin);
    slt.stdin.on('error', () => undefined); // srt-live-transmit may exit first (refused): EPIPE is expected
  }
  let output = '';
  const started = Date.now();
  slt.stdout.on('data', (d: Buffer) => (output += d.toString()));
  slt.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<ProcResult>((resolve) => {
    slt.on('close', (code, signal) => {
      feeder?.kill('SIGKILL');
      resolve({ code, signal, stdout: output, stderr: output, ms: Date.now() - started });
    });
  });
  return {
    exited,
    kill: () => {
      feeder?.kill('SIGKILL');
      if (slt.exitCode === null) slt.kill('SIGKILL');
    },
  };
}

export interface Recorded {
  conn: SrtConnection;
  media: Collected;
  demuxer: TsDemuxer;
  /** Stats read while the connection was live (on its first data). */
  liveStats: SrtStats | null;
  /** Data batches delivered (each is several SRT packets, see the addon's batchBytes / flushMs). */
  batches: number;
  closed?: { reason: string; stats: SrtStats };
}

/** An SrtListener on 127.0.0.1:0 that records everything and demuxes every accepted connection. */
export class RecordingListener {
  readonly listener: SrtListener;
  readonly connections: Recorded[] = [];
  readonly refusals: SrtRefusal[] = [];
  readonly errors: unknown[] = [];

  constructor(options: Partial<SrtListenerOptions> = {}) {
    this.listener = SrtListener.listen(
      { host: '127.0.0.1', port: 0, ...options },
      {
        connection: (conn) => {
          const media = new Collected();
          const rec: Recorded = { conn, media, demuxer: new TsDemuxer(media), liveStats: null, batches: 0 };
          this.connections.push(rec);
          conn.attach({
            data: (chunk, arrival) => {
              rec.liveStats ??= conn.stats();
              rec.batches++;
              rec.demuxer.push(chunk, arrival);
            },
            close: (reason, stats) => {
              rec.demuxer.end();
              rec.closed = { reason, stats };
            },
          });
        },
        refused: (r) => this.refusals.push(r),
        error: (err) => this.errors.push(err),
      },
    );
  }

  get port(): number {
    return this.listener.port;
  }

  async closedConnection(index = 0, timeoutMs = 20_000): Promise<Recorded & { closed: { reason: string; stats: SrtStats } }> {
    return pollUntil(
      `SRT connection ${index} to close`,
      () => {
        const rec = this.connections[index];
        return rec?.closed ? (rec as Recorded & { closed: { reason: string; stats: SrtStats } }) : undefined;
      },
      { timeoutMs, intervalMs: 50 },
    );
  }

  async refusal(count = 1, timeoutMs = 10_000): Promise<SrtRefusal> {
    return pollUntil(`${count} SRT refusal(s)`, () => (this.refusals.length >= count ? this.refusals[count - 1] : undefined), {
      timeoutMs,
      intervalMs: 50,
    });
  }
}
