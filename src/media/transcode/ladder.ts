// The transcoded channels' rendition ladders (pure): STANDARD's, and ADVANCED_SD/ADVANCED_HD's per preset.
//
// STANDARD. IVS serves the source rendition plus 720p60 (or 720p30),
// 480p30, 360p30 and 160p30 at 1280x720, 852x480, 640x360 and 284x160 (see shared/ivs-reference.md); only
// rungs strictly below the source are made, because upscaling spends bits on detail that is not there.
// The source itself is passed through by the caller and is not part of the list returned here.
//
// Bitrates are not published by AWS; the values below are typical of what IVS STANDARD renditions carry and
// of common live ladders at these sizes (inference, not documentation). Audio follows the IVS API reference
// (Channel.type): "Audio is transcoded only for renditions 360p and below; above that, audio is passed
// through" — so 720p/480p copy the source AAC and 360p/160p re-encode it at a lower rate.

import { advancedLadderFor } from './advanced-ladder.js';
import { decimated, evenFloor, type LadderInput, type Rendition, type RenditionName } from './rendition.js';

export { decimated, type LadderInput, type Rendition, type RenditionName };

export interface LadderOptions {
  /** Leave out rungs by name (e.g. a deployment too small for 720p60). */
  exclude?: readonly RenditionName[];
  /** The channel type (default STANDARD); ADVANCED_SD and ADVANCED_HD get the ladders of advanced-ladder.ts. */
  channelType?: string | undefined;
  /** The ADVANCED channel's transcode preset (default HIGHER_BANDWIDTH_DELIVERY); ignored for STANDARD. */
  preset?: string | undefined;
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
  if (opts.channelType === 'ADVANCED_SD' || opts.channelType === 'ADVANCED_HD') {
    return advancedLadderFor(input, opts.channelType, opts.preset).filter((r) => !opts.exclude?.includes(r.name));
  }
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
    const name: RenditionName = `${rung.shortSide}p${high ? 60 : 30}`;
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
