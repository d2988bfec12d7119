// Viewer session revocation: StartViewerSessionRevocation and its batch form. A revocation records,
// per channel and viewer id, the highest revoked `aws:viewer-session-version`; private-channel
// playback refuses tokens at or below it. The channel must be the caller's (else 404, without saying
// whether another account has it); the batch reports unknown channels per item instead of failing.

import type * as ivs from '@aws-sdk/client-ivs';
import type { RequestContext } from '../../domain/context.js';
import type { Store } from '../../storage/store.js';
import { findOwned, resourceNotFound, type HandlerDeps } from './support.js';

type Out<T> = Omit<T, '$metadata'>;

interface Revocation {
  channelArn?: string;
  viewerId?: string;
  viewerSessionVersionsLessThanOrEqualTo?: number;
}

/** Records one revocation if the channel is the caller's; returns false when it is not. */
async function revoke(tx: Store, ctx: RequestContext, item: Revocation, at: Date): Promise<boolean> {
  const channel = await findOwned(tx, ctx, 'channel', item.channelArn!);
  if (!channel) return false;
  // The model's default: version 0, i.e. only tokens without (or with 0 as) their session version.
  await tx.viewerRevocations.put(ctx, channel.arn, item.viewerId!, item.viewerSessionVersionsLessThanOrEqualTo ?? 0, at);
  return true;
}

export async function startViewerSessionRevocation(
  deps: HandlerDeps,
  input: ivs.StartViewerSessionRevocationRequest,
  ctx: RequestContext,
): Promise<Out<ivs.StartViewerSessionRevocationResponse>> {
  const done = await deps.store.transaction((tx) => revoke(tx, ctx, input, deps.now()));
  if (!done) throw resourceNotFound('channel', input.channelArn!);
  return {};
}

export async function batchStartViewerSessionRevocation(
  deps: HandlerDeps,
  input: ivs.BatchStartViewerSessionRevocationRequest,
  ctx: RequestContext,
): Promise<Out<ivs.BatchStartViewerSessionRevocationResponse>> {
  const errors: ivs.BatchStartViewerSessionRevocationError[] = [];
  const at = deps.now();
  // One transaction: the found items are recorded together, and a crash leaves none half-done.
  await deps.store.transaction(async (tx) => {
    for (const item of input.viewerSessions ?? []) {
      if (await revoke(tx, ctx, item, at)) continue;
      errors.push({
        channelArn: item.channelArn!,
        viewerId: item.viewerId!,
        code: 'ResourceNotFoundException',
        message: resourceNotFound('channel', item.channelArn!).message,
      });
    }
  });
  return { errors };
}
