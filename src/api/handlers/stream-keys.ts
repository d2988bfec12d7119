// Stream key operations: one key per channel (rotate by DeleteStreamKey then CreateStreamKey).

import type * as ivs from '@aws-sdk/client-ivs';
import type { RequestContext } from '../../domain/context.js';
import { quotaExceeded } from '../../domain/errors.js';
import { checkTags, findOwned, listPage, loadOwned, type HandlerDeps } from './support.js';
import { insertStreamKey, renderStreamKey, renderStreamKeySummary, type StreamKeyDoc } from './stream-key-rows.js';

type Out<T> = Omit<T, '$metadata'>;

export async function createStreamKey(
  deps: HandlerDeps,
  input: ivs.CreateStreamKeyRequest,
  ctx: RequestContext,
): Promise<Out<ivs.CreateStreamKeyResponse>> {
  const tags = checkTags(input.tags);
  return deps.store.transaction(async (tx) => {
    const channel = await loadOwned(tx, ctx, 'channel', input.channelArn!);
    if ((await tx.resources.findReferencing('stream-key', channel.arn, 1)).length > 0) {
      throw quotaExceeded(`Maximum number of stream keys (1) reached for channel ${channel.arn}`);
    }
    return { streamKey: renderStreamKey(await insertStreamKey(tx, ctx, channel.arn, tags)) };
  });
}

export async function getStreamKey(
  deps: HandlerDeps,
  input: ivs.GetStreamKeyRequest,
  ctx: RequestContext,
): Promise<Out<ivs.GetStreamKeyResponse>> {
  return { streamKey: renderStreamKey(await loadOwned<StreamKeyDoc>(deps.store, ctx, 'stream-key', input.arn!)) };
}

export async function batchGetStreamKey(
  deps: HandlerDeps,
  input: ivs.BatchGetStreamKeyRequest,
  ctx: RequestContext,
): Promise<Out<ivs.BatchGetStreamKeyResponse>> {
  const streamKeys: ivs.StreamKey[] = [];
  const errors: ivs.BatchError[] = [];
  for (const arn of new Set(input.arns)) {
    const row = await findOwned<StreamKeyDoc>(deps.store, ctx, 'stream-key', arn);
    if (row) streamKeys.push(renderStreamKey(row));
    else errors.push({ arn, code: 'ResourceNotFoundException', message: `StreamKey not found: ${arn}` });
  }
  return { streamKeys, errors };
}

export async function listStreamKeys(
  deps: HandlerDeps,
  input: ivs.ListStreamKeysRequest,
  ctx: RequestContext,
): Promise<Out<ivs.ListStreamKeysResponse>> {
  const channel = await loadOwned(deps.store, ctx, 'channel', input.channelArn!);
  const page = await listPage<StreamKeyDoc>(
    deps,
    ctx,
    'ListStreamKeys',
    { type: 'stream-key', ref1: channel.arn },
    input.nextToken,
    input.maxResults ?? 1,
  );
  return { streamKeys: page.items.map(renderStreamKeySummary), nextToken: page.nextToken };
}

export async function deleteStreamKey(deps: HandlerDeps, input: ivs.DeleteStreamKeyRequest, ctx: RequestContext): Promise<void> {
  await deps.store.transaction(async (tx) => {
    const row = await loadOwned(tx, ctx, 'stream-key', input.arn!);
    await tx.resources.delete(row.arn);
  });
}
