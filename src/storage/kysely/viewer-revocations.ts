// ViewerRevocationRepository over Kysely (dialect-neutral). put() is one INSERT … ON CONFLICT DO
// UPDATE … WHERE, which SQLite and PostgreSQL both support, so concurrent revocations of the same
// viewer keep the highest version without a read-modify-write.

import type { Kysely } from 'kysely';
import type { Scope } from '../../domain/context.js';
import type { Database } from '../schema.js';
import type { ViewerRevocationRepository } from '../store.js';

export class KyselyViewerRevocationRepository implements ViewerRevocationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async put(scope: Scope, channelArn: string, viewerId: string, maxVersion: number, at: Date): Promise<void> {
    await this.db
      .insertInto('viewer_revocations')
      .values({
        channel_arn: channelArn,
        viewer_id: viewerId,
        account: scope.account,
        region: scope.region,
        max_version: maxVersion,
        revoked_at: at.getTime(),
      })
      .onConflict((oc) =>
        oc
          .columns(['channel_arn', 'viewer_id'])
          .doUpdateSet((eb) => ({
            max_version: eb.ref('excluded.max_version'),
            revoked_at: eb.ref('excluded.revoked_at'),
          }))
          // A lower version never undoes a higher revocation.
          .where('viewer_revocations.max_version', '<=', (eb) => eb.ref('excluded.max_version')),
      )
      .execute();
  }

  async find(channelArn: string, viewerId: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('viewer_revocations')
      .select('max_version')
      .where('channel_arn', '=', channelArn)
      .where('viewer_id', '=', viewerId)
      .executeTakeFirst();
    return row === undefined ? undefined : Number(row.max_version);
  }
}
