// Schema migrations on PostgreSQL when several nodes may start at once: the shared migrations
// (src/storage/migrations) run while this node holds a session-level advisory lock on a connection of
// its own, so exactly one node migrates and the others wait, then find nothing left to do. Kysely's
// Migrator also locks and runs each batch in one transaction (PostgreSQL has transactional DDL), but
// it creates its bookkeeping tables before taking its lock; the outer lock covers that step too.

import type { Kysely } from 'kysely';
import { migrateToLatest } from '../migrations/index.js';
import type { Database } from '../schema.js';
import type { GuardedPool } from './pool.js';

/** Hashed to the advisory lock's 64-bit key by the server. */
const MIGRATION_LOCK_KEY = 'openivs:migrations';

export async function migrateWithLock(db: Kysely<Database>, pool: GuardedPool): Promise<void> {
  const lockHolder = await pool.pg.connect();
  try {
    // Waits for a node that is migrating; statement_timeout does not apply to this wait.
    await lockHolder.query('set statement_timeout = 0');
    await lockHolder.query('select pg_advisory_lock(hashtextextended($1, 0))', [MIGRATION_LOCK_KEY]);
    try {
      await migrateToLatest(db);
    } finally {
      await lockHolder.query('select pg_advisory_unlock(hashtextextended($1, 0))', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    // The session's settings changed (and a failure may have left the lock): never reuse it.
    lockHolder.release(true);
  }
}
