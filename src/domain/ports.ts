// Ports between the control plane (api/) and the media plane (media/). The API never imports media
// code: it asks these interfaces, which app.ts wires to the live registry. Until ingest exists, the
// offline implementations below answer truthfully that nothing is broadcasting.

import type { Scope } from './context.js';

export type StreamHealth = 'HEALTHY' | 'STARVING' | 'UNKNOWN';

export interface LiveStreamView {
  channelArn: string;
  streamId: string;
  playbackUrl: string;
  startTime: Date;
  state: 'LIVE';
  health: StreamHealth;
  viewerCount: number;
}

export interface LiveControl {
  /** The live stream of a channel, or undefined when it is offline. */
  getLive(channelArn: string): LiveStreamView | undefined;
  /** Live streams of a scope, in a stable order (by start, then stream id). */
  listLive(scope: Scope): LiveStreamView[];
  /** Disconnects the publisher; false when the channel was not live. */
  stop(channelArn: string): Promise<boolean>;
  /** Inserts timed metadata at the live edge; false when the channel is not live. */
  putMetadata(channelArn: string, text: string): Promise<boolean>;
}

export interface StreamSessionSummaryView {
  streamId: string;
  startTime: Date;
  endTime?: Date;
  hasErrorEvent: boolean;
}

export interface StreamSessions {
  /** Newest first. `offset` is the number of sessions already returned. */
  list(channelArn: string, offset: number, limit: number): Promise<StreamSessionSummaryView[]>;
  /** A whole session in the shape of the model's StreamSession; the latest one when streamId is omitted. */
  get(channelArn: string, streamId?: string): Promise<Record<string, unknown> | undefined>;
}

export type BucketProbeResult = { ok: true } | { ok: false; reason: string };

/**
 * Whether a recording configuration's bucket can be used (it exists and accepts writes). app.ts wires it to the
 * recording destination: local disk under the data directory, or S3.
 */
export interface RecordingBuckets {
  probe(bucketName: string): Promise<BucketProbeResult>;
}
