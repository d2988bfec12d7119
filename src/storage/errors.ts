// Typed errors every Store implementation raises, so callers (domain rules, handlers) can react to a
// constraint violation without knowing which database produced it. Each dialect maps its own driver
// error (SQLite extended result codes, PostgreSQL SQLSTATE 23505 + constraint name) onto these.

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
