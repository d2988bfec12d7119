// Tunables of the RTMP ingest, with defaults sized for ~50 concurrent 2.5 Mbps publishers on a small box.
// Every timeout and size bound exists so a broken or hostile peer costs a bounded amount of time and
// memory; the message size bounds are explained in limits.ts.

import { DEFAULT_HANDSHAKE_TIMEOUT_MS } from './handshake.js';
import { DEFAULT_MESSAGE_SIZES, type MessageSizeConfig } from './limits.js';

export interface IngestConfig extends MessageSizeConfig {
  /** The handshake must complete within this time after the TCP (or TLS) connection opens. */
  handshakeTimeoutMs: number;
  /** The `publish` command must arrive within this time after the TCP (or TLS) connection opens. */
  setupTimeoutMs: number;
  /** Connections not yet publishing, together; a connection beyond this is closed as it opens. */
  maxSetupConnections: number;
  /** A connection that sends nothing for this long is closed (session reason 'timeout'). */
  idleTimeoutMs: number;
  /** `authorize` taking longer than this counts as a refusal (NetStream.Publish.Denied). */
  authorizeTimeoutMs: number;
  /** After a refusal or failure status, how long the peer gets to read it before the socket is destroyed. */
  closeGraceMs: number;
  /** Accepted RTMP application names (the path segment before the stream key). */
  apps: string[];
  /** Chunk size announced to and used towards the peer. */
  outChunkSize: number;
  /** Window Acknowledgement Size and Set Peer Bandwidth values sent after connect. */
  windowAckSize: number;
  /** A peer that leaves more than this many of our bytes unread is dropped. */
  maxWriteBuffer: number;
  /** Plain RTMP sockets read into one shared buffer (shared-read-buffer.ts); false reads through 'data' events. */
  sharedReads: boolean;
}

export const DEFAULT_INGEST_CONFIG: IngestConfig = {
  ...DEFAULT_MESSAGE_SIZES,
  handshakeTimeoutMs: DEFAULT_HANDSHAKE_TIMEOUT_MS,
  setupTimeoutMs: 10_000,
  maxSetupConnections: 1000,
  idleTimeoutMs: 10_000,
  authorizeTimeoutMs: 10_000,
  closeGraceMs: 1_000,
  apps: ['app'],
  outChunkSize: 4096,
  windowAckSize: 5_000_000,
  maxWriteBuffer: 1024 * 1024,
  sharedReads: true,
};

export function resolveIngestConfig(partial: Partial<IngestConfig> | undefined): IngestConfig {
  return { ...DEFAULT_INGEST_CONFIG, ...partial };
}
