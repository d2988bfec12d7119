// The embedded SQLite Store: one better-sqlite3 connection behind Kysely's SqliteDialect, schema
// migrated on open. WAL with synchronous=NORMAL means a committed transaction survives a process
// crash or kill -9 (the WAL is on disk before COMMIT returns); only an OS crash or power loss can
// drop the last few commits, the usual trade for not fsyncing every write.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { SQLITE_FEATURES } from '../kysely/dialect.js';
import { KyselyStore } from '../kysely/store.js';
import { migrateToLatest } from '../migrations/index.js';
import type { Database } from '../schema.js';
import type { Store } from '../store.js';
import { SqlitePointReads, SqliteResourceRepository } from './resources.js';
import { withStatementCache } from './statement-cache.js';

export const SQLITE_FILENAME = 'openivs.sqlite';

export type SqliteStoreOptions = { dataDir: string } | { filename: string };

export async function openSqliteStore(opts: SqliteStoreOptions): Promise<Store> {
  let filename: string;
  if ('dataDir' in opts) {
    await mkdir(opts.dataDir, { recursive: true });
    filename = join(opts.dataDir, SQLITE_FILENAME);
  } else {
    filename = opts.filename;
  }
  const sqlite = new BetterSqlite3(filename);
  try {
    applyPragmas(sqlite);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    await migrateToLatest(db);
    const reads = new SqlitePointReads(sqlite, db);
    return new KyselyStore(db, {
      features: SQLITE_FEATURES,
      resources: (bound) => new SqliteResourceRepository(bound, reads),
      close: closeSqlite,
    });
  } catch (err) {
    sqlite.close();
    throw err;
  }
}

function applyPragmas(sqlite: BetterSqlite3.Database): void {
  // WAL: readers never block the writer and a commit is one sequential append.
  sqlite.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: durable across process crashes (kill -9), fsync only at checkpoints.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // Another process (a backup tool, the CLI) holding a lock makes us wait instead of failing.
  sqlite.pragma('busy_timeout = 5000');
}

async function closeSqlite(db: Kysely<Database>): Promise<void> {
  // Issued through Kysely so it waits for any open transaction to finish; TRUNCATE folds the WAL
  // into the main file so the data directory is a single self-contained file after a clean stop.
  try {
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
  } finally {
    await db.destroy();
  }
}
