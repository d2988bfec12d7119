// Runs the schema migrations in code (no migration files read from disk, so the compiled package
// works from any directory). Kysely's Migrator applies them in name order and records them in its
// own table, so a reopened store only runs what is new.

import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { migration0001 } from './0001_resources.js';
import { migration0002 } from './0002_sessions_outbox.js';
import { migration0003 } from './0003_viewer_revocations.js';
import { migration0004 } from './0004_cluster.js';
import { migration0005 } from './0005_ad_configurations.js';

/** Every migration, keyed by a name that sorts in application order. Append only; never edit one shipped. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_resources': migration0001,
  '0002_sessions_outbox': migration0002,
  '0003_viewer_revocations': migration0003,
  '0004_cluster': migration0004,
  '0005_ad_configurations': migration0005,
};

const provider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`storage migration ${failed} failed`, { cause: error });
  }
}
