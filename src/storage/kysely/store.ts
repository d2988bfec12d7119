// Store over Kysely: binds the repositories to either the root Kysely instance or a transaction.
// A dialect provides how to build its resource repository (to add fast paths) and how to close.

import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type {
  OutboxRepository,
  ResourceRepository,
  SettingsRepository,
  Store,
  StreamSessionRepository,
  ViewerRevocationRepository,
} from '../store.js';
import { KyselyOutboxRepository } from './outbox.js';
import { KyselySessionRepository } from './sessions.js';
import { KyselySettingsRepository } from './settings.js';
import { KyselyViewerRevocationRepository } from './viewer-revocations.js';

export interface KyselyStoreDialect {
  resources(db: Kysely<Database>): ResourceRepository;
  /** Flushes and releases the database; called once, from the root store. */
  close(db: Kysely<Database>): Promise<void>;
}

export class KyselyStore implements Store {
  readonly resources: ResourceRepository;
  readonly settings: SettingsRepository;
  readonly sessions: StreamSessionRepository;
  readonly outbox: OutboxRepository;
  readonly viewerRevocations: ViewerRevocationRepository;
  #closing: Promise<void> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: KyselyStoreDialect,
  ) {
    this.resources = dialect.resources(db);
    this.settings = new KyselySettingsRepository(db);
    this.sessions = new KyselySessionRepository(db);
    this.outbox = new KyselyOutboxRepository(db);
    this.viewerRevocations = new KyselyViewerRevocationRepository(db);
  }

  /**
   * Nested calls on a tx store run fn in the same transaction (no savepoint: an error propagates
   * to the outer fn, which rolls back everything unless it catches). Do not use the root store
   * from inside fn: on SQLite's single connection that waits for this very transaction.
   */
  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    return this.db.transaction().execute((trx) => fn(new KyselyStore(trx, this.dialect)));
  }

  close(): Promise<void> {
    if (this.db.isTransaction) return Promise.reject(new Error('close() called on a transaction store'));
    this.#closing ??= this.dialect.close(this.db);
    return this.#closing;
  }
}
