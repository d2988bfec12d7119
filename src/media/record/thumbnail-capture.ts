// Thumbnails for recordings: one JPEG grabbed from a recorded file by an ffmpeg child process, and the mapping
// from a recording configuration's thumbnail `resolution` to a target height. ffmpeg runs once per thumbnail
// (every targetIntervalSeconds, 1-60 s), so a short-lived process is cheap enough and keeps no state to
// supervise; a hard deadline stops a wedged one from piling up.

import { spawn } from 'node:child_process';

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

const STDERR_LIMIT = 2_000;

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
export function captureThumbnail(opts: CaptureOptions): Promise<Buffer> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const child = spawn(opts.ffmpegPath, thumbnailArgs(opts), { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString('utf8')).slice(-STDERR_LIMIT);
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`thumbnail: cannot run ${opts.ffmpegPath}: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const jpeg = Buffer.concat(chunks);
      const why = stderr.trim().split('\n').slice(-3).join(' | ');
      if (timedOut) reject(new Error(`thumbnail: ffmpeg did not finish within ${timeoutMs} ms`));
      else if (code !== 0) reject(new Error(`thumbnail: ffmpeg exited with ${code ?? signal}: ${why || 'no message'}`));
      else if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) {
        reject(new Error(`thumbnail: no frame at ${opts.offsetSeconds} s in ${opts.inputPath}${why ? `: ${why}` : ''}`));
      } else resolve(jpeg);
    });
  });
}
