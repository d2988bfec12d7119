// What a node sends another node to run a transcode for it (pure): the ladder and the argument options, never a
// command line. The receiving node rebuilds the command line itself (ffmpeg-args.ts), so a peer holding the
// cluster secret can make it encode a ladder, not read or write its files through ffmpeg options. Every field is
// checked against the ranges the ladders produce, with room to spare.

import { ffmpegArgs, type FfmpegArgsOptions } from './ffmpeg-args.js';
import { AUDIO_ONLY, audioOnlyRendition, type Rendition } from './rendition.js';

export interface RelaySpec {
  ladder: Rendition[];
  options: FfmpegArgsOptions;
}

const MAX_RUNGS = 8;
const PRESETS = new Set(['veryfast', 'superfast', 'ultrafast']);
const LOG_LEVELS = new Set(['error', 'warning', 'info', 'verbose']);

const num = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
const int = (v: unknown, min: number, max: number): v is number => num(v, min, max) && Number.isInteger(v);
const optional = (v: unknown, check: (v: unknown) => boolean): boolean => v === undefined || check(v);

function rendition(v: unknown): Rendition | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as Record<string, unknown>;
  if (r.audioOnly === true) {
    return r.name === AUDIO_ONLY && int(r.audioBitrate, 8_000, 1_000_000) ? audioOnlyRendition(r.audioBitrate) : undefined;
  }
  const ok =
    typeof r.name === 'string' &&
    /^\d{2,4}p(30|60)$/.test(r.name) &&
    int(r.width, 2, 8192) &&
    int(r.height, 2, 8192) &&
    r.width % 2 === 0 &&
    r.height % 2 === 0 &&
    num(r.frameRate, 1, 240) &&
    int(r.videoBitrate, 10_000, 100_000_000) &&
    int(r.audioBitrate, 0, 1_000_000) &&
    typeof r.audioCopy === 'boolean' &&
    (r.profile === 'main' || r.profile === 'high') &&
    int(r.level, 10, 62);
  if (!ok) return undefined;
  const { name, width, height, frameRate, videoBitrate, audioBitrate, audioCopy, profile, level } = r as unknown as Rendition;
  return { name, width, height, frameRate, videoBitrate, audioBitrate, audioCopy, profile, level };
}

function options(v: unknown): FfmpegArgsOptions | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const ok =
    typeof o.x264Preset === 'string' &&
    PRESETS.has(o.x264Preset) &&
    optional(o.threads, (x) => int(x, 1, 64)) &&
    optional(o.sourceFrameRate, (x) => num(x, 1, 240)) &&
    optional(o.maxGopSeconds, (x) => num(x, 1, 60)) &&
    optional(o.probeMs, (x) => int(x, 0, 10_000)) &&
    optional(o.logLevel, (x) => typeof x === 'string' && LOG_LEVELS.has(x));
  if (!ok) return undefined;
  const { x264Preset, threads, sourceFrameRate, maxGopSeconds, probeMs, logLevel } = o as unknown as FfmpegArgsOptions;
  return { x264Preset, threads, sourceFrameRate, maxGopSeconds, probeMs, logLevel };
}

/** A spec received from a peer, checked field by field; undefined when anything is off. */
export function parseRelaySpec(value: unknown): RelaySpec | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { ladder, options: opts } = value as Record<string, unknown>;
  if (!Array.isArray(ladder) || ladder.length < 1 || ladder.length > MAX_RUNGS) return undefined;
  const rungs = ladder.map(rendition);
  const parsed = options(opts);
  if (parsed === undefined || rungs.some((r) => r === undefined)) return undefined;
  return { ladder: rungs as Rendition[], options: parsed };
}

/** The command line the receiving node runs for a checked spec. */
export function relayArgs(spec: RelaySpec): string[] {
  return ffmpegArgs(spec.ladder, spec.options);
}
