// IVS's rules for channel settings: defaults for every field of the newest model, the preset rule
// (only ADVANCED types carry one) and multitrack input's requirements. Pure functions.

import type { Channel, MultitrackInputConfiguration } from '@aws-sdk/client-ivs';
import { validation } from './errors.js';

export type ChannelSettings = Required<
  Pick<
    Channel,
    | 'name'
    | 'latencyMode'
    | 'type'
    | 'authorized'
    | 'recordingConfigurationArn'
    | 'insecureIngest'
    | 'preset'
    | 'playbackRestrictionPolicyArn'
    | 'containerFormat'
    | 'adConfigurationArn'
  >
> & { multitrackInputConfiguration: Required<MultitrackInputConfiguration> };

export const CHANNEL_DEFAULTS: ChannelSettings = {
  name: '',
  latencyMode: 'LOW',
  type: 'STANDARD',
  authorized: false,
  recordingConfigurationArn: '',
  insecureIngest: false,
  preset: '' as ChannelSettings['preset'],
  playbackRestrictionPolicyArn: '',
  containerFormat: 'TS',
  adConfigurationArn: '',
  multitrackInputConfiguration: { enabled: false, policy: 'ALLOW', maximumResolution: 'FULL_HD' },
};

const isAdvanced = (type: string) => type === 'ADVANCED_SD' || type === 'ADVANCED_HD';

/**
 * Merges a change into current settings and enforces the cross-field rules. `change.preset` given
 * for a BASIC/STANDARD channel is an error; ADVANCED channels default to HIGHER_BANDWIDTH_DELIVERY.
 */
export function applyChannelChange(current: ChannelSettings, change: Partial<Channel>): ChannelSettings {
  const next: ChannelSettings = { ...current, multitrackInputConfiguration: { ...current.multitrackInputConfiguration } };
  for (const key of Object.keys(CHANNEL_DEFAULTS) as (keyof ChannelSettings)[]) {
    if (key === 'multitrackInputConfiguration' || change[key] === undefined) continue;
    (next as Record<string, unknown>)[key] = change[key];
  }
  if (change.multitrackInputConfiguration) {
    Object.assign(next.multitrackInputConfiguration, stripUndefined(change.multitrackInputConfiguration));
  }
  if (isAdvanced(next.type)) {
    if (!next.preset) next.preset = 'HIGHER_BANDWIDTH_DELIVERY';
  } else if (change.preset) {
    throw validation(`preset is only supported for ADVANCED_SD and ADVANCED_HD channel types, not ${next.type}`);
  } else {
    next.preset = '' as ChannelSettings['preset'];
  }
  const multitrack = next.multitrackInputConfiguration;
  if (multitrack.enabled && next.type !== 'STANDARD') {
    throw validation('Multitrack input is supported only for STANDARD channels');
  }
  if (multitrack.enabled && next.containerFormat !== 'FRAGMENTED_MP4') {
    throw validation('Multitrack input requires containerFormat FRAGMENTED_MP4');
  }
  return next;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
