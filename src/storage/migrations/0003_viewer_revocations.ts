// Third schema: viewer session revocations (StartViewerSessionRevocation). One row per (channel,
// viewer id) holding the highest revoked viewer-session version; playback refuses tokens whose
// `aws:viewer-session-version` is at or below it.
//
// Same rules as 0001: Kysely's schema builder only, every step idempotent. The channel ARN references
// resources(arn) with ON DELETE CASCADE, so deleting a channel drops its revocations in the same
// statement (SQLite runs with foreign_keys = ON; PostgreSQL always enforces them). Channel ARNs are
// random and never reused, so this is housekeeping rather than a safety property.

import type { Kysely, Migration } from 'kysely';

export const migration0003: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('viewer_revocations')
      .ifNotExists()
      .addColumn('channel_arn', 'text', (c) => c.notNull().references('resources.arn').onDelete('cascade'))
      .addColumn('viewer_id', 'text', (c) => c.notNull())
      .addColumn('account', 'text', (c) => c.notNull())
      .addColumn('region', 'text', (c) => c.notNull())
      // ViewerSessionVersion is a 32-bit integer in the model.
      .addColumn('max_version', 'integer', (c) => c.notNull())
      // Epoch milliseconds of the last raise: bigint, it overflows PostgreSQL's 32-bit integer.
      .addColumn('revoked_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('viewer_revocations_pkey', ['channel_arn', 'viewer_id'])
      .execute();
  },
};
