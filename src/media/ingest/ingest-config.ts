// Tunables of the RTMP ingest, with defaults sized for ~50 concurrent 2.5 Mbps publishers on a small box.
// Every timeout exists so a broken or hostile peer costs a bounded amount of time and memory.

import { DEFAULT_CHUNK_LIMITS, type ChunkReaderLimits } from './chunk-reader.js';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS } from './handshake.js';

export interface IngestConfig extends ChunkReaderLimits {
  /**
   * The handshake must complete within this time after the TCP (or TLS) connection opens, and the
   * `publish` command must follow within the same time again.
   */
  handshakeTimeoutMs: number;
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
}

export const DEFAULT_INGEST_CONFIG: IngestConfig = {
  ...DEFAULT_CHUNK_LIMITS,
  handshakeTimeoutMs: DEFAULT_HANDSHAKE_TIMEOUT_MS,
  idleTimeoutMs: 10_000,
  authorizeTimeoutMs: 10_000,
  closeGraceMs: 1_000,
  apps: ['app'],
  outChunkSize: 4096,
  windowAckSize: 5_000_000,
  maxWriteBuffer: 1024 * 1024,
};

export function resolveIngestConfig(partial: Partial<IngestConfig> | undefined): IngestConfig {
  return { ...DEFAULT_INGEST_CONFIG, ...partial };
}
