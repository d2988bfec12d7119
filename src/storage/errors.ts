// Typed errors every Store implementation raises, so callers (domain rules, handlers) can react to a
// constraint violation without knowing which database produced it. Each dialect maps its own driver
// error (SQLite extended result codes, PostgreSQL SQLSTATE 23505 + constraint name) onto these.

import { ServiceError } from '../domain/errors.js';

/** Another row of the same type already holds this lookup value (stream-key value, key fingerprint). */
export class DuplicateLookupError extends Error {
  readonly type: string;
  readonly lookup: string | null;
  constructor(type: string, lookup: string | null, options?: { cause?: unknown }) {
    super(`a ${type} with this lookup value already exists`, options);
    this.name = 'DuplicateLookupError';
    this.type = type;
    this.lookup = lookup;
  }
}

/** A row with this ARN already exists (ids are random, so this signals a bug or a replayed insert). */
export class DuplicateArnError extends Error {
  readonly arn: string;
  constructor(arn: string, options?: { cause?: unknown }) {
    super(`a resource with ARN ${arn} already exists`, options);
    this.name = 'DuplicateArnError';
    this.arn = arn;
  }
}

/** A channel lease the caller acted on is no longer its current grant (another node took it over). */
export class LeaseLostError extends Error {
  readonly channelArn: string;
  constructor(channelArn: string) {
    super(`the lease on ${channelArn} is no longer held by this node`);
    this.name = 'LeaseLostError';
    this.channelArn = channelArn;
  }
}

/**
 * The database cannot be reached right now (connection refused or lost, server shutting down,
 * timeout, persistent conflicts). A ServiceError, so the API answers the IVS InternalServerException
 * (HTTP 500, which SDKs retry) with this message instead of a generic one; the cause stays for logs.
 */
export class StoreUnavailableError extends ServiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InternalServerException', message);
    this.name = 'StoreUnavailableError';
    if (options?.cause !== undefined) Object.defineProperty(this, 'cause', { value: options.cause, enumerable: false });
  }
}

/** The store could not be opened at start; the message is one line naming the problem (no secrets). */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}
