// Public surface of the RTMP ingest for app.ts: the server factory, its ports and configuration.

export { createIngestServer, type IngestServer, type IngestServerOptions, type TlsCredentials } from './server.js';
export { DEFAULT_INGEST_CONFIG, type IngestConfig } from './ingest-config.js';
export type {
  IngestHooks,
  PublishDecision,
  PublishEndReason,
  PublisherHandle,
  PublishRefusalCode,
  PublishRequest,
  PublishSession,
} from './ports.js';
export { streamKeyLabel } from './log-safe.js';
