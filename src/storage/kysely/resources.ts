// ResourceRepository over Kysely, dialect-neutral: the SQLite store uses it as is (plus a prepared-
// statement fast path for point reads) and the PostgreSQL store unchanged. A dialect supplies how its
// driver reports constraint violations and its SqlFeatures (the quota lock in count()).

import type { Kysely } from 'kysely';
import type { ResourceType } from '../../domain/arn.js';
import type { Scope } from '../../domain/context.js';
import type { Database } from '../schema.js';
import type { ListQuery, NewResourceRow, ResourceRepository, ResourceRow } from '../store.js';
import { decodeOptional, decodeRow, encodeRow } from './codec.js';
import type { SqlFeatures } from './dialect.js';

/** Turns a driver error into a typed store error (DuplicateLookupError…), or undefined to rethrow it. */
export type ErrorMapper = (err: unknown, row: NewResourceRow<unknown>) => Error | undefined;

export class KyselyResourceRepository implements ResourceRepository {
  /** db is the root Kysely instance, or a Transaction when this repository belongs to a tx store. */
  constructor(
    protected readonly db: Kysely<Database>,
    protected readonly mapError: ErrorMapper,
    protected readonly features: SqlFeatures,
  ) {}

  async get<Doc>(arn: string): Promise<ResourceRow<Doc> | undefined> {
    const raw = await this.db.selectFrom('resources').selectAll().where('arn', '=', arn).executeTakeFirst();
    return decodeOptional<Doc>(raw);
  }

  async getByLookup<Doc>(type: ResourceType, lookup: string): Promise<ResourceRow<Doc> | undefined> {
    const raw = await this.db
      .selectFrom('resources')
      .selectAll()
      .where('type', '=', type)
      .where('lookup', '=', lookup)
      .executeTakeFirst();
    return decodeOptional<Doc>(raw);
  }

  async insert<Doc>(row: NewResourceRow<Doc>): Promise<ResourceRow<Doc>> {
    // The counter bump and the insert must commit together; inside a caller's transaction they
    // simply join it.
    if (this.db.isTransaction) return this.insertWith(this.db, row, true);
    return this.db.transaction().execute((trx) => this.insertWith(trx, row, false));
  }

  /** inCallerTx: the caller's transaction goes on if the insert fails, so the failure must not spoil it. */
  private async insertWith<Doc>(db: Kysely<Database>, row: NewResourceRow<Doc>, inCallerTx: boolean): Promise<ResourceRow<Doc>> {
    // A counter row (not max(seq)+1) keeps seq monotonic after the newest row is deleted.
    const { value } = await db
      .updateTable('sequences')
      .set((eb) => ({ value: eb('value', '+', 1) }))
      .where('name', '=', 'resources')
      .returning('value')
      .executeTakeFirstOrThrow();
    const seq = Number(value);
    try {
      const insert = () => db.insertInto('resources').values(encodeRow(row, seq)).execute();
      await (inCallerTx ? this.features.recoverable(db, insert) : insert());
    } catch (err) {
      throw this.mapError(err, row) ?? err;
    }
    return { ...row, ref3: row.ref3 ?? '', seq };
  }

  async update<Doc>(row: NewResourceRow<Doc>): Promise<boolean> {
    const { seq: _seq, arn: _arn, ...columns } = encodeRow(row, 0);
    try {
      const result = await this.features.recoverable(this.db, () =>
        this.db.updateTable('resources').set(columns).where('arn', '=', row.arn).executeTakeFirst(),
      );
      return result.numUpdatedRows > 0n;
    } catch (err) {
      throw this.mapError(err, row) ?? err;
    }
  }

  async delete(arn: string): Promise<boolean> {
    const result = await this.db.deleteFrom('resources').where('arn', '=', arn).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async list<Doc>(query: ListQuery): Promise<ResourceRow<Doc>[]> {
    let q = this.db
      .selectFrom('resources')
      .selectAll()
      .where('account', '=', query.scope.account)
      .where('region', '=', query.scope.region)
      .where('type', '=', query.type);
    if (query.name !== undefined) q = q.where('name', '=', query.name);
    if (query.ref1 !== undefined) q = q.where('ref1', '=', query.ref1);
    if (query.ref2 !== undefined) q = q.where('ref2', '=', query.ref2);
    if (query.ref3 !== undefined) q = q.where('ref3', '=', query.ref3);
    if (query.afterSeq !== undefined) q = q.where('seq', '>', query.afterSeq);
    const rows = await q.orderBy('seq', 'asc').limit(query.limit).execute();
    return rows.map((raw) => decodeRow<Doc>(raw));
  }

  /**
   * Inside a transaction, count() is a quota check: it first takes a lock on (scope, type) held until
   * the transaction ends, so two count-then-insert transactions (on any node) run one after the other
   * and the second counts the first's insert. Needs READ COMMITTED (PostgreSQL's default): the count
   * statement then reads a snapshot taken after the lock was granted. SQLite's transactions are serial.
   */
  async count(scope: Scope, type: ResourceType): Promise<number> {
    if (this.db.isTransaction) await this.features.lockKey(this.db, `quota:${type}:${scope.account}:${scope.region}`);
    const { n } = await this.db
      .selectFrom('resources')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('account', '=', scope.account)
      .where('region', '=', scope.region)
      .where('type', '=', type)
      .executeTakeFirstOrThrow();
    return Number(n);
  }

  async findReferencing<Doc>(type: ResourceType, refArn: string, limit: number): Promise<ResourceRow<Doc>[]> {
    // '' means "no reference" in ref1/ref2; matching it would return every unreferencing row.
    if (refArn === '') return [];
    const rows = await this.db
      .selectFrom('resources')
      .selectAll()
      // (type AND ref1) OR (type AND ref2) OR …, not type AND (ref1 OR …): SQLite then searches each (type, ref*)
      // index (MULTI-INDEX OR); the other form searched (type) alone, a scan of every stream key per GetChannel.
      .where((eb) =>
        eb.or([
          eb.and([eb('type', '=', type), eb('ref1', '=', refArn)]),
          eb.and([eb('type', '=', type), eb('ref2', '=', refArn)]),
          eb.and([eb('type', '=', type), eb('ref3', '=', refArn)]),
        ]),
      )
      .orderBy('seq', 'asc')
      .limit(limit)
      .execute();
    return rows.map((raw) => decodeRow<Doc>(raw));
  }

  async listAllScopes<Doc>(type: ResourceType, afterSeq: number, limit: number): Promise<ResourceRow<Doc>[]> {
    const rows = await this.db
      .selectFrom('resources')
      .selectAll()
      .where('type', '=', type)
      .where('seq', '>', afterSeq)
      .orderBy('seq', 'asc')
      .limit(limit)
      .execute();
    return rows.map((raw) => decodeRow<Doc>(raw));
  }

  /** No cache here: every read goes to the database (PostgreSQL is shared by the nodes of a cluster). */
  cached<Doc>(_arn: string): ResourceRow<Doc> | undefined {
    return undefined;
  }

  cachedReferencing<Doc>(_type: ResourceType, _refArn: string, _limit: number): readonly ResourceRow<Doc>[] | undefined {
    return undefined;
  }
}
