// ChannelLeaseRepository over Kysely (dialect-neutral): which node owns a live channel, cluster-wide.
//
// Concurrency design (PostgreSQL, READ COMMITTED, several nodes):
// - acquire() takes a transaction-scoped advisory lock on the channel's scope (account, region) before
//   counting the scope's live leases, so acquirers of one scope run one after the other on every node
//   and the concurrent-broadcasts quota cannot be overshot by two grants that each counted N-1. The
//   channel ARN embeds its scope, so the same lock also serializes two nodes racing for one channel.
// - Every grant bumps the row's epoch (rows are never deleted), the fencing token: renew, release and
//   assertHeld match (node, epoch), so a node whose lease was taken over can no longer act as owner.
// - stealExpired() reads expired leases FOR UPDATE SKIP LOCKED: concurrent stealers split them instead
//   of queueing, and the epoch condition on the update makes each takeover happen exactly once.
// - assertHeld() inside a transaction reads the lease FOR SHARE, so a takeover (an UPDATE of that row)
//   waits for the owner's transaction: the owner's writes either commit before the takeover or fail.
// SQLite runs one transaction at a time, so the same statements are race-free there without locks.

import { sql, type Kysely, type Selectable } from 'kysely';
import type { Scope } from '../../domain/context.js';
import { LeaseLostError } from '../errors.js';
import type { ChannelLeasesTable, Database } from '../schema.js';
import type { AcquireRequest, AcquireResult, ChannelLease, ChannelLeaseRepository, LeaseRef } from '../store-cluster.js';
import { databaseNow, nowPlus } from './clock.js';
import type { SqlFeatures } from './dialect.js';
import { inTransaction } from './sequence.js';

/** Keeps the renew statement's parameter count small on either dialect. */
const RENEW_CHUNK = 200;

export class KyselyChannelLeaseRepository implements ChannelLeaseRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly features: SqlFeatures,
  ) {}

  acquire(request: AcquireRequest): Promise<AcquireResult> {
    const { scope, channelArn, nodeId } = request;
    return inTransaction(this.db, async (db) => {
      await this.features.lockKey(db, `broadcasts:${scope.account}:${scope.region}`);
      const now = await databaseNow(db, this.features);
      let current = db.selectFrom('channel_leases').selectAll().where('channel_arn', '=', channelArn);
      if (this.features.rowLocks) current = current.forUpdate();
      const row = await current.executeTakeFirst();
      const held = row !== undefined && row.node_id !== null;
      if (held && Number(row.expires_at) > now && row.node_id !== nodeId) {
        return { ok: false, reason: 'held', holder: decode(row) };
      }
      const { n } = await db
        .selectFrom('channel_leases')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .where('account', '=', scope.account)
        .where('region', '=', scope.region)
        .where('node_id', 'is not', null)
        .where('expires_at', '>', now)
        .where('channel_arn', '!=', channelArn)
        .executeTakeFirstOrThrow();
      if (Number(n) >= request.maxLive) return { ok: false, reason: 'quota', live: Number(n) };
      const granted = await db
        .insertInto('channel_leases')
        .values({
          channel_arn: channelArn,
          account: scope.account,
          region: scope.region,
          node_id: nodeId,
          epoch: 1,
          acquired_at: now,
          expires_at: nowPlus(this.features, request.ttlMs),
        })
        .onConflict((oc) =>
          oc.column('channel_arn').doUpdateSet((eb) => ({
            node_id: eb.ref('excluded.node_id'),
            epoch: eb('channel_leases.epoch', '+', 1),
            acquired_at: eb.ref('excluded.acquired_at'),
            expires_at: eb.ref('excluded.expires_at'),
          })),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      const lease = decode(granted);
      return held ? { ok: true, lease, tookOverFrom: row.node_id! } : { ok: true, lease };
    });
  }

  async renew(nodeId: string, held: readonly LeaseRef[], ttlMs: number): Promise<LeaseRef[]> {
    const renewed: LeaseRef[] = [];
    const mine = held.filter((ref) => ref.nodeId === nodeId);
    for (let i = 0; i < mine.length; i += RENEW_CHUNK) {
      const chunk = mine.slice(i, i + RENEW_CHUNK);
      const rows = await this.db
        .updateTable('channel_leases')
        .set({ expires_at: nowPlus(this.features, ttlMs) })
        .where('node_id', '=', nodeId)
        .where((eb) => eb.or(chunk.map((ref) => eb.and([eb('channel_arn', '=', ref.channelArn), eb('epoch', '=', ref.epoch)]))))
        .returning(['channel_arn', 'epoch'])
        .execute();
      for (const r of rows) renewed.push({ channelArn: r.channel_arn, nodeId, epoch: Number(r.epoch) });
    }
    return renewed;
  }

  async release(ref: LeaseRef): Promise<boolean> {
    const result = await this.db
      .updateTable('channel_leases')
      .set({ node_id: null, expires_at: this.features.nowMs() })
      .where('channel_arn', '=', ref.channelArn)
      .where('node_id', '=', ref.nodeId)
      .where('epoch', '=', ref.epoch)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async releaseAllOf(nodeId: string): Promise<ChannelLease[]> {
    const rows = await this.db
      .updateTable('channel_leases')
      .set({ node_id: null, expires_at: this.features.nowMs() })
      .where('node_id', '=', nodeId)
      .returningAll()
      .execute();
    // The rows as they were granted: the caller wants to know whose and which epoch it ended.
    return rows.map((r) => ({ ...decode(r), nodeId }));
  }

  stealExpired(nodeId: string, ttlMs: number, limit: number): Promise<Array<{ lease: ChannelLease; previousNodeId: string }>> {
    return inTransaction(this.db, async (db) => {
      const now = await databaseNow(db, this.features);
      let expired = db
        .selectFrom('channel_leases')
        .selectAll()
        .where('node_id', 'is not', null)
        .where('expires_at', '<=', now)
        .orderBy('expires_at')
        .limit(limit);
      if (this.features.rowLocks) expired = expired.forUpdate().skipLocked();
      const stolen: Array<{ lease: ChannelLease; previousNodeId: string }> = [];
      for (const row of await expired.execute()) {
        const taken = await db
          .updateTable('channel_leases')
          .set((eb) => ({
            node_id: nodeId,
            epoch: eb('epoch', '+', 1),
            acquired_at: now,
            expires_at: nowPlus(this.features, ttlMs),
          }))
          .where('channel_arn', '=', row.channel_arn)
          .where('epoch', '=', row.epoch)
          .returningAll()
          .executeTakeFirst();
        if (taken !== undefined) stolen.push({ lease: decode(taken), previousNodeId: row.node_id! });
      }
      return stolen;
    });
  }

  async assertHeld(ref: LeaseRef): Promise<void> {
    let query = this.db
      .selectFrom('channel_leases')
      .select('epoch')
      .where('channel_arn', '=', ref.channelArn)
      .where('node_id', '=', ref.nodeId)
      .where('epoch', '=', ref.epoch);
    if (this.features.rowLocks && this.db.isTransaction) query = query.forShare();
    if ((await query.executeTakeFirst()) === undefined) throw new LeaseLostError(ref.channelArn);
  }

  async get(channelArn: string): Promise<ChannelLease | undefined> {
    const row = await this.db.selectFrom('channel_leases').selectAll().where('channel_arn', '=', channelArn).executeTakeFirst();
    return row === undefined || row.node_id === null ? undefined : decode(row);
  }

  async listLive(scope?: Scope): Promise<ChannelLease[]> {
    let query = this.db
      .selectFrom('channel_leases')
      .selectAll()
      .where('node_id', 'is not', null)
      .where('expires_at', '>', this.features.nowMs());
    if (scope !== undefined) query = query.where('account', '=', scope.account).where('region', '=', scope.region);
    const rows = await query
      .orderBy('acquired_at')
      .orderBy(this.features.binaryOrder(sql.ref('channel_arn')))
      .execute();
    return rows.map(decode);
  }
}

function decode(raw: Selectable<ChannelLeasesTable>): ChannelLease {
  // Number(): PostgreSQL returns bigint columns as strings.
  return {
    channelArn: raw.channel_arn,
    account: raw.account,
    region: raw.region,
    nodeId: raw.node_id ?? '',
    epoch: Number(raw.epoch),
    acquiredAt: Number(raw.acquired_at),
    expiresAt: Number(raw.expires_at),
  };
}
