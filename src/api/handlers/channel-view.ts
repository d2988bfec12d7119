// How a stored channel is presented: the settings document plus the addresses derived from the
// server's current configuration (so changing --host or --playback-base-url updates every channel).

import type { Channel, ChannelSummary } from '@aws-sdk/client-ivs';
import type { ChannelSettings } from '../../domain/channel-rules.js';
import { playbackUrl } from '../../domain/urls.js';
import type { ResourceRow } from '../../storage/store.js';
import type { HandlerDeps, Tags } from './support.js';

export type ChannelDoc = ChannelSettings & { arn: string; tags: Tags };
export type ChannelRow = ResourceRow<ChannelDoc>;

export function renderChannel(deps: HandlerDeps, row: ChannelRow): Channel {
  return {
    ...row.doc,
    ingestEndpoint: deps.endpoints.host,
    playbackUrl: playbackUrl(deps.endpoints, row, row.id),
  };
}

export function renderChannelSummary(row: ChannelRow): ChannelSummary {
  const d = row.doc;
  return {
    arn: d.arn,
    name: d.name,
    latencyMode: d.latencyMode,
    authorized: d.authorized,
    recordingConfigurationArn: d.recordingConfigurationArn,
    tags: d.tags,
    insecureIngest: d.insecureIngest,
    type: d.type,
    preset: d.preset,
    playbackRestrictionPolicyArn: d.playbackRestrictionPolicyArn,
    adConfigurationArn: d.adConfigurationArn,
  };
}
