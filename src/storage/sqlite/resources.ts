// SQLite resource repository: the dialect-neutral Kysely repository plus a fast path for the point
// reads on the API hot path (get by ARN, get by lookup, the rows referencing an ARN).
//
// Why: every Kysely query builds an operation tree, compiles it, re-prepares the statement in the
// driver and goes through the driver's async connection mutex. For a primary-key read that overhead
// is several times the cost of the read itself: measured on 2 cores, 20k gets of a ~400-byte channel
// document took ~25 µs each through Kysely and ~7-8 µs here (of which ~3-6 µs is SQLite's own WAL
// read and ~1 µs JSON.parse). Here the SQL still comes from Kysely (compiled once at startup), but it
// runs as a cached better-sqlite3 prepared statement.
//
// Isolation: SQLite has one connection. When a transaction is open on it (db.inTransaction) and this
// repository is not part of it, a direct read would see uncommitted rows; so we fall back to the
// Kysely path, which waits on the driver mutex until the transaction ends. Inside the transaction
// (tx-bound repository) reading directly is correct: we already own the connection.

import type { Database as Sqlite, Statement } from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database, RawResourceRow } from '../schema.js';
import type { ResourceType } from '../../domain/arn.js';
import type { NewResourceRow, ResourceRow } from '../store.js';
import { KyselyResourceRepository } from '../kysely/resources.js';
import { decodeOptional, decodeRow } from '../kysely/codec.js';
import { SQLITE_FEATURES } from '../kysely/dialect.js';
import { mapSqliteError } from './errors.js';
import { deepFreeze } from '../../domain/deep-freeze.js';

const CACHE_LIMIT = 10_000;

/**
 * Prepared statements shared by the root repository and every tx-bound one, and a cache of decoded
 * rows by ARN. Why a cache: GetChannel-style reads dominate the API and SQLite plus JSON.parse is
 * most of their cost. It is safe because this process is the database's only writer: every write
 * through any repository invalidates the ARN before and after it runs, and the cache is filled
 * only by the synchronous read path while no transaction is open (so it never holds uncommitted
 * or rolled-back data).
 */
export class SqlitePointReads {
  readonly cache = new Map<string, ResourceRow<unknown>>();
  /**
   * findReferencing results by (type, ARN, limit), filled and invalidated like `cache`, except that any write clears it
   * all: a write does not say which references it adds or drops (a delete names only its ARN), and writes are rare.
   * Why: GetChannel reads its channel's stream key here on every call, and that query (MULTI-INDEX OR plus a sort for
   * ORDER BY seq) cost ~25 µs alone and over 100 µs per request under load, the largest item of a profiled GetChannel.
   */
  readonly referencing = new Map<string, readonly ResourceRow<unknown>[]>();
  readonly byArn: Statement<[string], RawResourceRow>;
  readonly byLookup: Statement<[string, string], RawResourceRow>;
  /** findReferencing: (type, ref1, type, ref2, type, ref3, limit); GetChannel reads its stream key this way on every call. */
  readonly byReference: Statement<[string, string, string, string, string, string, number], RawResourceRow>;

  constructor(
    readonly sqlite: Sqlite,
    db: Kysely<Database>,
  ) {
    // Only the SQL text is kept; the values given here are placeholders, bound again (same order)
    // at each call.
    const byArn = db.selectFrom('resources').selectAll().where('arn', '=', '').compile();
    const byLookup = db.selectFrom('resources').selectAll().where('type', '=', 'channel').where('lookup', '=', '').compile();
    const byReference = db
      .selectFrom('resources')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb.and([eb('type', '=', 'channel'), eb('ref1', '=', '')]),
          eb.and([eb('type', '=', 'channel'), eb('ref2', '=', '')]),
          eb.and([eb('type', '=', 'channel'), eb('ref3', '=', '')]),
        ]),
      )
      .orderBy('seq', 'asc')
      .limit(1)
      .compile();
    if (byArn.parameters.length !== 1 || byLookup.parameters.length !== 2 || byReference.parameters.length !== 7) {
      throw new Error('unexpected point-read SQL');
    }
    this.byReference = sqlite.prepare<[string, string, string, string, string, string, number], RawResourceRow>(byReference.sql);
    this.byArn = sqlite.prepare<[string], RawResourceRow>(byArn.sql);
    this.byLookup = sqlite.prepare<[string, string], RawResourceRow>(byLookup.sql);
  }
}

export class SqliteResourceRepository extends KyselyResourceRepository {
  constructor(
    db: Kysely<Database>,
    private readonly reads: SqlitePointReads,
  ) {
    super(db, mapSqliteError, SQLITE_FEATURES);
  }

  /** True when a direct read on the shared connection sees exactly what this repository should. */
  private canReadDirectly(): boolean {
    return this.db.isTransaction || !this.reads.sqlite.inTransaction;
  }

  /**
   * True when the caches may be read and filled: a direct read is allowed and this repository is not inside a
   * transaction (whose own writes the caches must never hold).
   */
  private canUseCache(): boolean {
    return !this.db.isTransaction && !this.reads.sqlite.inTransaction;
  }

  override cached<Doc>(arn: string): ResourceRow<Doc> | undefined {
    return this.canUseCache() ? (this.reads.cache.get(arn) as ResourceRow<Doc> | undefined) : undefined;
  }

  override cachedReferencing<Doc>(type: ResourceType, refArn: string, limit: number): readonly ResourceRow<Doc>[] | undefined {
    if (!this.canUseCache()) return undefined;
    return this.reads.referencing.get(referencingKey(type, refArn, limit)) as readonly ResourceRow<Doc>[] | undefined;
  }

  override async get<Doc>(arn: string): Promise<ResourceRow<Doc> | undefined> {
    if (!this.canReadDirectly()) return super.get<Doc>(arn);
    const cached = this.cached<Doc>(arn);
    if (cached) return cached;
    const cacheable = !this.db.isTransaction;
    const row = decodeOptional<Doc>(this.reads.byArn.get(arn));
    if (row && cacheable) {
      const cache = this.reads.cache;
      if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
      cache.set(arn, deepFreeze(row));
    }
    return row;
  }

  override async insert<Doc>(row: NewResourceRow<Doc>): Promise<ResourceRow<Doc>> {
    return this.invalidating(row.arn, () => super.insert(row));
  }

  override async update<Doc>(row: NewResourceRow<Doc>): Promise<boolean> {
    return this.invalidating(row.arn, () => super.update(row));
  }

  override async delete(arn: string): Promise<boolean> {
    return this.invalidating(arn, () => super.delete(arn));
  }

  private async invalidating<T>(arn: string, write: () => Promise<T>): Promise<T> {
    this.reads.cache.delete(arn);
    this.reads.referencing.clear();
    try {
      return await write();
    } finally {
      this.reads.cache.delete(arn);
      this.reads.referencing.clear();
    }
  }

  override async findReferencing<Doc>(type: ResourceType, refArn: string, limit: number): Promise<ResourceRow<Doc>[]> {
    if (refArn === '' || !this.canReadDirectly()) return super.findReferencing<Doc>(type, refArn, limit);
    const cached = this.cachedReferencing<Doc>(type, refArn, limit);
    if (cached) return cached.slice();
    const cacheable = !this.db.isTransaction;
    const rows = this.reads.byReference.all(type, refArn, type, refArn, type, refArn, limit).map((raw) => decodeRow<Doc>(raw));
    if (cacheable) {
      const cache = this.reads.referencing;
      if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
      cache.set(
        referencingKey(type, refArn, limit),
        rows.map((row) => deepFreeze(row)),
      );
      return rows.slice();
    }
    return rows;
  }

  override async getByLookup<Doc>(type: ResourceType, lookup: string): Promise<ResourceRow<Doc> | undefined> {
    if (!this.canReadDirectly()) return super.getByLookup<Doc>(type, lookup);
    return decodeOptional<Doc>(this.reads.byLookup.get(type, lookup));
  }
}

const referencingKey = (type: ResourceType, refArn: string, limit: number) => `${type}\n${limit}\n${refArn}`;
