// Builds a multivariant-playlist entry from a live segmenter: codecs and resolution from its tracks, BANDWIDTH from
// the measured peak segment bit rate (an estimate until the first segment), FRAME-RATE from onMetaData or measured.
// A rendition with audio alone is named `audio_only` the way IVS names it (a VIDEO group of that name).

import { estimateBandwidth } from './bitrate.js';
import type { RenditionEntry } from './playlists.js';
import type { HlsSegmenter } from './segmenter.js';

const AUDIO_ONLY_GROUP = 'audio_only';

export function renditionEntry(segmenter: HlsSegmenter, uri: string): RenditionEntry {
  const { video, audio } = segmenter.currentTracks;
  const codecs: string[] = [];
  if (video) codecs.push(video.codecString);
  if (audio) codecs.push(audio.codecString);
  const frameRate = video ? (video.frameRate ?? segmenter.measuredFrameRate()) : undefined;
  return {
    uri,
    bandwidth: segmenter.bitrate.peak ?? estimateBandwidth(video, audio),
    averageBandwidth: segmenter.bitrate.average,
    codecs,
    width: video?.width,
    height: video?.height,
    frameRate,
    ...(video === undefined && audio !== undefined ? { videoGroup: AUDIO_ONLY_GROUP } : {}),
  };
}
