// The PostgreSQL Store: node-postgres behind Kysely's PostgresDialect, the same repositories and
// migrations as SQLite (src/storage/kysely, src/storage/migrations), made safe for several nodes by
// POSTGRES_FEATURES (row and advisory locks, the database clock, binary text ordering).
//
// Types: documents are JSON text (not jsonb, which would reorder keys), booleans are 0/1 integers,
// session times ISO-8601 text and other times epoch-millisecond bigints (read back with Number()), so
// every row reads back exactly as on SQLite.
//
// Opening checks the connection first and turns any failure into one line (StoreOpenError); later
// failures surface per call as StoreUnavailableError (see pool.ts).

import { Kysely, PostgresDialect } from 'kysely';
import type { Logger } from '../../logging.js';
import { KyselyResourceRepository } from '../kysely/resources.js';
import { POSTGRES_FEATURES } from '../kysely/dialect.js';
import { KyselyStore } from '../kysely/store.js';
import type { Database } from '../schema.js';
import type { Store } from '../store.js';
import { isRetryable, mapPostgresError, openError, unavailable } from './errors.js';
import { migrateWithLock } from './migrate.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, GuardedPool } from './pool.js';
import { postgresTarget } from './url.js';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  log?: Logger;
  /** Pool size per node. Default 10. */
  maxConnections?: number;
}

export async function openPostgresStore(opts: PostgresStoreOptions): Promise<Store> {
  const target = postgresTarget(opts.url);
  const pool = new GuardedPool({ url: opts.url, log: opts.log, max: opts.maxConnections });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    const probe = await pool.pg.connect();
    try {
      await probe.query('select 1');
    } finally {
      probe.release();
    }
    await migrateWithLock(db, pool);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    // destroy() ends the pool only if Kysely ever used it.
    if (!pool.pg.ending) await pool.end().catch(() => undefined);
    throw openError(rootCause(err), target, DEFAULT_CONNECT_TIMEOUT_MS);
  }
  return new KyselyStore(db, {
    features: POSTGRES_FEATURES,
    resources: (bound) => new KyselyResourceRepository(bound, mapPostgresError, POSTGRES_FEATURES),
    retryable: isRetryable,
    exhausted: unavailable,
    close: (bound) => bound.destroy(),
  });
}

/** Migration failures arrive wrapped (`storage migration … failed`); the driver's error says why. */
function rootCause(err: unknown): unknown {
  let current = err;
  while (current instanceof Error && current.cause !== undefined && !('code' in current)) current = current.cause;
  return current;
}
