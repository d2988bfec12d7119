// Store over Kysely: binds the repositories to either the root Kysely instance or a transaction.
// A dialect provides its SqlFeatures, how to build its resource repository (to add fast paths), which
// failed transactions are worth running again, and how to close.

import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type {
  ChannelLeaseRepository,
  NodeRepository,
  OutboxLaneRepository,
  OutboxRepository,
  ResourceRepository,
  SettingsRepository,
  Store,
  StreamSessionRepository,
  ViewerRevocationRepository,
} from '../store.js';
import { KyselyChannelLeaseRepository } from './channel-leases.js';
import type { SqlFeatures } from './dialect.js';
import { KyselyNodeRepository } from './nodes.js';
import { KyselyOutboxLaneRepository, LocalOutboxLanes } from './outbox-lanes.js';
import { KyselyOutboxRepository } from './outbox.js';
import { KyselySessionRepository } from './sessions.js';
import { KyselySettingsRepository } from './settings.js';
import { KyselyViewerRevocationRepository } from './viewer-revocations.js';

export interface KyselyStoreDialect {
  features: SqlFeatures;
  resources(db: Kysely<Database>): ResourceRepository;
  /**
   * True for an error after which the whole transaction may simply run again (PostgreSQL's
   * serialization failures and deadlocks: the database rolled it back and nothing was committed).
   */
  retryable?(err: unknown): boolean;
  /** What to throw when a retryable error persists after the last attempt. */
  exhausted?(err: unknown): Error;
  /** Flushes and releases the database; called once, from the root store. */
  close(db: Kysely<Database>): Promise<void>;
}

/** Attempts of a transaction that keeps failing with a retryable error. */
const TRANSACTION_ATTEMPTS = 4;

export class KyselyStore implements Store {
  readonly resources: ResourceRepository;
  readonly settings: SettingsRepository;
  readonly sessions: StreamSessionRepository;
  readonly outbox: OutboxRepository;
  readonly viewerRevocations: ViewerRevocationRepository;
  readonly nodes: NodeRepository;
  readonly channelLeases: ChannelLeaseRepository;
  readonly outboxLanes: OutboxLaneRepository;
  #closing: Promise<void> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: KyselyStoreDialect,
  ) {
    const { features } = dialect;
    this.resources = dialect.resources(db);
    this.settings = new KyselySettingsRepository(db);
    this.sessions = new KyselySessionRepository(db, features);
    this.outbox = new KyselyOutboxRepository(db, features);
    this.viewerRevocations = new KyselyViewerRevocationRepository(db);
    this.nodes = new KyselyNodeRepository(db, features);
    this.channelLeases = new KyselyChannelLeaseRepository(db, features);
    this.outboxLanes = features.shared ? new KyselyOutboxLaneRepository(db, features) : new LocalOutboxLanes();
  }

  get shared(): boolean {
    return this.dialect.features.shared;
  }

  /**
   * Nested calls on a tx store run fn in the same transaction (no savepoint: an error propagates
   * to the outer fn, which rolls back everything unless it catches). Do not use the root store
   * from inside fn: on SQLite's single connection that waits for this very transaction.
   *
   * A top-level transaction the database aborted as a deadlock or serialization victim runs fn again
   * (a few times, with jitter), so fn must only change things through tx until it returns.
   */
  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction().execute((trx) => fn(new KyselyStore(trx, this.dialect)));
      } catch (err) {
        if (this.dialect.retryable?.(err) !== true) throw err;
        if (attempt >= TRANSACTION_ATTEMPTS) throw this.dialect.exhausted?.(err) ?? err;
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
      }
    }
  }

  close(): Promise<void> {
    if (this.db.isTransaction) return Promise.reject(new Error('close() called on a transaction store'));
    this.#closing ??= this.dialect.close(this.db);
    return this.#closing;
  }
}
