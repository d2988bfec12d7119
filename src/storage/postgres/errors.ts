// How node-postgres failures become the store's errors:
// - unique violations (SQLSTATE 23505, by constraint name) → DuplicateLookupError / DuplicateArnError;
// - anything that means "the database cannot serve us right now" (refused or lost connection, server
//   shutting down or starting, timeouts, too many connections, bad credentials or a dropped database
//   at run time) → StoreUnavailableError, which the API answers as a retryable InternalServerException;
// - deadlock and serialization victims → retried by the store's transaction(), then unavailable;
// - at start, the same failures become one line naming the problem (StoreOpenError).

import { DuplicateArnError, DuplicateLookupError, StoreOpenError, StoreUnavailableError } from '../errors.js';
import type { NewResourceRow } from '../store.js';
import { oneLine, type PostgresTarget } from './url.js';

interface DriverError {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
}

const asDriverError = (err: unknown): DriverError => (typeof err === 'object' && err !== null ? err : {});

export function mapPostgresError(err: unknown, row: NewResourceRow<unknown>): Error | undefined {
  const { code, constraint } = asDriverError(err);
  if (code !== '23505') return undefined;
  if (constraint === 'resources_type_lookup_key') return new DuplicateLookupError(row.type, row.lookup, { cause: err });
  if (constraint === 'resources_pkey') return new DuplicateArnError(row.arn, { cause: err });
  return undefined;
}

/** Socket-level failures (node errno codes). ENOENT: a unix socket that does not exist (server down). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'ENOENT',
]);
/** SQLSTATEs meaning the server cannot serve the request now (rather than "this request is wrong"). */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01',
  '57P02',
  '57P03', // admin / crash shutdown, cannot connect now (starting up or shutting down)
  '57014',
  '55P03',
  '25P03', // statement timeout or cancel, lock timeout, idle-in-transaction timeout
  '3D000',
  '28000',
  '28P01', // database gone, role or password refused (at run time: an operator's change)
  '40001',
  '40P01', // serialization failure, deadlock (after the store's retries)
]);
/** node-postgres's own messages for a connection it lost or could not open in time. */
const LOST_CONNECTION =
  /connection terminated|timeout exceeded when trying to connect|not queryable|connection ended|client was closed|terminating connection/i;

export function isUnavailable(err: unknown): boolean {
  if (err instanceof StoreUnavailableError) return true;
  const { code, message } = asDriverError(err);
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
    // Classes 08 (connection exception) and 53 (insufficient resources: too many connections, disk full).
    if (/^(08|53)[0-9A-Z]{3}$/.test(code)) return true;
  }
  return typeof message === 'string' && LOST_CONNECTION.test(message);
}

/** Deadlock and serialization victims: PostgreSQL rolled the transaction back; running it again is safe. */
export function isRetryable(err: unknown): boolean {
  const { code } = asDriverError(err);
  return code === '40001' || code === '40P01';
}

export function unavailable(err: unknown): StoreUnavailableError {
  if (err instanceof StoreUnavailableError) return err;
  const message = isRetryable(err)
    ? 'The database is busy with conflicting changes. Please retry your request.'
    : 'The database is unavailable. Please retry your request.';
  return new StoreUnavailableError(message, { cause: err });
}

/** A short, password-free reason for logs. */
export function describeDriverError(err: unknown): string {
  const { code, message } = asDriverError(err);
  const text = typeof message === 'string' && message !== '' ? oneLine(message) : String(err);
  return typeof code === 'string' ? `${code}: ${text}` : text;
}

/** The one line printed when the store cannot be opened at start. */
export function openError(err: unknown, target: PostgresTarget, connectTimeoutMs: number): StoreOpenError {
  const { code, message } = asDriverError(err);
  const where = `PostgreSQL at ${target.label}`;
  const text = typeof message === 'string' ? oneLine(message) : String(err);
  switch (code) {
    case 'ECONNREFUSED':
      return new StoreOpenError(`${where}: connection refused (is PostgreSQL running and listening there?)`);
    case 'ENOENT':
      return new StoreOpenError(`${where}: no server socket there (is PostgreSQL running?)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StoreOpenError(`PostgreSQL host ${target.host} not found (check --database-url)`);
    case '3D000':
      return new StoreOpenError(`${where}: database "${target.database}" does not exist (create it: see README, PostgreSQL)`);
    case '28P01':
      return new StoreOpenError(`${where}: password authentication failed for user "${target.user}"`);
    case '28000':
      return new StoreOpenError(`${where}: user "${target.user}" refused: ${text}`);
    case '42501':
      return new StoreOpenError(`${where}: permission denied (${text}); the user must own the database, see README, PostgreSQL`);
    case '57P03':
      return new StoreOpenError(`${where}: the server is starting up or shutting down; try again`);
    default:
      if (typeof message === 'string' && /timeout exceeded when trying to connect/i.test(message)) {
        return new StoreOpenError(`${where}: no answer within ${connectTimeoutMs / 1000} s`);
      }
      return new StoreOpenError(`${where}: ${typeof code === 'string' ? `${code} ` : ''}${text}`);
  }
}
