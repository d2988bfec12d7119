// What a ladder is made of (pure): a rendition's encoding settings, the source a ladder is built for, and the
// arithmetic every ladder shares (frame-rate decimation, even sizes). ladder.ts and advanced-ladder.ts use it.

/**
 * `<short side>p<30|60>`: the IVS rungs (720p60, 480p30, …) and, on ADVANCED channels, a source-size rung (540p30)
 * and the audio-only rendition (`audio_only`, IVS's name for it).
 */
export type RenditionName = `${number}p${30 | 60}` | typeof AUDIO_ONLY;

/** The audio-only rendition's name: IVS lists it under this NAME in its multivariant playlists. */
export const AUDIO_ONLY = 'audio_only';

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
  /** No video: the source's audio alone, re-encoded at `audioBitrate` (the video fields are zero). */
  audioOnly?: true;
}

export interface LadderInput {
  width: number;
  height: number;
  /** Source frames per second; undefined (unknown) is treated as 30. */
  frameRate?: number | undefined;
  /** The source carries audio (ladders with an audio-only rendition add it only then). */
  hasAudio?: boolean | undefined;
}

/** The audio-only rendition at `audioBitrate` (AAC, re-encoded). */
export function audioOnlyRendition(audioBitrate: number): Rendition {
  return {
    name: AUDIO_ONLY,
    width: 0,
    height: 0,
    frameRate: 0,
    videoBitrate: 0,
    audioBitrate,
    audioCopy: false,
    profile: 'main',
    level: 0,
    audioOnly: true,
  };
}

/**
 * The rate a rung runs at for a source: the source rate divided by the integer that brings it nearest the
 * target (60 → 30, 59.94 → 29.97, 50 → 25, 120 → 30; 24 and 30 unchanged), so frames are dropped on a regular
 * cadence instead of being resampled onto a foreign grid (which would also break keyframe alignment).
 */
export function decimated(fps: number, target: 30 | 60): number {
  return fps / Math.max(1, Math.round(fps / target));
}

export function evenFloor(n: number): number {
  return Math.max(2, Math.floor(n / 2) * 2);
}
