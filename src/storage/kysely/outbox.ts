// OutboxRepository over Kysely (dialect-neutral). Rows are written in the caller's transaction (so
// an event commits with the state change it describes) and read by the dispatcher, which delivers
// each sink's rows in id order. On a shared database the dispatcher holds the sink's lane
// (outbox-lanes.ts) while it delivers, and passes that grant to the mark* methods: a dispatcher whose
// grant was taken over cannot mark a row another one now owns.

import { sql, type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import type { Database, OutboxTable } from '../schema.js';
import type { LaneLease } from '../store-cluster.js';
import type { OutboxEvent, OutboxRepository, OutboxRow } from '../store-events.js';
import type { SqlFeatures } from './dialect.js';
import { inTransaction, reserve } from './sequence.js';

/** Keeps each INSERT well under SQLite's bound-parameter limit (10 columns per row). */
const INSERT_CHUNK = 100;
/** last_error is diagnostic; a huge error body must not bloat every retry of the row. */
const MAX_ERROR_CHARS = 1000;

/** Diagnostic text as every dialect can store it: bounded, and without NUL (PostgreSQL text refuses it). */
function errorText(error: string): string {
  return error.slice(0, MAX_ERROR_CHARS).replaceAll('\0', '\uFFFD');
}

export class KyselyOutboxRepository implements OutboxRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly features: SqlFeatures,
  ) {}

  enqueue(events: readonly OutboxEvent[], sinks: readonly string[], nowMs = Date.now()): Promise<number> {
    const total = events.length * sinks.length;
    if (total === 0) return Promise.resolve(0);
    return inTransaction(this.db, async (db) => {
      let id = await reserve(db, 'outbox', total);
      const rows: Selectable<OutboxTable>[] = [];
      for (const event of events) {
        const payload = JSON.stringify(event);
        for (const sink of sinks) {
          rows.push({
            id: id++,
            event_id: event.id,
            sink,
            payload,
            created_at: nowMs,
            attempts: 0,
            next_attempt_at: nowMs,
            delivered_at: null,
            abandoned_at: null,
            last_error: null,
          });
        }
      }
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        await db
          .insertInto('outbox')
          .values(rows.slice(i, i + INSERT_CHUNK))
          .execute();
      }
      return total;
    });
  }

  async due(nowMs: number, limit: number): Promise<OutboxRow[]> {
    const rows = await this.pending().where('next_attempt_at', '<=', nowMs).orderBy('id', 'asc').limit(limit).execute();
    return rows.map(decode);
  }

  async pendingFor(sink: string, limit: number): Promise<OutboxRow[]> {
    const rows = await this.pending().where('sink', '=', sink).orderBy('id', 'asc').limit(limit).execute();
    return rows.map(decode);
  }

  async pendingSinks(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('outbox')
      .select('sink')
      .where('delivered_at', 'is', null)
      .where('abandoned_at', 'is', null)
      // GROUP BY rather than DISTINCT: PostgreSQL wants a DISTINCT query's ORDER BY in its select list.
      .groupBy('sink')
      .orderBy(this.features.binaryOrder(sql.ref('sink')))
      .execute();
    return rows.map((r) => r.sink);
  }

  async markDelivered(id: number, nowMs: number, lane?: LaneLease): Promise<boolean> {
    const result = await this.db
      .updateTable('outbox')
      .set((eb) => ({ delivered_at: nowMs, attempts: eb('attempts', '+', 1), last_error: null }))
      .where('id', '=', id)
      .where((eb) => this.fence(eb, lane))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async markFailed(id: number, nextAttemptAtMs: number, error: string, lane?: LaneLease): Promise<boolean> {
    const result = await this.db
      .updateTable('outbox')
      .set((eb) => ({
        next_attempt_at: nextAttemptAtMs,
        attempts: eb('attempts', '+', 1),
        last_error: errorText(error),
      }))
      .where('id', '=', id)
      .where((eb) => this.fence(eb, lane))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async abandon(id: number, nowMs: number, error: string, lane?: LaneLease): Promise<boolean> {
    const result = await this.db
      .updateTable('outbox')
      .set((eb) => ({ abandoned_at: nowMs, attempts: eb('attempts', '+', 1), last_error: errorText(error) }))
      .where('id', '=', id)
      .where((eb) => this.fence(eb, lane))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** True while lane is still the sink's current grant (always true without a lane or a shared database). */
  private fence(eb: ExpressionBuilder<Database, 'outbox'>, lane: LaneLease | undefined) {
    if (lane === undefined || !this.features.shared) return eb.lit(true);
    return eb.exists(
      eb
        .selectFrom('outbox_lanes')
        .select('outbox_lanes.sink')
        .where('outbox_lanes.sink', '=', lane.sink)
        .where('outbox_lanes.holder', '=', lane.holder)
        .where('outbox_lanes.epoch', '=', lane.epoch),
    );
  }

  async pendingCount(sink?: string): Promise<number> {
    let q = this.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('delivered_at', 'is', null)
      .where('abandoned_at', 'is', null);
    if (sink !== undefined) q = q.where('sink', '=', sink);
    const { n } = await q.executeTakeFirstOrThrow();
    return Number(n);
  }

  async prune(olderThanMs: number): Promise<number> {
    const result = await this.db
      .deleteFrom('outbox')
      .where((eb) => eb.or([eb('delivered_at', '<', olderThanMs), eb('abandoned_at', '<', olderThanMs)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  private pending() {
    return this.db.selectFrom('outbox').selectAll().where('delivered_at', 'is', null).where('abandoned_at', 'is', null);
  }
}

function decode(raw: Selectable<OutboxTable>): OutboxRow {
  // Number(): PostgreSQL drivers return bigint columns as strings.
  const optional = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: Number(raw.id),
    eventId: raw.event_id,
    sink: raw.sink,
    payload: raw.payload,
    createdAt: Number(raw.created_at),
    attempts: Number(raw.attempts),
    nextAttemptAt: Number(raw.next_attempt_at),
    deliveredAt: optional(raw.delivered_at),
    abandonedAt: optional(raw.abandoned_at),
    lastError: raw.last_error,
  };
}
