// Second schema: stream sessions (one row per broadcast) and the event outbox.
//
// Same rules as 0001: Kysely's schema builder only (runs on SQLite and PostgreSQL), every step
// idempotent because SQLite migrations are not wrapped in a transaction. Ids and seqs come from the
// `sequences` counters rather than AUTOINCREMENT/SERIAL, which differ per dialect; on PostgreSQL the
// counter's row lock also makes outbox ids follow commit order, which the per-sink FIFO relies on.
// Epoch-millisecond columns are bigint: they overflow PostgreSQL's 32-bit integer. The outbox id is
// integer like the counter it comes from (and so SQLite's rowid alias).

import type { Kysely, Migration } from 'kysely';

export const migration0002: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('stream_sessions')
      .ifNotExists()
      .addColumn('stream_id', 'text', (c) => c.primaryKey())
      .addColumn('account', 'text', (c) => c.notNull())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('channel_arn', 'text', (c) => c.notNull())
      .addColumn('start_time', 'text', (c) => c.notNull())
      .addColumn('end_time', 'text')
      .addColumn('has_error_event', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('doc', 'text', (c) => c.notNull())
      .execute();
    // latest() and list() of a channel, newest first.
    await db.schema
      .createIndex('stream_sessions_channel_seq')
      .ifNotExists()
      .on('stream_sessions')
      .columns(['channel_arn', 'seq'])
      .execute();
    // listOpen() after a crash: live sessions are few, ended ones many.
    await db.schema.createIndex('stream_sessions_end_time').ifNotExists().on('stream_sessions').column('end_time').execute();

    await db.schema
      .createTable('outbox')
      .ifNotExists()
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('sink', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('delivered_at', 'bigint')
      .addColumn('abandoned_at', 'bigint')
      .addColumn('last_error', 'text')
      .execute();
    // The dispatcher's per-sink head-of-line query: oldest undelivered row of a sink.
    await db.schema
      .createIndex('outbox_sink_pending')
      .ifNotExists()
      .on('outbox')
      .columns(['sink', 'delivered_at', 'id'])
      .execute();
    // due() across sinks, and prune() of delivered rows by age.
    await db.schema
      .createIndex('outbox_delivered_next')
      .ifNotExists()
      .on('outbox')
      .columns(['delivered_at', 'next_attempt_at'])
      .execute();

    for (const name of ['stream_sessions', 'outbox']) {
      await db
        .insertInto('sequences')
        .values({ name, value: 0 })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
    }
  },
};
