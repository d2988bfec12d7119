// How a stored channel is presented: the settings document plus the addresses derived from the
// server's current configuration (so changing --host or --playback-base-url updates every channel). The SRT
// passphrase comes from the channel's stream key (a new key, a new passphrase), shown only for secure channels.

import type { Channel, ChannelSummary } from '@aws-sdk/client-ivs';
import { CHANNEL_DEFAULTS, type ChannelSettings } from '../../domain/channel-rules.js';
import { playbackUrl } from '../../domain/urls.js';
import type { ResourceRow } from '../../storage/store.js';
import type { HandlerDeps, Tags } from './support.js';
import type { StreamKeyRow } from './stream-key-rows.js';

export type ChannelDoc = ChannelSettings & { arn: string; tags: Tags };
export type ChannelRow = ResourceRow<ChannelDoc>;

/**
 * The settings of a stored channel, field by field: a row written before inputs were rebuilt from the
 * model may hold members the model does not define, and an update must not carry them forward.
 */
export function channelSettingsOf(doc: ChannelDoc): ChannelSettings {
  const settings = { ...CHANNEL_DEFAULTS } as Record<keyof ChannelSettings, unknown>;
  for (const key of Object.keys(CHANNEL_DEFAULTS) as (keyof ChannelSettings)[]) {
    if (key !== 'multitrackInputConfiguration' && doc[key] !== undefined) settings[key] = doc[key];
  }
  const multitrack = { ...CHANNEL_DEFAULTS.multitrackInputConfiguration };
  const stored = doc.multitrackInputConfiguration ?? {};
  if (stored.enabled !== undefined) multitrack.enabled = stored.enabled;
  if (stored.policy !== undefined) multitrack.policy = stored.policy;
  if (stored.maximumResolution !== undefined) multitrack.maximumResolution = stored.maximumResolution;
  settings.multitrackInputConfiguration = multitrack;
  return settings as ChannelSettings;
}

/** `key` is the channel's stream key (undefined when it has none: then there is no passphrase to show). */
export function renderChannel(deps: HandlerDeps, row: ChannelRow, key: StreamKeyRow | undefined): Channel {
  const passphrase = row.doc.insecureIngest ? undefined : key?.doc.srtPassphrase;
  return {
    ...row.doc,
    ingestEndpoint: deps.endpoints.host,
    playbackUrl: playbackUrl(deps.endpoints, row, row.id),
    srt: { endpoint: deps.endpoints.host, ...(passphrase === undefined ? {} : { passphrase }) },
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
