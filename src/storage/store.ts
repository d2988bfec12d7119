// The Store port: everything the control plane persists, behind a dialect-neutral interface so the
// embedded SQLite implementation and a later PostgreSQL one pass the same contract tests.
//
// Resources (channels, stream keys, recording configurations, playback key pairs, playback restriction
// policies) are stored as JSON documents with a few indexed columns used for lookups and filters.
// Every row is keyed by (account, region); a lookup by ARN alone is safe because the ARN embeds both.

import type { ResourceType } from '../domain/arn.js';
import type { Scope } from '../domain/context.js';
import type { ChannelLeaseRepository, NodeRepository, OutboxLaneRepository } from './store-cluster.js';
import type { OutboxRepository, StreamSessionRepository } from './store-events.js';

export * from './store-cluster.js';
export * from './store-events.js';
// The domain owns the resource types; re-exported so the Store contract reads whole from this module.
export type { ResourceType } from '../domain/arn.js';

export interface ResourceRow<Doc = Record<string, unknown>> {
  arn: string;
  type: ResourceType;
  account: string;
  region: string;
  id: string;
  /** Name, for ListChannels filterByName; '' when unnamed. */
  name: string;
  /** First reference: a stream key's channel ARN, a channel's recording configuration ARN. '' when none. */
  ref1: string;
  /** Second reference: a channel's playback restriction policy ARN. '' when none. */
  ref2: string;
  /** Third reference: a channel's ad configuration ARN (migration 0005). '' when none. */
  ref3: string;
  /** A unique lookup value: a stream key's value, a playback key pair's fingerprint. null when none. */
  lookup: string | null;
  /** Monotonic insertion order, assigned by the store; lists are ordered by it (stable pagination). */
  seq: number;
  /** The resource as the API returns it (tags included). */
  doc: Doc;
}

/** A row to write; `ref3` may be left out by resources that never use it (stored as ''). */
export type NewResourceRow<Doc = Record<string, unknown>> = Omit<ResourceRow<Doc>, 'seq' | 'ref3'> & { ref3?: string };

export interface ListQuery {
  scope: Scope;
  type: ResourceType;
  /** Exact-match filters on indexed columns; undefined means "don't filter". */
  name?: string;
  ref1?: string;
  ref2?: string;
  ref3?: string;
  /** Return rows with seq > afterSeq. */
  afterSeq?: number;
  limit: number;
}

export interface ResourceRepository {
  get<Doc>(arn: string): Promise<ResourceRow<Doc> | undefined>;
  getByLookup<Doc>(type: ResourceType, lookup: string): Promise<ResourceRow<Doc> | undefined>;
  insert<Doc>(row: NewResourceRow<Doc>): Promise<ResourceRow<Doc>>;
  /** Replace doc and indexed columns of an existing row; returns false when the row is gone. */
  update<Doc>(row: NewResourceRow<Doc>): Promise<boolean>;
  delete(arn: string): Promise<boolean>;
  list<Doc>(query: ListQuery): Promise<ResourceRow<Doc>[]>;
  count(scope: Scope, type: ResourceType): Promise<number>;
  /** Rows of a type (any scope) whose ref1, ref2 or ref3 equals refArn, e.g. channels using a recording configuration. */
  findReferencing<Doc>(type: ResourceType, refArn: string, limit: number): Promise<ResourceRow<Doc>[]>;
  /**
   * get()'s answer if this repository holds it in memory and may read it now (no I/O, no waiting), else undefined:
   * not cached, no cache at all, or a transaction open that this repository is not part of. Hot reads try it first and
   * answer without a promise; undefined only means "ask get()".
   */
  cached<Doc>(arn: string): ResourceRow<Doc> | undefined;
  /** findReferencing()'s answer if held in memory and readable now, as cached(); shared, so read only. */
  cachedReferencing<Doc>(type: ResourceType, refArn: string, limit: number): readonly ResourceRow<Doc>[] | undefined;
  /** Rows of a type in every scope, by seq (server-side maintenance, e.g. resuming work left by a crash). */
  listAllScopes<Doc>(type: ResourceType, afterSeq: number, limit: number): Promise<ResourceRow<Doc>[]>;
}

/** Small key/value settings the server keeps across restarts (e.g. its pagination-token secret). */
export interface SettingsRepository {
  get(key: string): Promise<string | undefined>;
  /** Sets the value only if absent; returns the value now stored. */
  putIfAbsent(key: string, value: string): Promise<string>;
}

/**
 * Viewer session revocations (StartViewerSessionRevocation): per channel and viewer id, the highest
 * revoked `aws:viewer-session-version`. Rows go away with their channel (ON DELETE CASCADE).
 */
export interface ViewerRevocationRepository {
  /** Upsert keeping the highest version; the channel row must exist. */
  put(scope: Scope, channelArn: string, viewerId: string, maxVersion: number, at: Date): Promise<void>;
  /** The highest revoked version, undefined when the viewer was never revoked on this channel. */
  find(channelArn: string, viewerId: string): Promise<number | undefined>;
}

export interface Store {
  resources: ResourceRepository;
  settings: SettingsRepository;
  /** Stream sessions (one per broadcast), see store-events.ts. */
  sessions: StreamSessionRepository;
  /** Events awaiting delivery to the configured sinks, see store-events.ts. */
  outbox: OutboxRepository;
  /** Viewer session revocations, checked by private-channel playback. */
  viewerRevocations: ViewerRevocationRepository;
  /** Nodes and their heartbeats, see store-cluster.ts. */
  nodes: NodeRepository;
  /** Which node owns each live channel, see store-cluster.ts. */
  channelLeases: ChannelLeaseRepository;
  /** Which dispatcher delivers each event sink, see store-cluster.ts. */
  outboxLanes: OutboxLaneRepository;
  /** True when several processes (nodes) may share this database (PostgreSQL). */
  readonly shared: boolean;
  /**
   * Runs fn in one transaction: every change made through the Store handed to fn commits together or
   * not at all. Nested calls join the outer transaction.
   */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
