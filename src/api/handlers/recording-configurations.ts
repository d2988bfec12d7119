// Recording configuration operations. A new configuration is stored CREATING and answered at once; its bucket is
// then probed in the background (recording-activation.ts), which moves it to ACTIVE or CREATE_FAILED.

import type * as ivs from '@aws-sdk/client-ivs';
import type { RequestContext } from '../../domain/context.js';
import { conflict, quotaExceeded } from '../../domain/errors.js';
import { buildArn } from '../../domain/arn.js';
import { newResourceId } from '../../domain/ids.js';
import { recordingSettings } from '../../domain/recording-rules.js';
import { checkTags, listPage, loadOwned, pick, type HandlerDeps } from './support.js';

type Out<T> = Omit<T, '$metadata'>;
type RecordingDoc = ivs.RecordingConfiguration;

export async function createRecordingConfiguration(
  deps: HandlerDeps,
  input: ivs.CreateRecordingConfigurationRequest,
  ctx: RequestContext,
): Promise<Out<ivs.CreateRecordingConfigurationResponse>> {
  const settings = recordingSettings(input);
  const tags = checkTags(input.tags);
  const created = await deps.store.transaction(async (tx) => {
    const limit = deps.quotas.recordingConfigurations;
    if ((await tx.resources.count(ctx, 'recording-configuration')) >= limit) {
      throw quotaExceeded(`Maximum number of recording configurations (${limit}) reached for this account and region`);
    }
    const id = newResourceId();
    const arn = buildArn(ctx, 'recording-configuration', id);
    const doc: RecordingDoc = {
      arn,
      name: input.name ?? '',
      destinationConfiguration: { s3: { bucketName: input.destinationConfiguration!.s3!.bucketName } },
      state: 'CREATING',
      tags,
      ...settings,
    };
    await tx.resources.insert({
      arn,
      type: 'recording-configuration',
      account: ctx.account,
      region: ctx.region,
      id,
      name: doc.name ?? '',
      ref1: '',
      ref2: '',
      lookup: null,
      doc,
    });
    return { recordingConfiguration: doc };
  });
  // Only once committed: the probe reads the stored row.
  deps.recordingActivation.activate(created.recordingConfiguration.arn!);
  return created;
}

export async function getRecordingConfiguration(
  deps: HandlerDeps,
  input: ivs.GetRecordingConfigurationRequest,
  ctx: RequestContext,
): Promise<Out<ivs.GetRecordingConfigurationResponse>> {
  const row = await loadOwned<RecordingDoc>(deps.store, ctx, 'recording-configuration', input.arn!);
  return { recordingConfiguration: row.doc };
}

export async function listRecordingConfigurations(
  deps: HandlerDeps,
  input: ivs.ListRecordingConfigurationsRequest,
  ctx: RequestContext,
): Promise<Out<ivs.ListRecordingConfigurationsResponse>> {
  const maxResults = input.maxResults ?? Math.min(deps.quotas.recordingConfigurations, 100);
  const page = await listPage<RecordingDoc>(
    deps,
    ctx,
    'ListRecordingConfigurations',
    { type: 'recording-configuration' },
    input.nextToken,
    maxResults,
  );
  return {
    recordingConfigurations: page.items.map((row) =>
      pick(row.doc, ['arn', 'name', 'destinationConfiguration', 'state', 'tags'] as const),
    ),
    nextToken: page.nextToken,
  };
}

export async function deleteRecordingConfiguration(
  deps: HandlerDeps,
  input: ivs.DeleteRecordingConfigurationRequest,
  ctx: RequestContext,
): Promise<void> {
  await deps.store.transaction(async (tx) => {
    const row = await loadOwned(tx, ctx, 'recording-configuration', input.arn!);
    const users = await tx.resources.findReferencing('channel', row.arn, 1);
    if (users.length > 0) {
      throw conflict(`Recording configuration ${row.arn} is in use by channel ${users[0]!.arn}`);
    }
    await tx.resources.delete(row.arn);
  });
}
