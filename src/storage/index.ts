// Storage entry point: picks the Store implementation for a configuration. SQLite under the data
// directory is the only backend today; a `databaseUrl` of postgres://… is reserved for the
// PostgreSQL implementation, which will pass the same contract tests (test/unit/store-contract).

import { openSqliteStore } from './sqlite/index.js';
import type { Store } from './store.js';

export interface StoreConfig {
  /** Directory holding openivs.sqlite (created if missing). */
  dataDir: string;
  /** Optional database URL; unset or sqlite:… selects the embedded SQLite store. */
  databaseUrl?: string;
}

export async function openStore(config: StoreConfig): Promise<Store> {
  const url = config.databaseUrl;
  if (url === undefined || url === '') return openSqliteStore({ dataDir: config.dataDir });
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
    return path === '' ? openSqliteStore({ dataDir: config.dataDir }) : openSqliteStore({ filename: path });
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    throw new Error('PostgreSQL storage is not implemented yet; leave databaseUrl unset to use SQLite');
  }
  throw new Error(`unsupported databaseUrl scheme: ${url.split(':')[0]}`);
}

export type * from './store.js';
export { DuplicateArnError, DuplicateLookupError } from './errors.js';
export { isErrorEvent, MAX_SESSION_EVENTS } from './store-events.js';
export { openSqliteStore } from './sqlite/index.js';
