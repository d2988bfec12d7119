// Named monotonic counters (the `sequences` table) shared by the repositories that need an order
// or an id: a counter row instead of max(id)+1 keeps values unique and increasing even after the
// newest rows are deleted (pruned outbox rows, for example).

import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Reserves `count` consecutive values of counter `name` and returns the first. Must run inside a
 * transaction together with the insert that uses the values, so a rollback returns them.
 */
export async function reserve(db: Kysely<Database>, name: string, count = 1): Promise<number> {
  const { value } = await db
    .updateTable('sequences')
    .set((eb) => ({ value: eb('value', '+', count) }))
    .where('name', '=', name)
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(value) - count + 1;
}

/** Runs fn in a transaction, or directly when db already is one (the caller's transaction). */
export function inTransaction<T>(db: Kysely<Database>, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}
