// Stream key rows, shared by the channel and stream-key handlers: inserting one (CreateChannel and CreateStreamKey
// both make keys) and rendering it as the model's StreamKey. The key value is a secret: it lives in the row's `lookup`
// column (unique, so ingest can find the channel by key) and is returned only where IVS returns it. The key's SRT
// passphrase (a secret too) lives in its document, only when the channel takes secure ingest: a new key, a new
// passphrase, as IVS rotates both together.

import type { StreamKey, StreamKeySummary } from '@aws-sdk/client-ivs';
import type { Scope } from '../../domain/context.js';
import { buildArn } from '../../domain/arn.js';
import { newResourceId, newStreamKeyValue } from '../../domain/ids.js';
import type { IngestKeys } from '../../domain/ports.js';
import { newSrtPassphrase, type SrtKeyFields } from '../../domain/srt.js';
import type { ResourceRow, Store } from '../../storage/store.js';
import type { Tags } from './support.js';

export interface StreamKeyDoc extends SrtKeyFields {
  arn: string;
  channelArn: string;
  tags: Tags;
}
export type StreamKeyRow = ResourceRow<StreamKeyDoc>;

/** Inserts the channel's key; `secureIngest` (the channel's insecureIngest is false) gives it an SRT passphrase. */
export async function insertStreamKey(
  store: Store,
  scope: Scope,
  channelArn: string,
  tags: Tags,
  secureIngest: boolean,
): Promise<StreamKeyRow> {
  const id = newResourceId();
  const arn = buildArn(scope, 'stream-key', id);
  const doc: StreamKeyDoc = { arn, channelArn, tags, ...(secureIngest ? { srtPassphrase: newSrtPassphrase() } : {}) };
  return store.resources.insert<StreamKeyDoc>({
    arn,
    type: 'stream-key',
    account: scope.account,
    region: scope.region,
    id,
    name: '',
    ref1: channelArn,
    ref2: '',
    lookup: newStreamKeyValue(scope.region, id),
    doc,
  });
}

/** The channel's stream key (at most one), or undefined. */
export async function channelStreamKey(store: Store, channelArn: string): Promise<StreamKeyRow | undefined> {
  return (await store.resources.findReferencing<StreamKeyDoc>('stream-key', channelArn, 1))[0];
}

/** Tells ingest that `row` admits publishers (with its passphrase, or none for an insecure channel). */
export function announceKey(keys: IngestKeys, row: StreamKeyRow): void {
  if (row.lookup) keys.keySet(row.lookup, row.doc.srtPassphrase ?? null);
}

export const renderStreamKey = (row: StreamKeyRow): StreamKey => ({
  arn: row.doc.arn,
  value: row.lookup ?? undefined,
  channelArn: row.doc.channelArn,
  tags: row.doc.tags,
});

export const renderStreamKeySummary = (row: StreamKeyRow): StreamKeySummary => ({
  arn: row.doc.arn,
  channelArn: row.doc.channelArn,
  tags: row.doc.tags,
});
