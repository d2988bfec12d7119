// Kysely table types for the storage schema. Shared by every dialect: the migrations create exactly
// these tables, and the repositories type their queries against them.

import type { ColumnType } from 'kysely';
import type { ResourceType } from '../domain/arn.js';

export interface ResourcesTable {
  arn: string;
  type: ResourceType;
  account: string;
  region: string;
  id: string;
  name: ColumnType<string, string | undefined, string>;
  ref1: ColumnType<string, string | undefined, string>;
  ref2: ColumnType<string, string | undefined, string>;
  ref3: ColumnType<string, string | undefined, string>;
  lookup: string | null;
  seq: number;
  /** The resource document, JSON-encoded (TEXT rather than JSONB so both dialects store it the same way). */
  doc: string;
}

/** Named monotonic counters (bigint on PostgreSQL, migration 0004); the store bumps one per insert so seq never goes backwards, even after deletes. */
export interface SequencesTable {
  name: string;
  value: number;
}

export interface SettingsTable {
  key: string;
  value: string;
}

/** One broadcast of a channel (migration 0002). Times are ISO-8601 UTC text, as the API returns them. */
export interface StreamSessionsTable {
  stream_id: string;
  account: string;
  region: string;
  channel_arn: string;
  start_time: string;
  end_time: string | null;
  /** 0 or 1: an integer rather than a boolean so both dialects read it back the same way. */
  has_error_event: number;
  seq: number;
  /** channel snapshot, ingest/recording configuration and truncatedEvents, JSON-encoded. */
  doc: string;
}

/** Events waiting for (or done with) delivery to one sink (migration 0002). Times are epoch milliseconds. */
export interface OutboxTable {
  id: number;
  event_id: string;
  sink: string;
  /** The full EventBridge envelope as JSON text: sent byte for byte, so a webhook signature covers exactly it. */
  payload: string;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  delivered_at: number | null;
  /** Set when the dispatcher gives up on a row (too old); such rows are no longer pending. */
  abandoned_at: number | null;
  last_error: string | null;
}

/** Highest revoked viewer-session version per (channel, viewer id) (migration 0003). */
export interface ViewerRevocationsTable {
  channel_arn: string;
  viewer_id: string;
  account: string;
  region: string;
  max_version: number;
  /** Epoch milliseconds of the revocation that set max_version. */
  revoked_at: number;
}

/** One row per node, refreshed by its heartbeat (migration 0004). Times: database epoch ms. */
export interface NodesTable {
  node_id: string;
  url: string;
  started_at: number;
  heartbeat_at: number;
  live_streams: number;
  free_transcode_slots: number;
}

/** One row per channel ever leased (migration 0004); node_id null once released. */
export interface ChannelLeasesTable {
  channel_arn: string;
  account: string;
  region: string;
  node_id: string | null;
  /** Grows with every grant: the fencing token. */
  epoch: number;
  acquired_at: number;
  expires_at: number;
}

/** One row per event sink whose delivery lane was ever claimed (migration 0004); holder null when free. */
export interface OutboxLanesTable {
  sink: string;
  holder: string | null;
  epoch: number;
  expires_at: number;
}

export interface Database {
  resources: ResourcesTable;
  sequences: SequencesTable;
  settings: SettingsTable;
  stream_sessions: StreamSessionsTable;
  outbox: OutboxTable;
  viewer_revocations: ViewerRevocationsTable;
  nodes: NodesTable;
  channel_leases: ChannelLeasesTable;
  outbox_lanes: OutboxLanesTable;
}

/** A resources row as the database returns it (doc still encoded). */
export interface RawResourceRow {
  arn: string;
  type: ResourceType;
  account: string;
  region: string;
  id: string;
  name: string;
  ref1: string;
  ref2: string;
  ref3: string;
  lookup: string | null;
  seq: number;
  doc: string;
}
