// The tests' ffmpeg publisher sends a pre-encoded clip of the test pattern in a loop, in real time and without
// re-encoding (`-re -stream_loop -1 … -c copy`), instead of encoding the pattern live. Same encoder settings, so the
// same stream for openivs (H.264 + AAC in FLV, a keyframe every 2 s, the bit-rate caps); but a live x264 publisher
// took about 15% of a core each, a sixth of the whole suite's CPU, and on a busy machine it fell behind real time,
// which openivs then rightly reported as STARVING and players as stalls: failures that were the publisher's own.
//
// A clip lasts 16 s: whole GOPs (2 s) and whole AAC frames (1024 samples at 48 kHz: a multiple of 0.64 s) with
// 30 fps video, so a loop continues the keyframe cadence and both tracks without a gap or an overlap. Clips are
// cached by their encoder arguments in the system's temporary directory; the test runner makes the usual ones before
// the files start (prepareClips), others are made on first use (about a second for 640x360).

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeArgs, loopClipArgs, testPattern, type LivePublishOptions } from '../../devtools/ffmpeg.js';

export const CLIP_SECONDS = 16;

type ClipOptions = Pick<LivePublishOptions, 'size' | 'videoKbps' | 'audioKbps'>;

function clipArgs(opts: ClipOptions): string[] {
  return [...testPattern(opts.size ?? '640x360'), '-t', String(CLIP_SECONDS), ...encodeArgs(opts), '-f', 'flv'];
}

/** The clip for these options, made now if it is not cached yet. */
export function clipFor(opts: ClipOptions): string {
  const args = clipArgs(opts);
  const dir = join(tmpdir(), 'openivs-test-clips');
  const path = join(dir, `${createHash('sha256').update(args.join('\0')).digest('hex').slice(0, 16)}.flv`);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  // Written aside and renamed: two test files making the same clip at once each get a whole one.
  const partial = `${path}.${process.pid}.partial`;
  const made = spawnSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', ...args, partial], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`ffmpeg could not make the test clip ${path}: ${made.stderr}`);
  renameSync(partial, path);
  return path;
}

/** `ffmpeg` arguments sending the clip for `opts` to `url` in real time for `opts.seconds` (default 10). */
export function clipPublishArgs(url: string, opts: LivePublishOptions = {}): string[] {
  return loopClipArgs(clipFor(opts), 'flv', url, opts.seconds ?? 10);
}

/** Makes the clips most tests use, so no test waits for one (the test runner calls this before the files start). */
export function prepareClips(): void {
  const usual: ClipOptions[] = [
    {},
    { size: '320x180' },
    { size: '1280x720', videoKbps: 2500 },
    { videoKbps: 800, audioKbps: 96 },
    { videoKbps: 1000, audioKbps: 96 },
    { videoKbps: 500, audioKbps: 64 },
  ];
  for (const opts of usual) clipFor(opts);
}
