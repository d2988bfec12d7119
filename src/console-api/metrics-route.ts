// GET /_openivs/streams/metrics?channelArn=<arn>[&since=<ms>]: the live stream's recent per-second figures (ingest
// video and audio bit rate, frame rate, keyframe interval, concurrent views; CloudWatch's IngestVideoBitrate,
// IngestAudioBitrate, IngestFramerate, KeyframeInterval and ConcurrentViews), which the IVS API does not give. The
// channel must be the caller's; a channel that is not LIVE answers ChannelNotBroadcasting, as GetStream does.

import type { Scope } from '../domain/context.js';
import { notBroadcasting, validation } from '../domain/errors.js';
import { channelArnParam, loadOwned, type ResourceReader } from './owned.js';
import type { LiveMetricsReader } from './ports.js';

export async function streamMetrics(
  resources: ResourceReader,
  live: LiveMetricsReader,
  scope: Scope,
  query: URLSearchParams,
): Promise<Record<string, unknown>> {
  const channelArn = channelArnParam(query);
  const since = sinceParam(query.get('since'));
  await loadOwned(resources, scope, 'channel', channelArn);
  const metrics = live.read(channelArn, since);
  if (metrics === undefined) throw notBroadcasting(channelArn);
  const { stream, samples } = metrics;
  return {
    channelArn,
    streamId: stream.streamId,
    startTime: stream.startTime.toISOString(),
    health: stream.health,
    viewerCount: stream.viewerCount,
    intervalSeconds: 1,
    samples,
  };
}

function sinceParam(raw: string | null): number | undefined {
  if (raw === null || raw === '') return undefined;
  if (!/^\d{1,15}$/.test(raw))
    throw validation("Value at 'since' failed to satisfy constraint: Member must be milliseconds since the epoch");
  return Number(raw);
}
