// The ffmpeg command line for one STANDARD stream (pure): FLV in on stdin, one FLV output per rendition on
// its own pipe (fd 3, 4, …). Every choice here serves one goal: renditions whose keyframes and timestamps
// line up with the source, so the packager can cut all variants (source included) at the same instants.
//  - `-copyts` + `-enc_time_base -1`: output timestamps are the source's milliseconds, not shifted to 0 and
//    not rounded onto a 1/fps grid (that rounding moved keyframes by a few ms and let the fps logic drop them).
//  - `-force_key_frames source`: an IDR wherever the source has one; `-sc_threshold 0` stops scene-cut IDRs;
//    `-g` is only a safety net for sources with very long GOPs.
//  - Frame-rate reduction (60 → 30) uses a `select` filter that always keeps keyframes and restarts its
//    cadence at them; `-r`/`fps` drop frames by grid position and lose source keyframes that fall between.
//  - `-r` still tells the encoder the real output rate, which x264's rate control budgets bits by.
//  - No `-fflags nobuffer` (it discards the packets read while probing: the first GOP) and no
//    `-flags low_delay` on input (breaks decoding of sources with B-frames).

import type { Rendition } from './ladder.js';

export type X264Preset = 'veryfast' | 'superfast' | 'ultrafast';

export interface FfmpegArgsOptions {
  x264Preset: X264Preset;
  /** libx264 threads per rendition; unset lets x264 choose (about 1.5× the cores, each). */
  threads?: number | undefined;
  /** The source's frame rate; rungs running slower than it get the decimating `select` filter. */
  sourceFrameRate?: number | undefined;
  /** Longest GOP x264 may make on its own when the source sends no keyframe (default 10 s). */
  maxGopSeconds?: number | undefined;
  /** How long ffmpeg may probe the input before starting (default 1000 ms; ffmpeg's own default is 5 s). */
  probeMs?: number | undefined;
  /** ffmpeg log level for stderr (default `warning`). */
  logLevel?: 'error' | 'warning' | 'info' | 'verbose' | undefined;
}

/** First output fd: 0-2 are stdin/stdout/stderr. */
export const FIRST_OUTPUT_FD = 3;

export function ffmpegArgs(ladder: readonly Rendition[], opts: FfmpegArgsOptions): string[] {
  const probeUs = String(Math.round((opts.probeMs ?? 1000) * 1000));
  const args = [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel',
    `level+${opts.logLevel ?? 'warning'}`,
    // probesize is generous so analyzeduration is the bound that applies, whatever the input bitrate.
    '-probesize',
    '5000000',
    '-analyzeduration',
    probeUs,
    '-f',
    'flv',
    '-i',
    'pipe:0',
    '-copyts',
  ];
  ladder.forEach((r, i) => args.push(...renditionArgs(r, FIRST_OUTPUT_FD + i, opts)));
  return args;
}

const kbps = (bps: number): string => `${Math.round(bps / 1000)}k`;

/** FLV out on `fd`, with the muxer settings every output shares. */
function flvOutput(fd: number): string[] {
  // Without a cap the muxer may hold video up to 10 s waiting for audio that stopped arriving.
  return ['-max_interleave_delta', '1000000', '-flvflags', 'no_duration_filesize', '-f', 'flv', `pipe:${fd}`];
}

function renditionArgs(r: Rendition, fd: number, opts: FfmpegArgsOptions): string[] {
  if (r.audioOnly) return ['-map', '0:a:0', '-vn', '-c:a', 'aac', '-b:a', kbps(r.audioBitrate), ...flvOutput(fd)];
  const filters = [`scale=${r.width}:${r.height}`];
  if (opts.sourceFrameRate !== undefined && opts.sourceFrameRate > r.frameRate * 1.1) filters.unshift(selectFilter(r.frameRate));
  const gop = Math.max(1, Math.round(r.frameRate * (opts.maxGopSeconds ?? 10)));
  return [
    '-map',
    '0:v:0',
    '-map',
    '0:a:0?',
    '-vf',
    filters.join(','),
    '-pix_fmt',
    'yuv420p',
    '-c:v',
    'libx264',
    '-preset',
    opts.x264Preset,
    '-tune',
    'zerolatency',
    '-profile:v',
    r.profile,
    '-level:v',
    (r.level / 10).toFixed(1),
    '-b:v',
    kbps(r.videoBitrate),
    '-maxrate',
    kbps(r.videoBitrate),
    '-bufsize',
    kbps(r.videoBitrate * 2),
    '-r',
    rate(r.frameRate),
    '-enc_time_base:v',
    '-1',
    '-g',
    String(gop),
    '-sc_threshold',
    '0',
    '-force_key_frames',
    'source',
    ...(opts.threads !== undefined ? ['-threads', String(opts.threads)] : []),
    ...(r.audioCopy ? ['-c:a', 'copy'] : ['-c:a', 'aac', '-b:a', kbps(r.audioBitrate)]),
    ...flvOutput(fd),
  ];
}

/**
 * Keeps a frame when it is a keyframe or at least ~0.9 output frame intervals after the last kept one. The
 * 0.9 absorbs RTMP's millisecond jitter (16/17 ms at 60 fps); keying on `key` keeps every source IDR.
 */
export function selectFilter(frameRate: number): string {
  const minGap = (0.9 / frameRate).toFixed(4);
  return `select='isnan(prev_selected_t)+key+gte(t-prev_selected_t\\,${minGap})'`;
}

/** 30 → "30", 29.97… → "30000/1001", anything else to the millisecond-frame. */
export function rate(fps: number): string {
  if (Number.isInteger(fps)) return String(fps);
  const ntsc = Math.round((fps * 1001) / 1000);
  if (Math.abs((ntsc * 1000) / 1001 - fps) < 0.001) return `${ntsc * 1000}/1001`;
  return fps.toFixed(3);
}
