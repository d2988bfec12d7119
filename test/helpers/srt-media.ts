// Real MPEG-TS for the SRT/TS tests, made by ffmpeg (libx264 + AAC, as encoders send over SRT), what ffprobe says
// about it, and a collector that records what the TsDemuxer hands to its PublishSession-shaped handler.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TsMediaHandler } from '../../src/media/ingest/mpegts/demuxer.js';
import type { AccessUnit, AudioTrackInfo, VideoTrackInfo } from '../../src/media/types.js';

const exec = promisify(execFile);

export interface TsOptions {
  seconds?: number;
  size?: string;
  rate?: number;
  /** B-frames (libx264 -bf); default 2, so PTS ≠ DTS is exercised. */
  bframes?: number;
  /** Audio encoder arguments; default AAC at 48 kHz stereo. [] for no audio. */
  audio?: string[];
  /** Video encoder arguments; default libx264 High profile. */
  video?: string[];
  /** Extra output arguments (before -f mpegts). */
  extra?: string[];
}

export function tempDir(prefix = 'openivs-srt-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Encodes testsrc2 + a tone to `<dir>/<name>.ts` and returns the path. */
export async function makeTs(dir: string, name: string, o: TsOptions = {}): Promise<string> {
  const out = join(dir, `${name}.ts`);
  const audio = o.audio ?? ['-c:a', 'aac', '-b:a', '96k', '-ac', '2'];
  await exec('ffmpeg', [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${o.size ?? '640x360'}:rate=${o.rate ?? 30}`,
    ...(audio.length > 0 ? ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'] : []),
    '-t',
    String(o.seconds ?? 3),
    ...(o.video ?? ['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-g', '30', '-bf', String(o.bframes ?? 2)]),
    ...audio,
    ...(o.extra ?? []),
    '-f',
    'mpegts',
    out,
  ]);
  return out;
}

export interface ProbedPacket {
  /** 90 kHz ticks as ffprobe reports them (the TS time base). */
  pts: number;
  dts: number;
  keyframe: boolean;
  size: number;
}

export interface Probe {
  width: number;
  height: number;
  video: ProbedPacket[];
  audio: ProbedPacket[];
}

/** ffprobe's view of a TS file: the H.264 stream's size and every video and audio packet. */
export async function probeTs(path: string): Promise<Probe> {
  const { stdout } = await exec(
    'ffprobe',
    [
      '-v',
      'error',
      '-show_streams',
      '-show_packets',
      '-of',
      'json',
      '-show_entries',
      'stream=index,codec_type,width,height:packet=stream_index,pts,dts,flags,size',
      path,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const json = JSON.parse(stdout) as {
    streams: Array<{ index: number; codec_type: string; width?: number; height?: number }>;
    packets: Array<{ stream_index: number; pts: number; dts?: number; flags: string; size: string }>;
  };
  const v = json.streams.find((s) => s.codec_type === 'video');
  const a = json.streams.find((s) => s.codec_type === 'audio');
  const pick = (index: number | undefined) =>
    json.packets
      .filter((p) => p.stream_index === index)
      .map((p) => ({
        pts: Number(p.pts),
        dts: Number(p.dts ?? p.pts),
        keyframe: p.flags.startsWith('K'),
        size: Number(p.size),
      }));
  return { width: v?.width ?? 0, height: v?.height ?? 0, video: pick(v?.index), audio: pick(a?.index) };
}

/** A TsMediaHandler that records everything. */
export class Collected implements TsMediaHandler {
  videoConfigs: VideoTrackInfo[] = [];
  audioConfigs: AudioTrackInfo[] = [];
  video: AccessUnit[] = [];
  audio: AccessUnit[] = [];
  unsupported: string[] = [];

  onVideoConfig(info: VideoTrackInfo): void {
    this.videoConfigs.push(info);
  }
  onAudioConfig(info: AudioTrackInfo): void {
    this.audioConfigs.push(info);
  }
  onAccessUnit(au: AccessUnit): void {
    (au.track === 'video' ? this.video : this.audio).push(au);
  }
  onUnsupported(description: string): void {
    this.unsupported.push(description);
  }
}

export function readTs(path: string): Buffer {
  return readFileSync(path);
}

/** 90 kHz ticks of a demuxed millisecond timestamp (exact: ms are ticks / 90). */
export const ticks = (ms: number): number => Math.round(ms * 90);

export interface FlvTag {
  type: number;
  timestamp: number;
  body: Buffer;
}

/** The tags of an FLV file (header and PreviousTagSize fields skipped), to compare with the RTMP/FLV path. */
export function flvTags(file: Buffer): FlvTag[] {
  const tags: FlvTag[] = [];
  let off = file.readUInt32BE(5) + 4;
  while (off + 11 <= file.length) {
    const size = file.readUIntBE(off + 1, 3);
    const timestamp = file.readUIntBE(off + 4, 3) | (file[off + 7]! << 24);
    tags.push({ type: file[off]!, timestamp, body: file.subarray(off + 11, off + 11 + size) });
    off += 11 + size + 4;
  }
  return tags;
}

/** Copies the media of a TS file into FLV (no re-encoding), as an RTMP encoder would send the same streams. */
export async function remuxToFlv(tsPath: string): Promise<Buffer> {
  const out = tsPath.replace(/\.ts$/, '.flv');
  await exec('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', tsPath, '-c', 'copy', '-f', 'flv', out]);
  return readFileSync(out);
}

/** NAL units of an AVCC buffer with 4-byte lengths, without AUD / SPS / PPS / filler (the packager adds its own). */
export function pictureNals(avcc: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off + 4 <= avcc.length;) {
    const len = avcc.readUInt32BE(off);
    const nal = avcc.subarray(off + 4, off + 4 + len);
    if (nal.length !== len) throw new Error(`AVCC length ${len} overruns the unit at ${off}`);
    if (![7, 8, 9, 12].includes(nal[0]! & 0x1f)) out.push(nal);
    off += 4 + len;
  }
  return out;
}

/** A deterministic PRNG (xorshift32) so that a failing mutation is reproducible from its seed. */
export function prng(seed: number): () => number {
  let x = seed | 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Splits a TS buffer into its 188-byte packets (views). */
export function tsPackets(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off + 188 <= buf.length; off += 188) out.push(buf.subarray(off, off + 188));
  return out;
}

export const pidOf = (packet: Buffer): number => ((packet[1]! & 0x1f) << 8) | packet[2]!;
