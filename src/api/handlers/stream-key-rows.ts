// Stream key rows, shared by the channel and stream-key handlers: inserting one (CreateChannel and CreateStreamKey
// both make keys) and rendering it as the model's StreamKey. The key value is a secret: it lives in the row's `lookup`
// column (unique, so ingest can find the channel by key) and is returned only where IVS returns it.

import type { StreamKey, StreamKeySummary } from '@aws-sdk/client-ivs';
import type { Scope } from '../../domain/context.js';
import { buildArn } from '../../domain/arn.js';
import { newResourceId, newStreamKeyValue } from '../../domain/ids.js';
import type { ResourceRow, Store } from '../../storage/store.js';
import type { Tags } from './support.js';

export interface StreamKeyDoc {
  arn: string;
  channelArn: string;
  tags: Tags;
}
export type StreamKeyRow = ResourceRow<StreamKeyDoc>;

export async function insertStreamKey(store: Store, scope: Scope, channelArn: string, tags: Tags): Promise<StreamKeyRow> {
  const id = newResourceId();
  const arn = buildArn(scope, 'stream-key', id);
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
    doc: { arn, channelArn, tags },
  });
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
