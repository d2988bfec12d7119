// The PostgreSQL database URL: validation and a description of its target for messages. The URL
// usually carries a password, so nothing here ever returns or logs the URL itself.

import { StoreOpenError } from '../errors.js';

export interface PostgresTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  /** `host:port/database` (or the socket's path and database), safe to print. */
  label: string;
}

const EXPECTED = 'expected postgres://USER:PASSWORD@HOST:PORT/DATABASE';

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/**
 * Checks the URL and describes its target the way node-postgres will read it (a `host` query
 * parameter names a unix socket directory); throws StoreOpenError (one line, no secret) when unusable.
 */
export function postgresTarget(url: string): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreOpenError(`database URL is not a valid URL (${EXPECTED})`);
  }
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      throw new StoreOpenError(`database URL has a malformed %-escape (${EXPECTED})`);
    }
  };
  const host = parsed.searchParams.get('host') ?? decode(parsed.hostname);
  if (host === '') throw new StoreOpenError(`database URL names no host (${EXPECTED})`);
  const port = parsed.port === '' ? 5432 : Number(parsed.port);
  const user = decode(parsed.username) || process.env.PGUSER || process.env.USER || 'postgres';
  const database = decode(parsed.pathname.replace(/^\//, '')) || user;
  const label = host.startsWith('/') ? `${host}/.s.PGSQL.${port} database ${database}` : `${hostLabel(host)}:${port}/${database}`;
  return { host, port, database, user, label };
}

const hostLabel = (host: string) => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
