// OutboxRepository over Kysely (dialect-neutral). Rows are written in the caller's transaction (so
// an event commits with the state change it describes) and read by the dispatcher, which delivers
// each sink's rows in id order.

import type { Kysely, Selectable } from 'kysely';
import type { Database, OutboxTable } from '../schema.js';
import type { OutboxEvent, OutboxRepository, OutboxRow } from '../store-events.js';
import { inTransaction, reserve } from './sequence.js';

/** Keeps each INSERT well under SQLite's bound-parameter limit (10 columns per row). */
const INSERT_CHUNK = 100;
/** last_error is diagnostic; a huge error body must not bloat every retry of the row. */
const MAX_ERROR_CHARS = 1000;

export class KyselyOutboxRepository implements OutboxRepository {
  constructor(private readonly db: Kysely<Database>) {}

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
      .distinct()
      .where('delivered_at', 'is', null)
      .where('abandoned_at', 'is', null)
      .orderBy('sink')
      .execute();
    return rows.map((r) => r.sink);
  }

  async markDelivered(id: number, nowMs: number): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set((eb) => ({ delivered_at: nowMs, attempts: eb('attempts', '+', 1), last_error: null }))
      .where('id', '=', id)
      .execute();
  }

  async markFailed(id: number, nextAttemptAtMs: number, error: string): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set((eb) => ({
        next_attempt_at: nextAttemptAtMs,
        attempts: eb('attempts', '+', 1),
        last_error: error.slice(0, MAX_ERROR_CHARS),
      }))
      .where('id', '=', id)
      .execute();
  }

  async abandon(id: number, nowMs: number, error: string): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set((eb) => ({ abandoned_at: nowMs, attempts: eb('attempts', '+', 1), last_error: error.slice(0, MAX_ERROR_CHARS) }))
      .where('id', '=', id)
      .execute();
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
