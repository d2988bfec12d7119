// Media helpers for the ingest and playback benchmarks: the pre-encoded test clip, ffmpeg RTMP publishers
// (each in its own process group, killed as a group) and a small HLS media-playlist reader.

import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { killGroup, spawnGroup, type GroupChild } from './processes.js';
import { loopClipArgs, testPattern } from '../../devtools/ffmpeg.js';

export interface Clip {
  path: string;
  seconds: number;
  /** Whole-file bit rate (video + audio + FLV overhead), kbit/s. */
  kbps: number;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4096);
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} exited with ${code ?? signal}: ${stderr.trim()}`));
    });
  });
}

/**
 * A 720p30 H.264 (~2.5 Mbit/s, 2 s GOP) + AAC 128 kbit/s FLV clip, encoded once per run (size, bit rate and
 * tuning can be changed). Scene-cut keyframes are off so every segment is one 2 s GOP, for both servers alike.
 */
export interface ClipOptions {
  /** x264 `-tune zerolatency` (no B-frames, no lookahead), as a live encoder would send it. */
  zerolatency?: boolean;
  /** Frame size (default 1280x720) and video bit rate (default 2500 kbit/s, also the VBV max rate). */
  width?: number;
  height?: number;
  videoKbps?: number;
}

export async function makeClip(dir: string, seconds = 20, opts: ClipOptions = {}): Promise<Clip> {
  const { width = 1280, height = 720, videoKbps = 2500 } = opts;
  const path = join(dir, `clip-${width}x${height}-${videoKbps}k${opts.zerolatency ? '-zerolatency' : ''}.flv`);
  const v = `${videoKbps}k`;
  await run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    ...testPattern(`${width}x${height}`),
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    ...(opts.zerolatency ? ['-tune', 'zerolatency'] : []),
    '-pix_fmt',
    'yuv420p',
    '-b:v',
    v,
    '-maxrate',
    v,
    '-bufsize',
    `${videoKbps * 2}k`,
    '-g',
    '60',
    '-keyint_min',
    '60',
    '-sc_threshold',
    '0',
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-ac',
    '2',
    '-f',
    'flv',
    path,
  ]);
  const kbps = (statSync(path).size * 8) / seconds / 1000;
  return { path, seconds, kbps };
}

/** `ffmpeg -re -stream_loop -1 -i clip -c copy -f flv <url>`: a real-time publisher looping the clip. */
export function startPublisher(clip: Clip, url: string): GroupChild {
  return spawnGroup('ffmpeg', loopClipArgs(clip.path, 'flv', url));
}

export async function stopPublishers(publishers: readonly GroupChild[]): Promise<void> {
  await Promise.all(publishers.map((p) => killGroup(p.child)));
}

export const isRunning = (p: GroupChild) => p.child.exitCode === null && p.child.signalCode === null;

export interface PlaylistSegment {
  uri: string;
  sequence: number;
  durationS: number;
  /** EXT-X-PROGRAM-DATE-TIME in ms since the epoch, when present. */
  programDateTime?: number;
}

export interface MediaPlaylist {
  mediaSequence: number;
  segments: PlaylistSegment[];
  ended: boolean;
}

export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split(/\r?\n/);
  let mediaSequence = 0;
  let ended = false;
  let duration = NaN;
  let pdt: number | undefined;
  const segments: PlaylistSegment[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) mediaSequence = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) pdt = Date.parse(line.slice(25));
    else if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice(8));
    else if (line === '#EXT-X-ENDLIST') ended = true;
    else if (!line.startsWith('#')) {
      segments.push({ uri: line, sequence: mediaSequence + segments.length, durationS: duration, programDateTime: pdt });
      duration = NaN;
      pdt = undefined;
    }
  }
  return { mediaSequence, segments, ended };
}

export async function fetchText(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
}

/** The first variant's media playlist URL behind a multivariant playlist, or undefined while it is not there. */
export async function firstVariantUrl(multivariantUrl: string): Promise<string | undefined> {
  const { status, text } = await fetchText(multivariantUrl);
  if (status !== 200) return undefined;
  const uri = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#'));
  return uri === undefined ? undefined : new URL(uri, multivariantUrl).toString();
}

export interface Variant {
  /** The VIDEO group name, else `<height>p`, else the URI. */
  name: string;
  /** From RESOLUTION, when given. */
  height?: number;
  url: string;
}

/** Every variant (media playlist) of a multivariant playlist, in listed order. */
export async function listVariants(multivariantUrl: string): Promise<Variant[]> {
  const { text } = await fetchText(multivariantUrl);
  const out: Variant[] = [];
  let attrs = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-STREAM-INF:')) attrs = line;
    else if (line !== '' && !line.startsWith('#')) {
      const height = /RESOLUTION=\d+x(\d+)/.exec(attrs)?.[1];
      const video = /VIDEO="([^"]+)"/.exec(attrs)?.[1];
      out.push({
        name: video ?? (height ? `${height}p` : line),
        height: height ? Number(height) : undefined,
        url: new URL(line, multivariantUrl).toString(),
      });
      attrs = '';
    }
  }
  return out;
}

/** The media playlist at `url`, or undefined when it is not (yet) served. */
export async function fetchMediaPlaylist(url: string): Promise<MediaPlaylist | undefined> {
  try {
    const { status, text } = await fetchText(url);
    return status === 200 ? parseMediaPlaylist(text) : undefined;
  } catch {
    return undefined;
  }
}
