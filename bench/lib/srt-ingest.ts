// Sketch of the SRT column for `bench:ingest` (issue 16): CPU per stream of the in-process SRT ingest (libsrt's
// threads + the addon + TsDemuxer) next to the in-process RTMP ingest (net + chunk stream + FLV) for the same media,
// measured in one run. Each side ends in a PublishSession that only counts access units, so what is compared is
// ingest alone (no packaging). The clip is bench/lib/media.ts's FLV clip, and the SRT publishers send the very same
// streams remuxed to MPEG-TS (stream copy). CPU is process.cpuUsage() of this process over the window: it includes
// libsrt's receiver and our I/O thread, which is the real cost of SRT here. Also: demuxer throughput next to FLV tag
// parsing of the same media (single thread, no I/O).

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { audioTrackInfo, videoTrackInfo } from '../../src/media/ingest/avc-config.js';
import { parseAudioTag, parseVideoTag } from '../../src/media/ingest/flv.js';
import { createIngestServer } from '../../src/media/ingest/index.js';
import { TsDemuxer } from '../../src/media/ingest/mpegts/demuxer.js';
import type { PublishSession } from '../../src/media/ingest/ports.js';
import { SrtListener } from '../../src/media/ingest/srt/listener.js';
import { feedPublishSession } from '../../src/media/ingest/srt/publish-bridge.js';
import { loopClipArgs } from '../../devtools/ffmpeg.js';
import type { Clip } from './media.js';
import { killGroup, sleep, spawnGroup, type GroupChild } from './processes.js';

export interface IngestCpu {
  protocol: 'srt' | 'rtmp';
  streams: number;
  windowSeconds: number;
  /** % of one core per stream, this whole process (all threads). */
  cpuPerStream: number;
  /** Access units delivered per second per stream during the window (sanity: ~30 video + ~47 audio). */
  unitsPerSecondPerStream: number;
}

/** The clip's streams in MPEG-TS (stream copy), what an SRT encoder sends for the same media. */
export async function clipAsTs(clip: Clip): Promise<string> {
  const out = clip.path.replace(/\.flv$/, '.ts');
  await new Promise<void>((resolve, reject) => {
    const p = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', clip.path, '-c', 'copy', '-f', 'mpegts', out]);
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg remux to TS exited ${code}`))));
  });
  return out;
}

class CountingSession implements PublishSession {
  units = 0;
  onMetadata(): void {}
  onVideoConfig(): void {}
  onAudioConfig(): void {}
  onAccessUnit(): void {
    this.units++;
  }
  onUnsupported(): void {}
  onEnd(): void {}
}

function publisher(input: string, format: 'mpegts' | 'flv', url: string): GroupChild {
  return spawnGroup('ffmpeg', loopClipArgs(input, format, url));
}

/** Ramp, then measure this process's CPU over the window while the publishers run. */
async function window(
  sessions: CountingSession[],
  rampSeconds: number,
  windowSeconds: number,
): Promise<{ cpu: number; units: number }> {
  await sleep(rampSeconds * 1000);
  const units0 = sessions.reduce((n, s) => n + s.units, 0);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(windowSeconds * 1000);
  const cpu = process.cpuUsage(cpu0);
  const elapsed = (performance.now() - t0) / 1000;
  return { cpu: (cpu.user + cpu.system) / 1e6 / elapsed, units: sessions.reduce((n, s) => n + s.units, 0) - units0 };
}

export async function measureSrtIngest(
  tsClip: string,
  streams: number,
  rampSeconds: number,
  windowSeconds: number,
): Promise<IngestCpu> {
  const sessions: CountingSession[] = [];
  const listener = SrtListener.listen(
    { host: '127.0.0.1', port: 0, maxConnections: streams + 4 },
    {
      connection: (conn) => {
        const session = new CountingSession();
        sessions.push(session);
        feedPublishSession(conn, session, pino({ level: 'silent' }));
      },
      error: (err) => console.error('srt ingest error', err),
    },
  );
  const publishers: GroupChild[] = [];
  try {
    for (let i = 0; i < streams; i++) {
      const key = `bench-srt-key-${i}`;
      // Unencrypted, as in bench:ingest: the RTMP side it is compared with is plaintext too.
      listener.setKey(key, null);
      publishers.push(publisher(tsClip, 'mpegts', `srt://127.0.0.1:${listener.port}?streamid=${key}`));
    }
    const { cpu, units } = await window(sessions, rampSeconds, windowSeconds);
    return {
      protocol: 'srt',
      streams,
      windowSeconds,
      cpuPerStream: (100 * cpu) / streams,
      unitsPerSecondPerStream: units / windowSeconds / streams,
    };
  } finally {
    await Promise.all(publishers.map((p) => killGroup(p.child)));
    await listener.close();
  }
}

export async function measureRtmpIngest(
  flvClip: string,
  streams: number,
  rampSeconds: number,
  windowSeconds: number,
): Promise<IngestCpu> {
  const sessions: CountingSession[] = [];
  const server = createIngestServer({
    hooks: {
      log: pino({ level: 'silent' }),
      authorize: async () => {
        const session = new CountingSession();
        sessions.push(session);
        return { ok: true, session };
      },
    },
  });
  const { port } = await server.listen(0, '127.0.0.1');
  const publishers: GroupChild[] = [];
  try {
    for (let i = 0; i < streams; i++)
      publishers.push(publisher(flvClip, 'flv', `rtmp://127.0.0.1:${port}/app/bench-rtmp-key-${i}`));
    const { cpu, units } = await window(sessions, rampSeconds, windowSeconds);
    return {
      protocol: 'rtmp',
      streams,
      windowSeconds,
      cpuPerStream: (100 * cpu) / streams,
      unitsPerSecondPerStream: units / windowSeconds / streams,
    };
  } finally {
    await Promise.all(publishers.map((p) => killGroup(p.child)));
    await server.close();
  }
}

export interface ParseThroughput {
  what: string;
  /** Input megabytes parsed per second of CPU. */
  mbPerSecond: number;
  /** CPU microseconds per second of media (the per-stream parsing cost). */
  usPerMediaSecond: number;
}

/** TsDemuxer over the TS clip in 1316-byte chunks (as SRT delivers), `rounds` times. */
export function demuxThroughput(tsPath: string, mediaSeconds: number, rounds: number): ParseThroughput {
  const ts = readFileSync(tsPath);
  const handler = { onVideoConfig() {}, onAudioConfig() {}, onAccessUnit() {}, onUnsupported() {} };
  return time('TsDemuxer (MPEG-TS, 1316-byte chunks)', ts.length, mediaSeconds, rounds, () => {
    const d = new TsDemuxer(handler);
    for (let off = 0; off < ts.length; off += 1316) d.push(ts.subarray(off, off + 1316));
    d.end();
  });
}

/** The RTMP path's per-tag work on the same media: FLV tag parsing and sequence-header decoding. */
export function flvParseThroughput(flvPath: string, mediaSeconds: number, rounds: number): ParseThroughput {
  const flv = readFileSync(flvPath);
  return time('FLV tags (RTMP path: parseVideoTag/parseAudioTag)', flv.length, mediaSeconds, rounds, () => {
    let off = flv.readUInt32BE(5) + 4;
    while (off + 11 <= flv.length) {
      const size = flv.readUIntBE(off + 1, 3);
      const body = flv.subarray(off + 11, off + 11 + size);
      if (flv[off] === 9) {
        const t = parseVideoTag(body);
        if (t.kind === 'config') videoTrackInfo(t.record, undefined);
      } else if (flv[off] === 8) {
        const t = parseAudioTag(body);
        if (t.kind === 'config') audioTrackInfo(t.asc);
      }
      off += 15 + size;
    }
  });
}

function time(what: string, bytes: number, mediaSeconds: number, rounds: number, fn: () => void): ParseThroughput {
  fn(); // warm up the JIT
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < rounds; i++) fn();
  const cpu = process.cpuUsage(cpu0);
  const seconds = (cpu.user + cpu.system) / 1e6;
  return { what, mbPerSecond: (bytes * rounds) / 1e6 / seconds, usPerMediaSecond: (seconds * 1e6) / (rounds * mediaSeconds) };
}
