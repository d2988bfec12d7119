// Fourth schema: what several nodes on one PostgreSQL coordinate through (store-cluster.ts), plus
// 64-bit counters on PostgreSQL.
//
// - nodes: one row per node, refreshed by its heartbeat (times are the database's epoch ms).
// - channel_leases: one row per channel ever broadcast. Rows are kept after release (node_id null) so
//   the epoch only ever grows: a fencing token must never be handed out twice for one channel.
// - outbox_lanes: one row per event sink, granted to one dispatcher at a time.
//
// Same rules as 0001: schema builder only, every step idempotent. On PostgreSQL 0001-0003 made the
// counters and the columns fed from them `integer` (32-bit there, 64-bit in SQLite); they are widened
// to bigint so both dialects count equally far. The repositories already read them with Number().

import { PostgresAdapter, type Kysely, type Migration } from 'kysely';

const WIDENED: ReadonlyArray<readonly [table: string, column: string]> = [
  ['sequences', 'value'],
  ['resources', 'seq'],
  ['stream_sessions', 'seq'],
  ['outbox', 'id'],
];

export const migration0004: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('nodes')
      .ifNotExists()
      .addColumn('node_id', 'text', (c) => c.primaryKey())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
      .addColumn('live_streams', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('free_transcode_slots', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();

    await db.schema
      .createTable('channel_leases')
      .ifNotExists()
      .addColumn('channel_arn', 'text', (c) => c.primaryKey())
      .addColumn('account', 'text', (c) => c.notNull())
      .addColumn('region', 'text', (c) => c.notNull())
      // null: released (the row stays, keeping the epoch).
      .addColumn('node_id', 'text')
      .addColumn('epoch', 'bigint', (c) => c.notNull())
      .addColumn('acquired_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    // The concurrent-broadcasts count: live leases of a scope.
    await db.schema
      .createIndex('channel_leases_scope')
      .ifNotExists()
      .on('channel_leases')
      .columns(['account', 'region', 'expires_at'])
      .execute();
    // renew / releaseAllOf by node, stealExpired by expiry.
    await db.schema
      .createIndex('channel_leases_node')
      .ifNotExists()
      .on('channel_leases')
      .columns(['node_id', 'expires_at'])
      .execute();

    await db.schema
      .createTable('outbox_lanes')
      .ifNotExists()
      .addColumn('sink', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text')
      .addColumn('epoch', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();

    if (db.getExecutor().adapter instanceof PostgresAdapter) {
      for (const [table, column] of WIDENED) {
        await db.schema
          .alterTable(table)
          .alterColumn(column, (c) => c.setDataType('bigint'))
          .execute();
      }
    }
  },
};
