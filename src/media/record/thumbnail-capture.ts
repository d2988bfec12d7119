// Thumbnails for recordings: one JPEG grabbed from a recorded file by an ffmpeg child process, and the mapping
// from a recording configuration's thumbnail `resolution` to a target height. ffmpeg runs once per thumbnail
// (every targetIntervalSeconds, 1-60 s), so a short-lived process keeps no state to supervise; the server passes
// the command helper's run (command-runner.ts), which spawns it cheaply. A hard deadline stops a wedged one.

import { runCommand, type RunCommand } from './command-runner.js';

/** ThumbnailConfigurationResolution in the model. */
export type ThumbnailResolution = 'LOWEST_RESOLUTION' | 'SD' | 'HD' | 'FULL_HD';

/**
 * Target height for a configured resolution, as IVS's renditions: SD 480p, HD 720p, FULL_HD 1080p, and the
 * lowest ladder rung (160p) for LOWEST_RESOLUTION. undefined (no resolution configured) means source size.
 * A target above the source is not reached: captureThumbnail never upscales.
 */
export function thumbnailHeight(resolution: ThumbnailResolution | undefined): number | undefined {
  switch (resolution) {
    case 'LOWEST_RESOLUTION':
      return 160;
    case 'SD':
      return 480;
    case 'HD':
      return 720;
    case 'FULL_HD':
      return 1080;
    default:
      return undefined;
  }
}

export interface CaptureOptions {
  ffmpegPath: string;
  /** A media file ffmpeg can read (a recorded .ts segment). */
  inputPath: string;
  /** Position of the frame in the file, in seconds (the nearest decodable frame at or after it). */
  offsetSeconds: number;
  /** Scale down to this height, width following the aspect ratio (even); undefined: source size. */
  height?: number;
  /** Kill ffmpeg after this long (default 10 s). */
  timeoutMs?: number;
}

/** A 1080p JPEG at -q:v 3 is well under 1 MB; more means something else came out. */
const JPEG_LIMIT = 16 * 1024 * 1024;

/** The ffmpeg arguments: input seeking, one frame, no audio, a JPEG on stdout. */
export function thumbnailArgs(opts: CaptureOptions): string[] {
  const offset = Math.max(0, opts.offsetSeconds);
  const scale = opts.height === undefined ? [] : ['-vf', `scale=-2:'min(${Math.round(opts.height)},ih)'`];
  return [
    // One frame needs no decoder or encoder threads; their start-up is most of a run's CPU after exec itself.
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-threads',
    '1',
    '-ss',
    offset.toFixed(3),
    '-i',
    opts.inputPath,
    '-map',
    '0:v:0',
    '-frames:v',
    '1',
    '-an',
    '-sn',
    '-dn',
    ...scale,
    '-c:v',
    'mjpeg',
    '-q:v',
    '3',
    '-f',
    'image2pipe',
    'pipe:1',
  ];
}

/** Resolves with the JPEG bytes; rejects with ffmpeg's own message (stderr tail) when no frame came out. */
export async function captureThumbnail(opts: CaptureOptions, run: RunCommand = runCommand): Promise<Buffer> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const r = await run(opts.ffmpegPath, thumbnailArgs(opts), { timeoutMs, maxStdoutBytes: JPEG_LIMIT });
  const jpeg = r.stdout;
  const why = r.stderr.trim().split('\n').slice(-3).join(' | ');
  if (r.error !== undefined) throw new Error(`thumbnail: cannot run ${opts.ffmpegPath}: ${r.error}`);
  if (r.timedOut) throw new Error(`thumbnail: ffmpeg did not finish within ${timeoutMs} ms`);
  if (r.code !== 0) throw new Error(`thumbnail: ffmpeg exited with ${r.code ?? r.signal}: ${why || 'no message'}`);
  if (r.truncated) throw new Error(`thumbnail: ffmpeg wrote more than ${JPEG_LIMIT} bytes`);
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) {
    throw new Error(`thumbnail: no frame at ${opts.offsetSeconds} s in ${opts.inputPath}${why ? `: ${why}` : ''}`);
  }
  return jpeg;
}
