// Delivery lanes of the event outbox: while a dispatcher holds a sink's lane, no other dispatcher (on
// any node) delivers that sink's rows, so each sink still sees one FIFO in id order and no event is
// sent by two nodes at once.
//
// Why a lease row rather than a row lock held during delivery: a delivery is an HTTP call of up to
// the sink's timeout, and holding a transaction (a pooled connection) open across it would tie up
// the pool and, on SQLite, block every writer. A lease is claimed in one short statement, renewed
// before each delivery, and expires by itself when its holder dies (kill -9, partition), after which
// another node claims it with a higher epoch. The dispatcher aborts a delivery that would outlive its
// lease, and passes the grant to the outbox's mark* methods, which change nothing once the epoch moved.
//
// SQLite has a single process per database file: LocalOutboxLanes grants every claim without a write.

import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { LaneLease, OutboxLaneRepository } from '../store-cluster.js';
import { databaseNow, nowPlus } from './clock.js';
import type { SqlFeatures } from './dialect.js';

export class KyselyOutboxLaneRepository implements OutboxLaneRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly features: SqlFeatures,
  ) {}

  async claim(sink: string, holder: string, ttlMs: number): Promise<LaneLease | undefined> {
    const now = this.features.nowMs();
    const row = await this.db
      .insertInto('outbox_lanes')
      .values({ sink, holder, epoch: 1, expires_at: nowPlus(this.features, ttlMs) })
      .onConflict((oc) =>
        oc
          .column('sink')
          .doUpdateSet((eb) => ({
            holder: eb.ref('excluded.holder'),
            epoch: eb('outbox_lanes.epoch', '+', 1),
            expires_at: eb.ref('excluded.expires_at'),
          }))
          .where((eb) =>
            eb.or([
              eb('outbox_lanes.holder', 'is', null),
              eb('outbox_lanes.expires_at', '<=', now),
              eb('outbox_lanes.holder', '=', holder),
            ]),
          ),
      )
      .returning('epoch')
      .executeTakeFirst();
    // validForMs counts from before the statement was sent, so the holder's local deadline is early.
    return row === undefined ? undefined : { sink, holder, epoch: Number(row.epoch), validForMs: ttlMs };
  }

  async renew(lease: LaneLease, ttlMs: number): Promise<LaneLease | undefined> {
    const result = await this.db
      .updateTable('outbox_lanes')
      .set({ expires_at: nowPlus(this.features, ttlMs) })
      .where('sink', '=', lease.sink)
      .where('holder', '=', lease.holder)
      .where('epoch', '=', lease.epoch)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n ? { ...lease, validForMs: ttlMs } : undefined;
  }

  async release(lease: LaneLease): Promise<void> {
    await this.db
      .updateTable('outbox_lanes')
      .set({ holder: null, expires_at: 0 })
      .where('sink', '=', lease.sink)
      .where('holder', '=', lease.holder)
      .where('epoch', '=', lease.epoch)
      .execute();
  }

  async expiresIn(sink: string): Promise<number> {
    const row = await this.db
      .selectFrom('outbox_lanes')
      .select('expires_at')
      .where('sink', '=', sink)
      .where('holder', 'is not', null)
      .executeTakeFirst();
    if (row === undefined) return 0;
    return Math.max(0, Number(row.expires_at) - (await databaseNow(this.db, this.features)));
  }
}

/** One process owns the database: every claim is granted, nothing is written. */
export class LocalOutboxLanes implements OutboxLaneRepository {
  claim(sink: string, holder: string): Promise<LaneLease | undefined> {
    return Promise.resolve({ sink, holder, epoch: 0, validForMs: Number.POSITIVE_INFINITY });
  }

  renew(lease: LaneLease): Promise<LaneLease | undefined> {
    return Promise.resolve(lease);
  }

  release(): Promise<void> {
    return Promise.resolve();
  }

  expiresIn(): Promise<number> {
    return Promise.resolve(0);
  }
}
