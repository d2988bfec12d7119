// Ad configuration operations: CreateAdConfiguration, GetAdConfiguration, ListAdConfigurations and
// DeleteAdConfiguration. An ad configuration names up to three AWS Elemental MediaTailor playback configurations
// (of the caller's account and region, as the model says) that stitch ads into a channel's stream when
// InsertAdBreak signals a break; channels reference one with `adConfigurationArn` (stored in the row's ref3, so
// DeleteAdConfiguration finds its users and ListChannels filters by it).

import type * as ivs from '@aws-sdk/client-ivs';
import type { RequestContext, Scope } from '../../domain/context.js';
import { conflict, quotaExceeded, validation } from '../../domain/errors.js';
import { buildArn } from '../../domain/arn.js';
import { newResourceId } from '../../domain/ids.js';
import { checkTags, listPage, loadOwned, type HandlerDeps } from './support.js';

type Out<T> = Omit<T, '$metadata'>;
type AdConfigurationDoc = ivs.AdConfiguration;

/**
 * Ad configurations per account and region. IVS's quota table names none for them; openivs bounds them like its
 * other configurations so one account cannot grow the table without limit.
 */
const AD_CONFIGURATIONS_PER_SCOPE = 100;

const MEDIATAILOR_ARN = /^arn:aws:mediatailor:([a-z0-9-]+):([0-9]+):playbackConfiguration\/[a-zA-Z0-9-]+$/;

/** Each entry names a MediaTailor playback configuration of the caller's account and region, once. */
function checkPlaybackConfigurations(
  list: readonly ivs.MediaTailorPlaybackConfiguration[],
  scope: Scope,
): ivs.MediaTailorPlaybackConfiguration[] {
  const seen = new Set<string>();
  return list.map((entry, i) => {
    const arn = entry.playbackConfigurationArn;
    if (!arn) throw validation(`mediaTailorPlaybackConfigurations[${i}].playbackConfigurationArn is required`);
    const m = MEDIATAILOR_ARN.exec(arn);
    if (!m) throw validation(`mediaTailorPlaybackConfigurations[${i}].playbackConfigurationArn is not a MediaTailor ARN`);
    if (m[1] !== scope.region || m[2] !== scope.account) {
      throw validation(
        `mediaTailorPlaybackConfigurations[${i}]: the playback configuration must be in this account and region (${scope.account}, ${scope.region})`,
      );
    }
    if (seen.has(arn)) throw validation(`mediaTailorPlaybackConfigurations[${i}] repeats ${arn}`);
    seen.add(arn);
    return { playbackConfigurationArn: arn };
  });
}

export async function createAdConfiguration(
  deps: HandlerDeps,
  input: ivs.CreateAdConfigurationRequest,
  ctx: RequestContext,
): Promise<Out<ivs.CreateAdConfigurationResponse>> {
  const mediaTailorPlaybackConfigurations = checkPlaybackConfigurations(input.mediaTailorPlaybackConfigurations ?? [], ctx);
  const tags = checkTags(input.tags);
  return deps.store.transaction(async (tx) => {
    if ((await tx.resources.count(ctx, 'ad-configuration')) >= AD_CONFIGURATIONS_PER_SCOPE) {
      throw quotaExceeded(
        `Maximum number of ad configurations (${AD_CONFIGURATIONS_PER_SCOPE}) reached for this account and region`,
      );
    }
    const id = newResourceId();
    const arn = buildArn(ctx, 'ad-configuration', id);
    const doc: AdConfigurationDoc = { arn, name: input.name ?? '', mediaTailorPlaybackConfigurations, tags };
    await tx.resources.insert({
      arn,
      type: 'ad-configuration',
      account: ctx.account,
      region: ctx.region,
      id,
      name: doc.name ?? '',
      ref1: '',
      ref2: '',
      lookup: null,
      doc,
    });
    return { adConfiguration: doc };
  });
}

export async function getAdConfiguration(
  deps: HandlerDeps,
  input: ivs.GetAdConfigurationRequest,
  ctx: RequestContext,
): Promise<Out<ivs.GetAdConfigurationResponse>> {
  const row = await loadOwned<AdConfigurationDoc>(deps.store, ctx, 'ad-configuration', input.arn!);
  return { adConfiguration: row.doc };
}

export async function listAdConfigurations(
  deps: HandlerDeps,
  input: ivs.ListAdConfigurationsRequest,
  ctx: RequestContext,
): Promise<Out<ivs.ListAdConfigurationsResponse>> {
  const page = await listPage<AdConfigurationDoc>(
    deps,
    ctx,
    'ListAdConfigurations',
    { type: 'ad-configuration' },
    input.nextToken,
    input.maxResults ?? 100,
  );
  return { adConfigurations: page.items.map((row) => row.doc), nextToken: page.nextToken };
}

export async function deleteAdConfiguration(
  deps: HandlerDeps,
  input: ivs.DeleteAdConfigurationRequest,
  ctx: RequestContext,
): Promise<void> {
  await deps.store.transaction(async (tx) => {
    const row = await loadOwned(tx, ctx, 'ad-configuration', input.arn!);
    const users = await tx.resources.findReferencing('channel', row.arn, 1);
    if (users.length > 0) throw conflict(`Ad configuration ${row.arn} is in use by channel ${users[0]!.arn}`);
    await tx.resources.delete(row.arn);
  });
}
