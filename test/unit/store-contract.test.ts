// Runs the Store contract suite (test/unit/fixtures/store-contract.ts) against the embedded SQLite
// store and against a real PostgreSQL server (test/helpers/postgres.ts): each test gets a fresh
// SQLite data directory, or a fresh database owned by a fresh non-superuser role.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openPostgresStore } from '../../src/storage/postgres/index.js';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import { databaseName, startPostgres, type PgServer } from '../helpers/postgres.js';
import { storeContract } from './fixtures/store-contract.js';
import type { HarnessFactory } from './fixtures/store-helpers.js';

const sqliteHarness: HarnessFactory = async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'openivs-store-'));
  return {
    open: () => openSqliteStore({ dataDir }),
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
    serialTransactions: true,
  };
};

let server: Promise<PgServer> | undefined;
after(async () => (await server)?.destroy());

const postgresHarness: HarnessFactory = async () => {
  server ??= startPostgres();
  const pg = await server;
  const url = await pg.createDatabase();
  return {
    open: () => openPostgresStore({ url }),
    cleanup: () => pg.dropDatabase(databaseName(url)),
    serialTransactions: false,
  };
};

storeContract('sqlite', sqliteHarness);
storeContract('postgres', postgresHarness);
