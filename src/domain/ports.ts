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
  /** The live stream of a channel, or undefined when it is offline (a promise when other nodes are asked). */
  getLive(channelArn: string): LiveStreamView | undefined | Promise<LiveStreamView | undefined>;
  /** Live streams of a scope, in a stable order (by start, then stream id). */
  listLive(scope: Scope): LiveStreamView[] | Promise<LiveStreamView[]>;
  /** Disconnects the publisher; false when the channel was not live. */
  stop(channelArn: string): Promise<boolean>;
  /** Inserts timed metadata at the live edge; false when the channel is not live. */
  putMetadata(channelArn: string, text: string): Promise<boolean>;
  /**
   * Signals an ad break (InsertAdBreak) in every rendition from the next segment boundary on; false when the channel is
   * not live. Throws ValidationException for a stream packaged as fMP4 and ConflictException while a break runs.
   */
  insertAdBreak(channelArn: string, adBreak: AdBreakRequest): Promise<boolean>;
}

export interface AdBreakRequest {
  /** The id InsertAdBreak answers with (12 alphanumerics). */
  adBreakId: string;
  durationSeconds: number;
}

/**
 * The ingest side's table of stream keys that may publish: the SRT listener decides each caller from it in the
 * handshake, before any JavaScript runs, so the API tells it of every change once the change has committed.
 */
export interface IngestKeys {
  /** `streamKey` now admits publishers; `srtPassphrase` null means SRT callers must not encrypt (insecureIngest). */
  keySet(streamKey: string, srtPassphrase: string | null): void;
  keyDeleted(streamKey: string): void;
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

export type ChannelClaim = { ok: true } | { ok: false; reason: 'held' | 'quota' };

/**
 * One broadcast per channel across the nodes sharing a database: a publish claims its channel before
 * NetStream.Publish.Start (the concurrent-broadcasts quota counted cluster-wide in the same step) and
 * releases it once its session has ended. app.ts wires it to the channel leases in PostgreSQL.
 */
export interface ChannelClaims {
  claim(scope: Scope, channelArn: string, maxLive: number): Promise<ChannelClaim>;
  /** After the session's end was recorded; never throws. */
  release(channelArn: string): Promise<void>;
}
