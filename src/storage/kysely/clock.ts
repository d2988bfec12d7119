// Reads the database's clock (SqlFeatures.nowMs) when a repository must decide in code, not in SQL,
// whether something has expired.

import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { SqlFeatures } from './dialect.js';

export async function databaseNow(db: Kysely<Database>, features: SqlFeatures): Promise<number> {
  const { rows } = await sql<{ now: number | string }>`select ${features.nowMs()} as now`.execute(db);
  return Number(rows[0]!.now);
}

/** `now + ms` evaluated by the database. */
export function nowPlus(features: SqlFeatures, ms: number) {
  return sql<number>`${features.nowMs()} + ${Math.round(ms)}`;
}
