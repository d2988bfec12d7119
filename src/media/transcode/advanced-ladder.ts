// The ADVANCED_SD and ADVANCED_HD ladders (pure), per transcode preset, as IVS documents them in "Channel Types"
// (https://docs.aws.amazon.com/ivs/latest/LowLatencyUserGuide/channel-types.html):
//
//   ADVANCED_HD, input 720p60 up to 1080p60:  720p60 3 Mbps (constrained 2.2) · 480p30 1.3 (0.8) · 360p30 0.7 (0.4) · 160p30 0.27 (0.22)
//   ADVANCED_HD, input 720p30 up to 1080p30:  720p30 2.3 Mbps (constrained 1.9) · then as above
//   ADVANCED_HD, input between 480p and 720p: the source size transcoded at 2.3 Mbps (1.9) · then 480p30 …
//   ADVANCED_HD, input 480p:                  480p30 · 360p30 · 160p30
//   ADVANCED_SD, input 480p up to 1080p:      480p30 1.3 Mbps (0.8) · 360p30 0.7 (0.4) · 160p30 0.27 (0.22)
//   audio, every rendition transcoded:        128 kbps at 720p/480p, 64 kbps at 360p, 48 kbps at 160p
//   audio only:                               64 kbps (listed last, as `audio_only`), when the source has audio
//
// Unlike STANDARD there is no source passthrough rendition: every rendition viewers get is transcoded (the
// delivery side hides the source on these channels) and capped at 720p (HD) or 480p (SD). An input smaller than the ladder's top rung (IVS does not
// document one) gets a rung at its own size, with the top rung's bitrate, and the rungs below it: never upscaled.

import { audioOnlyRendition, decimated, evenFloor, type Rendition, type RenditionName, type LadderInput } from './rendition.js';

export type AdvancedType = 'ADVANCED_SD' | 'ADVANCED_HD';

interface AdvancedRung {
  shortSide: number;
  /** Video bits per second: [higher bandwidth delivery, constrained bandwidth delivery]. */
  bitrate: [number, number];
  audioBitrate: number;
  level: number;
}

const RUNGS: readonly AdvancedRung[] = [
  { shortSide: 480, bitrate: [1_300_000, 800_000], audioBitrate: 128_000, level: 31 },
  { shortSide: 360, bitrate: [700_000, 400_000], audioBitrate: 64_000, level: 30 },
  { shortSide: 160, bitrate: [270_000, 220_000], audioBitrate: 48_000, level: 20 },
];

/** ADVANCED_HD's 720p rung: [higher, constrained] at 30 fps and at 60 fps. */
const HD_720_AT_30: [number, number] = [2_300_000, 1_900_000];
const HD_720_AT_60: [number, number] = [3_000_000, 2_200_000];
const HIGH_FPS_ABOVE = 30.5;
const AUDIO_ONLY_BITRATE = 64_000;

export function advancedLadderFor(input: LadderInput, type: AdvancedType, preset: string | undefined): Rendition[] {
  const { width, height } = input;
  if (!(width > 0 && height > 0)) return [];
  const pick = preset === 'CONSTRAINED_BANDWIDTH_DELIVERY' ? 1 : 0;
  const fps = input.frameRate !== undefined && input.frameRate > 0 ? input.frameRate : 30;
  const portrait = height > width;
  const shortSide = portrait ? width : height;
  const longSide = portrait ? height : width;
  const cap = type === 'ADVANCED_HD' ? 720 : 480;
  const size = (short: number) => {
    const long = evenFloor((short * longSide) / shortSide);
    return portrait ? { width: short, height: long } : { width: long, height: short };
  };
  const out: Rendition[] = [];
  // The top rung: 720p (HD) or 480p (SD) when the source reaches it, else the source's own size.
  const top = Math.min(cap, evenFloor(shortSide));
  const high = type === 'ADVANCED_HD' && top === 720 && fps > HIGH_FPS_ABOVE;
  const topBitrate = type === 'ADVANCED_HD' ? (high ? HD_720_AT_60 : HD_720_AT_30)[pick] : RUNGS[0]!.bitrate[pick];
  if (!RUNGS.some((rung) => rung.shortSide === top)) {
    out.push({
      name: `${top}p${high ? 60 : 30}`,
      ...size(top),
      frameRate: decimated(fps, high ? 60 : 30),
      videoBitrate: topBitrate,
      audioBitrate: 128_000,
      audioCopy: false,
      profile: 'main',
      level: top > 480 ? (high ? 32 : 31) : 30,
    });
  }
  for (const rung of RUNGS) {
    if (rung.shortSide > top) continue;
    out.push({
      name: `${rung.shortSide}p30` as RenditionName,
      ...size(rung.shortSide),
      frameRate: decimated(fps, 30),
      videoBitrate: rung.bitrate[pick],
      audioBitrate: rung.audioBitrate,
      audioCopy: false,
      profile: 'main',
      level: rung.level,
    });
  }
  if (input.hasAudio) out.push(audioOnlyRendition(AUDIO_ONLY_BITRATE));
  return out;
}
