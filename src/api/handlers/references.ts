// A channel may only reference resources that exist in the caller's account and region.

import type { Scope } from '../../domain/context.js';
import type { ChannelSettings } from '../../domain/channel-rules.js';
import type { Store } from '../../storage/store.js';
import { findOwned, resourceNotFound } from './support.js';

export async function requireReferences(store: Store, scope: Scope, settings: ChannelSettings): Promise<void> {
  const recording = settings.recordingConfigurationArn;
  if (recording && !(await findOwned(store, scope, 'recording-configuration', recording))) {
    throw resourceNotFound('recording-configuration', recording);
  }
  const policy = settings.playbackRestrictionPolicyArn;
  if (policy && !(await findOwned(store, scope, 'playback-restriction-policy', policy))) {
    throw resourceNotFound('playback-restriction-policy', policy);
  }
  if (settings.adConfigurationArn) {
    // openivs does not implement ad configurations yet, so none can exist.
    throw Object.assign(resourceNotFound('channel', settings.adConfigurationArn), {
      message: `AdConfiguration not found: ${settings.adConfigurationArn}`,
    });
  }
}
