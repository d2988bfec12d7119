// Typed calls of openivs's own console routes (documented in the README): live figures of a stream, a channel's
// recordings, and the presigned URL of the account's event stream.

import { presignedUrl, signedJson } from './signing.js';
import type { Session } from './session.js';

export interface MetricsSample {
  time: number;
  ingestVideoBitrate: number;
  ingestAudioBitrate: number;
  ingestFramerate: number;
  keyframeInterval: number | null;
  concurrentViews: number;
}

export interface StreamMetrics {
  channelArn: string;
  streamId: string;
  startTime: string;
  health: string;
  viewerCount: number;
  samples: MetricsSample[];
}

export interface Recording {
  prefix: string;
  recordingId: string;
  status: string;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  statusMessage?: string;
  renditions: { path: string; width: number; height: number }[];
  mediaBaseUrl: string;
  masterPlaylistUrl?: string;
  thumbnailUrl?: string;
  urlsExpireAt: string;
}

export interface ChannelRecordings {
  channelArn: string;
  recordingConfigurationArn: string | null;
  bucketName: string | null;
  storage: 'local' | 's3';
  recordings: Recording[];
}

export const streamMetrics = (session: Session, channelArn: string) =>
  signedJson<StreamMetrics>(session, '/_openivs/streams/metrics', { channelArn });

export const channelRecordings = (session: Session, channelArn: string) =>
  signedJson<ChannelRecordings>(session, '/_openivs/recordings', { channelArn, maxResults: '50' });

/** The event stream's URL, presigned for `expiresIn` seconds (the server ends the stream then). */
export const eventStreamUrl = (session: Session, lastEventId: string | undefined, expiresIn = 900) =>
  presignedUrl(session, '/_openivs/events', lastEventId ? { lastEventId } : {}, expiresIn);
