// The SQLite statement cache under Kysely (src/storage/sqlite/statement-cache.ts): one Statement per SQL text, a fresh
// one while the cached one is busy iterating, and a bound on how many are kept.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { withStatementCache } from '../../src/storage/sqlite/statement-cache.js';

describe('SQLite statement cache', () => {
  it('returns the prepared statement again for the same SQL, a fresh one while it iterates, and keeps at most `max`', () => {
    const sqlite = new BetterSqlite3(':memory:');
    const db = withStatementCache(sqlite, 2);
    db.prepare('create table t (x integer)').run([]);
    for (const x of [1, 2, 3]) db.prepare('insert into t (x) values (?)').run([x]);
    const select = 'select x from t order by x';
    const a = db.prepare(select);
    assert.equal(db.prepare(select), a, 'same SQL, same statement');
    const iterator = (a as unknown as BetterSqlite3.Statement).iterate();
    assert.equal(iterator.next().value && true, true);
    const b = db.prepare(select);
    assert.notEqual(b, a, 'a busy statement is not handed out again');
    assert.deepEqual(b.all([]), [{ x: 1 }, { x: 2 }, { x: 3 }]);
    iterator.return?.();
    assert.equal(db.prepare(select), a, 'the cached one again once its iteration ended');
    // Bounded: two other texts push the oldest out.
    db.prepare('select 1').all([]);
    db.prepare('select 2').all([]);
    assert.notEqual(db.prepare(select), a, 'evicted');
    db.close();
    assert.equal(sqlite.open, false);
  });
});
