// The few things the shared Kysely repositories need to know about the database underneath. Everything
// else (queries, schema) is the same SQL on SQLite and PostgreSQL; these hooks cover what is not:
// locking, the clock, and how text sorts.
//
// Why each exists:
// - SQLite (one better-sqlite3 connection) runs one transaction at a time, so a read-modify-write or a
//   count-then-insert inside a transaction is already serial. PostgreSQL runs transactions concurrently
//   at READ COMMITTED: the same code needs a row lock (FOR UPDATE) or a transaction-scoped advisory
//   lock to be race-free across connections and nodes.
// - Leases and heartbeats compare times written by different nodes: PostgreSQL's clock is the one clock
//   every node shares, so those times come from the database, not from Date.now() on each node.
// - PostgreSQL sorts text by the database's collation (often linguistic: 'a' < 'B'); SQLite compares
//   bytes. Equality is bytewise on both (default collations are deterministic), so only ORDER BY on
//   text needs the binary collation spelled out.

import { sql, type Expression, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../schema.js';

export interface SqlFeatures {
  readonly name: 'sqlite' | 'postgres';
  /** Several processes (nodes) may use this database at once. */
  readonly shared: boolean;
  /** Current time in epoch milliseconds, evaluated where the statement runs. */
  nowMs(): RawBuilder<number>;
  /**
   * Mutual exclusion among transactions passing the same key, held until the caller's transaction
   * ends. Only meaningful inside a transaction.
   */
  lockKey(db: Kysely<Database>, key: string): Promise<void>;
  /** Whether SELECT … FOR UPDATE / FOR SHARE is available (and needed) for read-modify-write. */
  readonly rowLocks: boolean;
  /** The expression ordering text the way SQLite does (by bytes). */
  binaryOrder(column: Expression<string> | RawBuilder<string>): RawBuilder<string>;
  /**
   * Runs one statement so that its failure leaves the caller's transaction usable, as on SQLite (where
   * a failed statement rolls back only itself). PostgreSQL aborts the whole transaction on any error, so
   * there the statement runs under a savepoint. A caller may then catch, say, a DuplicateLookupError and
   * go on within the same transaction on either database.
   */
  recoverable<T>(db: Kysely<Database>, statement: () => Promise<T>): Promise<T>;
}

export const SQLITE_FEATURES: SqlFeatures = {
  name: 'sqlite',
  shared: false,
  // One process owns the file, so its own clock is the only clock.
  nowMs: () => sql<number>`${Date.now()}`,
  lockKey: () => Promise.resolve(),
  rowLocks: false,
  binaryOrder: (column) => sql<string>`${column}`,
  recoverable: (_db, statement) => statement(),
};

export const POSTGRES_FEATURES: SqlFeatures = {
  name: 'postgres',
  shared: true,
  // statement_timestamp(), not now(): now() is frozen at transaction start, which may be long ago when
  // the transaction waited for a lock; clock_timestamp() differs between two uses in one statement.
  nowMs: () => sql<number>`(floor(extract(epoch from statement_timestamp()) * 1000))::bigint`,
  async lockKey(db, key) {
    // 64-bit hash of the key; a collision only makes two unrelated keys wait for each other.
    await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(db);
  },
  rowLocks: true,
  binaryOrder: (column) => sql<string>`${column} collate "C"`,
  async recoverable(db, statement) {
    if (!db.isTransaction) return statement();
    await sql`savepoint openivs_statement`.execute(db);
    try {
      const result = await statement();
      await sql`release savepoint openivs_statement`.execute(db);
      return result;
    } catch (err) {
      await sql`rollback to savepoint openivs_statement`.execute(db);
      throw err;
    }
  },
};
