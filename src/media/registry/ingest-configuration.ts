// The model's IngestConfiguration for a stream session, from what the encoder declared (onMetaData)
// and what the bitstream says (SPS, AudioSpecificConfig). Pure.

import type { AudioTrackInfo, VideoTrackInfo } from '../types.js';

const PROFILES: Record<number, string> = {
  66: 'Baseline',
  77: 'Main',
  88: 'Extended',
  100: 'High',
  110: 'High 10',
  122: 'High 4:2:2',
  244: 'High 4:4:4',
};

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export interface IngestConfigurationInput {
  video?: VideoTrackInfo;
  audio?: AudioTrackInfo;
  metadata: Record<string, unknown>;
  /** Measured ingest bit rate (bits/s) when the encoder declared none. */
  measuredBitrate?: number;
}

export function ingestConfiguration(input: IngestConfigurationInput): Record<string, unknown> {
  const { video, audio, metadata } = input;
  const videoKbps = num(metadata.videodatarate);
  const audioKbps = num(metadata.audiodatarate);
  const result: Record<string, unknown> = {};
  if (video) {
    const fps = num(metadata.framerate) ?? video.frameRate;
    const profile = PROFILES[video.profile] ?? String(video.profile);
    const level = (video.level / 10).toFixed(1).replace(/\.0$/, '');
    result.video = {
      codec: video.codecString,
      avcProfile: profile,
      avcLevel: level,
      profile,
      level,
      encoder: typeof metadata.encoder === 'string' ? metadata.encoder.slice(0, 128) : '',
      targetBitrate: Math.round(videoKbps !== undefined ? videoKbps * 1000 : (input.measuredBitrate ?? 0)),
      targetFramerate: Math.round(fps ?? 0),
      videoWidth: video.width,
      videoHeight: video.height,
      track: 'Track0',
    };
  }
  if (audio) {
    result.audio = {
      codec: audio.codecString,
      targetBitrate: Math.round((audioKbps ?? 0) * 1000),
      sampleRate: audio.sampleRate,
      channels: audio.channels,
      track: 'Track0',
    };
  }
  return result;
}
