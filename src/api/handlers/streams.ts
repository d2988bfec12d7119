// Stream operations, answered through the LiveControl port (the media plane owns live state) and
// the StreamSessions port (persisted broadcasts).

import type * as ivs from '@aws-sdk/client-ivs';
import type { RequestContext } from '../../domain/context.js';
import { notBroadcasting, notFound, validation } from '../../domain/errors.js';
import type { LiveStreamView } from '../../domain/ports.js';
import { loadOwned, type HandlerDeps } from './support.js';

type Out<T> = Omit<T, '$metadata'>;
const METADATA_LIMIT_BYTES = 1024;

const renderStream = (s: LiveStreamView): ivs._Stream => ({
  channelArn: s.channelArn,
  streamId: s.streamId,
  playbackUrl: s.playbackUrl,
  startTime: s.startTime,
  state: s.state,
  health: s.health,
  viewerCount: s.viewerCount,
});

export async function getStream(
  deps: HandlerDeps,
  input: ivs.GetStreamRequest,
  ctx: RequestContext,
): Promise<Out<ivs.GetStreamResponse>> {
  const channel = await loadOwned(deps.store, ctx, 'channel', input.channelArn!);
  const live = deps.live.getLive(channel.arn);
  if (!live) throw notBroadcasting(channel.arn);
  return { stream: renderStream(live) };
}

export async function listStreams(
  deps: HandlerDeps,
  input: ivs.ListStreamsRequest,
  ctx: RequestContext,
): Promise<Out<ivs.ListStreamsResponse>> {
  const health = input.filterBy?.health;
  const all = deps.live.listLive(ctx).filter((s) => !health || s.health === health);
  const request = { operation: 'ListStreams', scope: ctx, filter: health ?? '' };
  const offset = deps.pages.decode(request, input.nextToken);
  const limit = input.maxResults ?? 100;
  const items = all.slice(offset, offset + limit);
  const nextToken = offset + limit < all.length ? deps.pages.encode(request, offset + limit) : undefined;
  return {
    streams: items.map((s) => ({
      channelArn: s.channelArn,
      streamId: s.streamId,
      state: s.state,
      health: s.health,
      viewerCount: s.viewerCount,
      startTime: s.startTime,
    })),
    nextToken,
  };
}

export async function stopStream(
  deps: HandlerDeps,
  input: ivs.StopStreamRequest,
  ctx: RequestContext,
): Promise<Out<ivs.StopStreamResponse>> {
  const channel = await loadOwned(deps.store, ctx, 'channel', input.channelArn!);
  if (!(await deps.live.stop(channel.arn))) throw notBroadcasting(channel.arn);
  return {};
}

export async function putMetadata(deps: HandlerDeps, input: ivs.PutMetadataRequest, ctx: RequestContext): Promise<void> {
  if (Buffer.byteLength(input.metadata!, 'utf8') > METADATA_LIMIT_BYTES) {
    throw validation('Metadata size exceeds payload limit');
  }
  const channel = await loadOwned(deps.store, ctx, 'channel', input.channelArn!);
  if (!(await deps.live.putMetadata(channel.arn, input.metadata!))) throw notBroadcasting(channel.arn);
}

export async function getStreamSession(
  deps: HandlerDeps,
  input: ivs.GetStreamSessionRequest,
  ctx: RequestContext,
): Promise<Out<ivs.GetStreamSessionResponse>> {
  const channel = await loadOwned(deps.store, ctx, 'channel', input.channelArn!);
  const session = await deps.sessions.get(channel.arn, input.streamId);
  if (!session) {
    throw notFound(
      input.streamId ? `Stream session not found: ${input.streamId}` : `Channel ${channel.arn} has no stream sessions`,
    );
  }
  return { streamSession: session };
}

export async function listStreamSessions(
  deps: HandlerDeps,
  input: ivs.ListStreamSessionsRequest,
  ctx: RequestContext,
): Promise<Out<ivs.ListStreamSessionsResponse>> {
  const channel = await loadOwned(deps.store, ctx, 'channel', input.channelArn!);
  const request = { operation: 'ListStreamSessions', scope: ctx, filter: channel.arn };
  const offset = deps.pages.decode(request, input.nextToken);
  const limit = input.maxResults ?? 100;
  const items = await deps.sessions.list(channel.arn, offset, limit + 1);
  const nextToken = items.length > limit ? deps.pages.encode(request, offset + limit) : undefined;
  return { streamSessions: items.slice(0, limit), nextToken };
}
