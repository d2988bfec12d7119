// A channel may only reference resources that exist in the caller's account and region (and a recording
// configuration that did not fail its bucket probe).

import type { Scope } from '../../domain/context.js';
import type { ChannelSettings } from '../../domain/channel-rules.js';
import type { Store } from '../../storage/store.js';
import { validation } from '../../domain/errors.js';
import { findOwned, resourceNotFound } from './support.js';

export async function requireReferences(
  store: Store,
  scope: Scope,
  settings: ChannelSettings,
  previous?: ChannelSettings,
): Promise<void> {
  const recording = settings.recordingConfigurationArn;
  if (recording) {
    const row = await findOwned<{ state?: string }>(store, scope, 'recording-configuration', recording);
    if (!row) throw resourceNotFound('recording-configuration', recording);
    // A configuration whose bucket failed its probe can never record; refuse to attach it (CREATING is fine: it
    // settles within seconds). A channel already attached keeps it, so unrelated updates still work.
    if (row.doc.state === 'CREATE_FAILED' && recording !== previous?.recordingConfigurationArn) {
      throw validation(
        `Recording configuration ${recording} is in state CREATE_FAILED (its S3 bucket cannot be used); ` +
          'create a new one with a usable bucket',
      );
    }
  }
  const policy = settings.playbackRestrictionPolicyArn;
  if (policy && !(await findOwned(store, scope, 'playback-restriction-policy', policy))) {
    throw resourceNotFound('playback-restriction-policy', policy);
  }
  const ads = settings.adConfigurationArn;
  if (ads && !(await findOwned(store, scope, 'ad-configuration', ads))) throw resourceNotFound('ad-configuration', ads);
}
