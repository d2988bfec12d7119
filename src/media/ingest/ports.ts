// The contract between the RTMP ingest and whoever owns live streams (publish authorization and the registry, wired
// in app.ts). The ingest knows nothing about channels or keys: it asks `authorize` once per publish and, when accepted,
// feeds the returned session. Throttling wrong keys per source address is the authorizer's job.

import type { Logger } from 'pino';
import type { AccessUnit, AudioTrackInfo, VideoTrackInfo } from '../types.js';

export interface PublishRequest {
  /** The RTMP application from `connect` (query string removed), normally `app`; `srt` for an SRT caller. */
  app: string;
  /** The publish name with any `?query` suffix removed. A secret: never log it. */
  streamKey: string;
  remoteAddress: string;
  /** True for RTMPS, and for an SRT caller that encrypts (with the channel's passphrase, checked in the handshake). */
  secure: boolean;
  /**
   * The stream takeover priority the publisher asked for (`?priority=N` after the key or in the SRT stream id, see
   * takeover-request.ts); NaN when the parameter is not a decimal integer; undefined when absent.
   */
  priority?: number;
}

export interface PublisherHandle {
  /** Closes the connection; the session (if any) ends with reason 'kicked'. */
  disconnect(reason: string): void;
  readonly bytesReceived: number;
  readonly remoteAddress: string;
}

export type PublishRefusalCode = 'NetStream.Publish.BadName' | 'NetStream.Publish.Denied';

export type PublishDecision =
  { ok: true; session: PublishSession } | { ok: false; code: PublishRefusalCode; description: string };

export type PublishEndReason = 'unpublished' | 'disconnected' | 'timeout' | 'error' | 'kicked';

export interface PublishSession {
  onMetadata(meta: Record<string, unknown>): void;
  /** Called for every sequence header (the configuration may change mid-stream). */
  onVideoConfig(info: VideoTrackInfo): void;
  onAudioConfig(info: AudioTrackInfo): void;
  onAccessUnit(au: AccessUnit): void;
  /** The publisher sent a codec openivs cannot carry; the connection closes and onEnd follows. */
  onUnsupported(description: string): void;
  /** Called exactly once per accepted session. */
  onEnd(reason: PublishEndReason): void;
}

export interface IngestHooks {
  authorize(req: PublishRequest, handle: PublisherHandle): Promise<PublishDecision>;
  /**
   * A caller refused before `authorize` could run (an SRT handshake naming an unknown key or with a wrong
   * passphrase): counted by the same wrong-key throttle; returns how long (ms) its address is now blocked.
   */
  refusedKey?(remoteAddress: string): number;
  log: Logger;
}
