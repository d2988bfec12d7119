// Row <-> database encoding shared by every dialect: the document travels as JSON text, and the
// indexed columns are written explicitly so stray properties on a row never reach the SQL.

import type { NewResourceRow, ResourceRow } from '../store.js';
import type { RawResourceRow } from '../schema.js';

export function encodeRow(row: NewResourceRow<unknown>, seq: number): RawResourceRow {
  return {
    arn: row.arn,
    type: row.type,
    account: row.account,
    region: row.region,
    id: row.id,
    name: row.name,
    ref1: row.ref1,
    ref2: row.ref2,
    ref3: row.ref3 ?? '',
    lookup: row.lookup,
    seq,
    doc: JSON.stringify(row.doc),
  };
}

export function decodeRow<Doc>(raw: RawResourceRow): ResourceRow<Doc> {
  return {
    arn: raw.arn,
    type: raw.type,
    account: raw.account,
    region: raw.region,
    id: raw.id,
    name: raw.name,
    ref1: raw.ref1,
    ref2: raw.ref2,
    ref3: raw.ref3,
    lookup: raw.lookup,
    // Number(): PostgreSQL drivers may hand back integer columns as strings.
    seq: Number(raw.seq),
    doc: JSON.parse(raw.doc) as Doc,
  };
}

export function decodeOptional<Doc>(raw: RawResourceRow | undefined): ResourceRow<Doc> | undefined {
  return raw === undefined ? undefined : decodeRow<Doc>(raw);
}
