// Kysely table types for the storage schema. Shared by every dialect: the migrations create exactly
// these tables, and the repositories type their queries against them.

import type { ColumnType } from 'kysely';
import type { ResourceType } from './store.js';

export interface ResourcesTable {
  arn: string;
  type: ResourceType;
  account: string;
  region: string;
  id: string;
  name: ColumnType<string, string | undefined, string>;
  ref1: ColumnType<string, string | undefined, string>;
  ref2: ColumnType<string, string | undefined, string>;
  lookup: string | null;
  seq: number;
  /** The resource document, JSON-encoded (TEXT rather than JSONB so both dialects store it the same way). */
  doc: string;
}

/** Named monotonic counters; the store bumps one per insert so seq never goes backwards, even after deletes. */
export interface SequencesTable {
  name: string;
  value: number;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface Database {
  resources: ResourcesTable;
  sequences: SequencesTable;
  settings: SettingsTable;
}

/** A resources row as the database returns it (doc still encoded). */
export interface RawResourceRow {
  arn: string;
  type: ResourceType;
  account: string;
  region: string;
  id: string;
  name: string;
  ref1: string;
  ref2: string;
  lookup: string | null;
  seq: number;
  doc: string;
}
