// Which renditions a broadcast records (pure). `renditionSelection` ALL records every rendition the channel
// plays (the source and, on transcoded channels, each ladder rung); NONE records no video (thumbnails and
// the metadata files only, as IVS does); CUSTOM records the listed resolutions (SD 480p, HD 720p, FULL_HD
// 1080p, LOWEST_RESOLUTION), each as the rendition of that height or, when the stream has none, the best
// one below it (else the lowest) — so on a BASIC channel, where only the source exists, CUSTOM records it.
// ADVANCED_SD/ADVANCED_HD channels record their own ladder and, like their viewers, never the source while that
// ladder runs (without ffmpeg the source is all they have, and it is recorded). The audio-only rendition is not
// recorded: the selection is of video resolutions.

import { ladderFor } from '../transcode/ladder.js';
import type { VideoTrackInfo } from '../types.js';
import { renditionName } from './layout.js';

export interface Candidate {
  /** The rendition's key in the live stream (`source` or a ladder rung). */
  key: string;
  /** Its folder in the recording, e.g. `720p30`. */
  name: string;
  width: number;
  height: number;
  frameRate: number | undefined;
}

const CUSTOM_HEIGHT: Record<string, number> = { FULL_HD: 1080, HD: 720, SD: 480 };

/** The channel's ladder settings: its type and, on ADVANCED types, its transcode preset. */
export interface LadderChannel {
  type: string;
  preset?: string | undefined;
}

const ADVANCED = new Set(['ADVANCED_SD', 'ADVANCED_HD']);

/**
 * The renditions a live stream has: its source (key `sourceKey`, left out on ADVANCED channels whose ladder is live)
 * and the ladder rungs among `liveKeys`.
 */
export function candidatesFor(
  video: VideoTrackInfo,
  liveKeys: Iterable<string>,
  sourceKey: string,
  channel: LadderChannel = { type: 'STANDARD' },
): Candidate[] {
  const frameRate = video.frameRate;
  const source: Candidate = {
    key: sourceKey,
    name: renditionName(video.width, video.height, frameRate),
    width: video.width,
    height: video.height,
    frameRate,
  };
  const keys = new Set(liveKeys);
  const rungs: Candidate[] = [];
  const ladder = ladderFor(
    { width: video.width, height: video.height, frameRate },
    { channelType: channel.type, preset: channel.preset },
  );
  for (const rung of ladder) {
    if (keys.has(rung.name) && !rung.audioOnly)
      rungs.push({ key: rung.name, name: rung.name, width: rung.width, height: rung.height, frameRate: rung.frameRate });
  }
  return ADVANCED.has(channel.type) && rungs.length > 0 ? rungs : [source, ...rungs];
}

const shortSide = (c: Candidate): number => Math.min(c.width, c.height);

export function selectRenditions(config: Record<string, unknown>, candidates: readonly Candidate[]): Candidate[] {
  const rc = (config.renditionConfiguration ?? {}) as { renditionSelection?: string; renditions?: string[] };
  const selection = rc.renditionSelection ?? 'ALL';
  if (selection === 'NONE' || candidates.length === 0) return [];
  if (selection !== 'CUSTOM') return [...candidates];
  const byHeight = [...candidates].sort((a, b) => shortSide(b) - shortSide(a));
  const lowest = byHeight[byHeight.length - 1]!;
  const chosen = new Set<Candidate>();
  for (const wanted of rc.renditions ?? []) {
    const height = CUSTOM_HEIGHT[wanted];
    if (height === undefined) {
      chosen.add(lowest);
      continue;
    }
    chosen.add(byHeight.find((c) => shortSide(c) === height) ?? byHeight.find((c) => shortSide(c) < height) ?? lowest);
  }
  return byHeight.filter((c) => chosen.has(c));
}
