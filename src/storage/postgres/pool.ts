// The node-postgres connection pool behind the PostgreSQL store, wrapped for Kysely so that:
// - a failure meaning "PostgreSQL is not serving us" surfaces as StoreUnavailableError (the API's
//   retryable InternalServerException) instead of a driver error and a stack trace per request;
// - an outage is logged once when it starts and once when it ends, not per request;
// - a connection that dies is never reused (node-postgres drops clients that errored) and never
//   crashes the process (every client has an 'error' listener, also while checked out);
// - nothing waits forever: connecting times out, statements time out, and a session left idle inside
//   a transaction is ended by the server, so a stuck node cannot hold locks indefinitely.
// Recovery needs nothing: the next request opens a fresh connection.

import pg from 'pg';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type { Logger } from '../../logging.js';
import { describeDriverError, isRetryable, isUnavailable, unavailable } from './errors.js';

export interface PoolOptions {
  url: string;
  log?: Logger;
  /** Connections per node. Default 10. */
  max?: number;
  /** Default 5 s. */
  connectTimeoutMs?: number;
  /** Server-side statement_timeout (lock waits included). Default 30 s. */
  statementTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** Remembers whether PostgreSQL is reachable, to log transitions only. */
class Availability {
  #down = false;
  constructor(private readonly log: Logger | undefined) {}

  failed(err: unknown): unknown {
    // Retryable conflicts are the store's to retry (the original error must reach it); they say
    // nothing about the server being reachable.
    if (isRetryable(err) || !isUnavailable(err)) return err;
    if (!this.#down) {
      this.#down = true;
      this.log?.warn(
        { reason: describeDriverError(err) },
        'PostgreSQL is unavailable: API calls answer InternalServerException until it is back',
      );
    }
    return unavailable(err);
  }

  succeeded(): void {
    if (!this.#down) return;
    this.#down = false;
    this.log?.info('PostgreSQL is reachable again');
  }
}

export class GuardedPool implements PostgresPool {
  readonly pg: pg.Pool;
  readonly #availability: Availability;

  constructor(opts: PoolOptions) {
    this.#availability = new Availability(opts.log);
    this.pg = new pg.Pool({
      connectionString: opts.url,
      max: opts.max ?? 10,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      statement_timeout: opts.statementTimeoutMs ?? 30_000,
      idle_in_transaction_session_timeout: 60_000,
      application_name: 'openivs',
    });
    // Idle clients that lose their connection are reported here; without a listener the process dies.
    this.pg.on('error', (err) => this.#availability.failed(err));
    // Checked-out clients have no pool listener: one of our own keeps a lost connection from crashing
    // the process (the failing query, if any, still rejects; the client is dropped on release).
    this.pg.on('connect', (client) => client.on('error', (err) => this.#availability.failed(err)));
  }

  async connect(): Promise<PostgresPoolClient> {
    let client: pg.PoolClient;
    try {
      client = await this.pg.connect();
    } catch (err) {
      throw this.#availability.failed(err);
    }
    const availability = this.#availability;
    const query = async (text: string, parameters: ReadonlyArray<unknown>) => {
      try {
        const result = await client.query(text, parameters as unknown[]);
        availability.succeeded();
        return result;
      } catch (err) {
        throw availability.failed(err);
      }
    };
    return { query, release: (destroy?: boolean) => client.release(destroy) } as unknown as PostgresPoolClient;
  }

  end(): Promise<void> {
    return this.pg.end();
  }
}
