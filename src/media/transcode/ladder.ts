// The STANDARD channel's rendition ladder (pure). IVS serves the source rendition plus 720p60 (or 720p30),
// 480p30, 360p30 and 160p30 at 1280x720, 852x480, 640x360 and 284x160 (see shared/ivs-reference.md); only
// rungs strictly below the source are made, because upscaling spends bits on detail that is not there.
// The source itself is passed through by the caller and is not part of the list returned here.
//
// Bitrates are not published by AWS; the values below are typical of what IVS STANDARD renditions carry and
// of common live ladders at these sizes (inference, not documentation). Audio follows the IVS API reference
// (Channel.type): "Audio is transcoded only for renditions 360p and below; above that, audio is passed
// through" — so 720p/480p copy the source AAC and 360p/160p re-encode it at a lower rate.

export type RenditionName = '720p60' | '720p30' | '480p30' | '360p30' | '160p30';

export interface Rendition {
  name: RenditionName;
  /** Output size; for portrait input the short side is the rung (e.g. 480x852). Always even. */
  width: number;
  height: number;
  /** Output frames per second: the source rate, or an integer fraction of it when decimating (60 → 30). */
  frameRate: number;
  /** Video bits per second (also the VBV max rate). */
  videoBitrate: number;
  /** Audio bits per second: the AAC encoder's target, or a nominal value when `audioCopy` (for BANDWIDTH). */
  audioBitrate: number;
  /** Pass the source AAC through instead of re-encoding it. */
  audioCopy: boolean;
  /** H.264 profile for libx264 and the level_idc it signals (31 = 3.1), as in VideoTrackInfo. */
  profile: 'main' | 'high';
  level: number;
}

export interface LadderInput {
  width: number;
  height: number;
  /** Source frames per second; undefined (unknown) is treated as 30. */
  frameRate?: number | undefined;
}

export interface LadderOptions {
  /** Leave out rungs by name (e.g. a deployment too small for 720p60). */
  exclude?: readonly RenditionName[];
}

interface Rung {
  shortSide: number;
  /** Allowed above 30 fps (only 720p in the IVS ladder). */
  highFps: boolean;
  /** [bitrate at <= 30 fps, bitrate at > 30 fps] */
  videoBitrate: [number, number];
  audioBitrate: number;
  audioCopy: boolean;
  /** level_idc [<= 30 fps, > 30 fps], the lowest whose MaxMBPS/MaxFS fit (852x480 is 1620 MBs: 48600 MB/s at 30 fps > 3.0's 40500). */
  level: [number, number];
}

const AAC_NOMINAL = 128_000;
const RUNGS: readonly Rung[] = [
  {
    shortSide: 720,
    highFps: true,
    videoBitrate: [2_500_000, 3_500_000],
    audioBitrate: AAC_NOMINAL,
    audioCopy: true,
    level: [31, 32],
  },
  {
    shortSide: 480,
    highFps: false,
    videoBitrate: [1_200_000, 1_200_000],
    audioBitrate: AAC_NOMINAL,
    audioCopy: true,
    level: [31, 31],
  },
  { shortSide: 360, highFps: false, videoBitrate: [630_000, 630_000], audioBitrate: 96_000, audioCopy: false, level: [30, 30] },
  { shortSide: 160, highFps: false, videoBitrate: [230_000, 230_000], audioBitrate: 64_000, audioCopy: false, level: [20, 20] },
];

/** Frame rates above this are "60 fps class" (59.94 and 50 included; 30.5 tolerates jittery measurements). */
const HIGH_FPS_ABOVE = 30.5;

export function ladderFor(input: LadderInput, opts: LadderOptions = {}): Rendition[] {
  const { width, height } = input;
  if (!(width > 0 && height > 0)) return [];
  const fps = input.frameRate !== undefined && input.frameRate > 0 ? input.frameRate : 30;
  const portrait = height > width;
  const shortSide = portrait ? width : height;
  const longSide = portrait ? height : width;
  const out: Rendition[] = [];
  for (const rung of RUNGS) {
    if (rung.shortSide >= shortSide) continue; // never upscale, and an equal rung would duplicate the source
    const high = rung.highFps && fps > HIGH_FPS_ABOVE;
    const name = `${rung.shortSide}p${high ? 60 : 30}` as RenditionName;
    if (opts.exclude?.includes(name)) continue;
    const long = evenFloor((rung.shortSide * longSide) / shortSide); // keeps the source aspect (16:9 → 852, 284)
    out.push({
      name,
      width: portrait ? rung.shortSide : long,
      height: portrait ? long : rung.shortSide,
      frameRate: high ? decimated(fps, 60) : decimated(fps, 30),
      videoBitrate: rung.videoBitrate[high ? 1 : 0],
      audioBitrate: rung.audioBitrate,
      audioCopy: rung.audioCopy,
      profile: 'main',
      level: rung.level[high ? 1 : 0],
    });
  }
  return out;
}

/**
 * The rate a rung runs at for a source: the source rate divided by the integer that brings it nearest the
 * target (60 → 30, 59.94 → 29.97, 50 → 25, 120 → 30; 24 and 30 unchanged), so frames are dropped on a regular
 * cadence instead of being resampled onto a foreign grid (which would also break keyframe alignment).
 */
export function decimated(fps: number, target: 30 | 60): number {
  return fps / Math.max(1, Math.round(fps / target));
}

function evenFloor(n: number): number {
  return Math.max(2, Math.floor(n / 2) * 2);
}
