// First schema: resources (JSON documents plus indexed columns), the seq counter, and settings.
//
// Written with Kysely's schema builder only, so the same migration runs on SQLite and PostgreSQL.
// Kysely does not wrap SQLite migrations in a transaction (its adapter reports no transactional DDL),
// so every step is idempotent (IF NOT EXISTS, ON CONFLICT DO NOTHING): a crash halfway through simply
// re-runs the migration on the next start.

import type { Kysely, Migration } from 'kysely';

export const migration0001: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('resources')
      .ifNotExists()
      .addColumn('arn', 'text', (c) => c.primaryKey())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('account', 'text', (c) => c.notNull())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('ref1', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('ref2', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('lookup', 'text')
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('doc', 'text', (c) => c.notNull())
      .execute();

    // Both SQLite and PostgreSQL treat NULLs as distinct in a unique index, so rows without a lookup
    // value never collide. The name is what the dialects' error mappers recognise.
    await db.schema
      .createIndex('resources_type_lookup_key')
      .ifNotExists()
      .on('resources')
      .columns(['type', 'lookup'])
      .unique()
      .execute();
    // List/count by scope, ordered by seq (stable pagination).
    await index(db, 'resources_scope_seq', ['account', 'region', 'type', 'seq']);
    // findReferencing: "which channels use this recording configuration / policy", "keys of a channel".
    await index(db, 'resources_type_ref1', ['type', 'ref1']);
    await index(db, 'resources_type_ref2', ['type', 'ref2']);
    // ListChannels filterByName.
    await index(db, 'resources_scope_name', ['account', 'region', 'type', 'name']);

    await db.schema
      .createTable('sequences')
      .ifNotExists()
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'integer', (c) => c.notNull())
      .execute();
    await db
      .insertInto('sequences')
      .values({ name: 'resources', value: 0 })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();

    await db.schema
      .createTable('settings')
      .ifNotExists()
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
};

function index(db: Kysely<any>, name: string, columns: string[]): Promise<void> {
  return db.schema.createIndex(name).ifNotExists().on('resources').columns(columns).execute();
}
