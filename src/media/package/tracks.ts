// Track-configuration comparison: an encoder may resend identical sequence headers (OBS does on reconnect paths);
// only a real change of parameter sets or AudioSpecificConfig warrants a new segment with EXT-X-DISCONTINUITY.

import type { AudioTrackInfo, VideoTrackInfo } from '../types.js';
import type { TrackSet } from './types.js';

export function sameVideo(a: VideoTrackInfo | undefined, b: VideoTrackInfo | undefined): boolean {
  if (!a || !b) return a === b;
  return a.width === b.width && a.height === b.height && a.decoderConfig.equals(b.decoderConfig);
}

export function sameAudio(a: AudioTrackInfo | undefined, b: AudioTrackInfo | undefined): boolean {
  if (!a || !b) return a === b;
  return a.sampleRate === b.sampleRate && a.channels === b.channels && a.audioSpecificConfig.equals(b.audioSpecificConfig);
}

export function sameTracks(a: TrackSet, b: TrackSet): boolean {
  return sameVideo(a.video, b.video) && sameAudio(a.audio, b.audio);
}
