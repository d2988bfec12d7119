// Storage entry point: picks the Store implementation for a configuration. SQLite under the data
// directory is the default; a `databaseUrl` of postgres://… selects the PostgreSQL store, which passes
// the same contract tests (test/unit/store-contract) and lets several nodes share one database.

import type { Logger } from '../logging.js';
import { StoreOpenError } from './errors.js';
import { openPostgresStore } from './postgres/index.js';
import { isPostgresUrl } from './postgres/url.js';
import { openSqliteStore } from './sqlite/index.js';
import type { Store } from './store.js';

export interface StoreConfig {
  /** Directory holding openivs.sqlite (created if missing). */
  dataDir: string;
  /** Optional database URL; unset or sqlite:… selects the embedded SQLite store, postgres://… PostgreSQL. */
  databaseUrl?: string;
  /** Where the PostgreSQL store reports outages (once when one starts, once when it ends). */
  log?: Logger;
}

/** Opens the configured store; throws StoreOpenError (one line, no secret) when it cannot. */
export async function openStore(config: StoreConfig): Promise<Store> {
  const url = config.databaseUrl;
  if (url === undefined || url === '') return openSqliteStore({ dataDir: config.dataDir });
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
    return path === '' ? openSqliteStore({ dataDir: config.dataDir }) : openSqliteStore({ filename: path });
  }
  if (isPostgresUrl(url)) return openPostgresStore({ url, log: config.log });
  // Only the scheme is shown: the rest of a URL may hold a password.
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  throw new StoreOpenError(
    `database URL: unsupported scheme ${scheme === undefined ? '(none)' : `"${scheme}"`} (expected postgres://USER:PASSWORD@HOST:PORT/DATABASE or sqlite:PATH)`,
  );
}

export type * from './store.js';
export { DuplicateArnError, DuplicateLookupError, LeaseLostError, StoreOpenError, StoreUnavailableError } from './errors.js';
export { isErrorEvent, MAX_SESSION_EVENTS } from './store-events.js';
export { openSqliteStore } from './sqlite/index.js';
export { openPostgresStore } from './postgres/index.js';
