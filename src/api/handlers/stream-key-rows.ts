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

/**
 * Gives every key of a secure channel that has no SRT passphrase one (keys made before openivs had SRT); run once
 * at start, before the listener loads its table. Returns how many keys it changed.
 */
export async function backfillSrtPassphrases(store: Store): Promise<number> {
  let changed = 0;
  for (let after = 0; ;) {
    const channels = await store.resources.listAllScopes<{ insecureIngest?: boolean }>('channel', after, 500);
    for (const channel of channels) {
      if (channel.doc.insecureIngest === true) continue;
      const key = (await store.resources.findReferencing<StreamKeyDoc>('stream-key', channel.arn, 1))[0];
      if (!key || key.doc.srtPassphrase !== undefined) continue;
      const { seq: _seq, ...row } = key;
      await store.resources.update<StreamKeyDoc>({ ...row, doc: { ...key.doc, srtPassphrase: newSrtPassphrase() } });
      changed++;
    }
    const last = channels[channels.length - 1];
    if (channels.length < 500 || !last) return changed;
    after = last.seq;
  }
}
