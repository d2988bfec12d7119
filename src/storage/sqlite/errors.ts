// Maps better-sqlite3 constraint errors to the store's typed errors. better-sqlite3 exposes SQLite's
// extended result code as err.code, and the message names the violated columns, which is the only
// stable way SQLite identifies a unique index.

import { DuplicateArnError, DuplicateLookupError } from '../errors.js';
import type { NewResourceRow } from '../store.js';

export function mapSqliteError(err: unknown, row: NewResourceRow<unknown>): Error | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || typeof message !== 'string') return undefined;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' && message.includes('resources.lookup')) {
    return new DuplicateLookupError(row.type, row.lookup, { cause: err });
  }
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' && message.includes('resources.arn')) {
    return new DuplicateArnError(row.arn, { cause: err });
  }
  return undefined;
}
