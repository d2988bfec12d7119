// Fifth schema: a third reference column on resources, `ref3`, for a channel's ad configuration ARN
// (CreateChannel/UpdateChannel `adConfigurationArn`): DeleteAdConfiguration asks which channels use one, and
// ListChannels filters by it. Ad configurations themselves are resource rows like the others (type
// `ad-configuration`).
//
// Same rules as 0001: Kysely's schema builder only, every step idempotent. SQLite has no ADD COLUMN IF NOT EXISTS
// and Kysely does not wrap SQLite migrations in a transaction, so the column is added only when the table lacks it
// (a crash between the ALTER and Kysely's bookkeeping re-runs this migration harmlessly).

import type { Kysely, Migration } from 'kysely';

export const migration0005: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    const tables = await db.introspection.getTables();
    const resources = tables.find((t) => t.name === 'resources');
    if (!resources?.columns.some((c) => c.name === 'ref3')) {
      await db.schema
        .alterTable('resources')
        .addColumn('ref3', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
    }
    await db.schema.createIndex('resources_type_ref3').ifNotExists().on('resources').columns(['type', 'ref3']).execute();
  },
};
