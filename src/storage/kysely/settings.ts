// SettingsRepository over Kysely (dialect-neutral). putIfAbsent relies on INSERT … ON CONFLICT DO
// NOTHING, which SQLite and PostgreSQL both support, so two starting processes agree on one value.

import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { SettingsRepository } from '../store.js';

export class KyselySettingsRepository implements SettingsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async putIfAbsent(key: string, value: string): Promise<string> {
    await this.db
      .insertInto('settings')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    // Settings are never deleted, so the row read back is the one that won.
    const stored = await this.get(key);
    if (stored === undefined) throw new Error(`setting ${key} vanished after putIfAbsent`);
    return stored;
  }
}
