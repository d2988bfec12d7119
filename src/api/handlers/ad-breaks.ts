// InsertAdBreak: checks the channel (the caller's, with an ad configuration, packaged as TS) and asks the live side
// (on whichever node owns the stream, LiveControl forwards) to signal the break in every rendition's playlist. The
// durationSeconds range (1-300) is the model's and was validated before this runs.

import type * as ivs from '@aws-sdk/client-ivs';
import type { RequestContext } from '../../domain/context.js';
import { notBroadcasting, validation } from '../../domain/errors.js';
import { randomAlphanumeric } from '../../domain/ids.js';
import { loadOwned, type HandlerDeps } from './support.js';
import type { ChannelDoc } from './channel-view.js';

type Out<T> = Omit<T, '$metadata'>;

export async function insertAdBreak(
  deps: HandlerDeps,
  input: ivs.InsertAdBreakRequest,
  ctx: RequestContext,
): Promise<Out<ivs.InsertAdBreakResponse>> {
  const channel = await loadOwned<ChannelDoc>(deps.store, ctx, 'channel', input.channelArn!);
  if (!channel.doc.adConfigurationArn) {
    throw validation(`Channel ${channel.arn} has no ad configuration: set its adConfigurationArn first`);
  }
  if (channel.doc.containerFormat === 'FRAGMENTED_MP4') {
    throw validation(`Ad breaks need a channel with containerFormat TS; ${channel.arn} uses FRAGMENTED_MP4`);
  }
  const adBreakId = randomAlphanumeric(12);
  const inserted = await deps.live.insertAdBreak(channel.arn, { adBreakId, durationSeconds: input.durationSeconds! });
  if (!inserted) throw notBroadcasting(channel.arn);
  return { adBreakId };
}
