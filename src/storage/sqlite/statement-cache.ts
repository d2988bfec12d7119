// better-sqlite3 behind Kysely with prepared statements kept: Kysely's SqliteDriver calls `prepare(sql)` for every
// query, and compiling the SQL was the largest single cost of a GetChannel in the API profile (better-sqlite3's
// `prepare` ~7% of the server's CPU under load). The same SQL text gets the same Statement back, unless that statement
// is busy (an open iterator), which gets a fresh one. The cache is bounded: queries with variable IN lists make new
// texts, and the oldest entry leaves first.

import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

const MAX_STATEMENTS = 512;

export function withStatementCache(db: BetterSqlite3.Database, max = MAX_STATEMENTS): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      statements.clear();
      db.close();
    },
    prepare: (sql: string): SqliteStatement => {
      const cached = statements.get(sql);
      if (cached && !cached.busy) return cached;
      const stmt = db.prepare(sql);
      if (!cached) {
        if (statements.size >= max) statements.delete(statements.keys().next().value!);
        statements.set(sql, stmt);
      }
      return stmt;
    },
  };
}
