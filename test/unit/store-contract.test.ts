// Runs the Store contract suite (test/unit/fixtures/store-contract.ts) against the embedded SQLite
// store, each test on a fresh data directory under the OS temp dir.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import { storeContract } from './fixtures/store-contract.js';
import type { HarnessFactory } from './fixtures/store-helpers.js';

const sqliteHarness: HarnessFactory = async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'openivs-store-'));
  return {
    open: () => openSqliteStore({ dataDir }),
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  };
};

storeContract('sqlite', sqliteHarness);
