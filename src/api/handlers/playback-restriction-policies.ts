// Playback restriction policy operations (newest model): allowed countries and origins that channels
// referencing the policy enforce at playback (read when a broadcast starts; see media/deliver/auth/restriction.ts).

import type * as ivs from '@aws-sdk/client-ivs';
import type { RequestContext } from '../../domain/context.js';
import { conflict, quotaExceeded, validation } from '../../domain/errors.js';
import { buildArn } from '../../domain/arn.js';
import { newResourceId } from '../../domain/ids.js';
import type { Store } from '../../storage/store.js';
import { checkTags, listPage, loadOwned, type HandlerDeps } from './support.js';

type Out<T> = Omit<T, '$metadata'>;
type PolicyDoc = ivs.PlaybackRestrictionPolicy;

function checkPolicy(doc: PolicyDoc): PolicyDoc {
  for (const country of doc.allowedCountries ?? []) {
    if (!/^[A-Z]{2}$/.test(country)) throw validation(`allowedCountries: "${country}" is not an ISO 3166-1 alpha-2 code`);
  }
  for (const origin of doc.allowedOrigins ?? []) {
    if (origin !== '*' && !/^https?:\/\/[^/?#\s]+$/.test(origin)) {
      throw validation(`allowedOrigins: "${origin.slice(0, 128)}" is not an origin (scheme://host[:port]) or *`);
    }
  }
  return doc;
}

async function save(store: Store, ctx: RequestContext, id: string, doc: PolicyDoc, update: boolean) {
  const row = {
    arn: doc.arn!,
    type: 'playback-restriction-policy' as const,
    account: ctx.account,
    region: ctx.region,
    id,
    name: doc.name ?? '',
    ref1: '',
    ref2: '',
    lookup: null,
    doc,
  };
  if (update) await store.resources.update(row);
  else await store.resources.insert(row);
}

export async function createPlaybackRestrictionPolicy(
  deps: HandlerDeps,
  input: ivs.CreatePlaybackRestrictionPolicyRequest,
  ctx: RequestContext,
): Promise<Out<ivs.CreatePlaybackRestrictionPolicyResponse>> {
  const tags = checkTags(input.tags);
  return deps.store.transaction(async (tx) => {
    const limit = deps.quotas.playbackRestrictionPolicies;
    if ((await tx.resources.count(ctx, 'playback-restriction-policy')) >= limit) {
      throw quotaExceeded(`Maximum number of playback restriction policies (${limit}) reached for this account and region`);
    }
    const id = newResourceId();
    const doc = checkPolicy({
      arn: buildArn(ctx, 'playback-restriction-policy', id),
      name: input.name ?? '',
      allowedCountries: input.allowedCountries ?? [],
      allowedOrigins: input.allowedOrigins ?? [],
      enableStrictOriginEnforcement: input.enableStrictOriginEnforcement ?? false,
      tags,
    });
    await save(tx, ctx, id, doc, false);
    return { playbackRestrictionPolicy: doc };
  });
}

export async function getPlaybackRestrictionPolicy(
  deps: HandlerDeps,
  input: ivs.GetPlaybackRestrictionPolicyRequest,
  ctx: RequestContext,
): Promise<Out<ivs.GetPlaybackRestrictionPolicyResponse>> {
  const row = await loadOwned<PolicyDoc>(deps.store, ctx, 'playback-restriction-policy', input.arn!);
  return { playbackRestrictionPolicy: row.doc };
}

export async function listPlaybackRestrictionPolicies(
  deps: HandlerDeps,
  input: ivs.ListPlaybackRestrictionPoliciesRequest,
  ctx: RequestContext,
): Promise<Out<ivs.ListPlaybackRestrictionPoliciesResponse>> {
  const page = await listPage<PolicyDoc>(
    deps,
    ctx,
    'ListPlaybackRestrictionPolicies',
    { type: 'playback-restriction-policy' },
    input.nextToken,
    input.maxResults ?? 1,
  );
  return { playbackRestrictionPolicies: page.items.map((row) => row.doc), nextToken: page.nextToken };
}

export async function updatePlaybackRestrictionPolicy(
  deps: HandlerDeps,
  input: ivs.UpdatePlaybackRestrictionPolicyRequest,
  ctx: RequestContext,
): Promise<Out<ivs.UpdatePlaybackRestrictionPolicyResponse>> {
  return deps.store.transaction(async (tx) => {
    const row = await loadOwned<PolicyDoc>(tx, ctx, 'playback-restriction-policy', input.arn!);
    // Field by field: a row stored before inputs were rebuilt from the model may hold other members.
    const doc = checkPolicy({
      arn: row.doc.arn,
      tags: row.doc.tags,
      name: input.name ?? row.doc.name,
      allowedCountries: input.allowedCountries ?? row.doc.allowedCountries,
      allowedOrigins: input.allowedOrigins ?? row.doc.allowedOrigins,
      enableStrictOriginEnforcement: input.enableStrictOriginEnforcement ?? row.doc.enableStrictOriginEnforcement,
    });
    await save(tx, ctx, row.id, doc, true);
    return { playbackRestrictionPolicy: doc };
  });
}

export async function deletePlaybackRestrictionPolicy(
  deps: HandlerDeps,
  input: ivs.DeletePlaybackRestrictionPolicyRequest,
  ctx: RequestContext,
): Promise<void> {
  await deps.store.transaction(async (tx) => {
    const row = await loadOwned(tx, ctx, 'playback-restriction-policy', input.arn!);
    const users = await tx.resources.findReferencing('channel', row.arn, 1);
    if (users.length > 0) throw conflict(`Playback restriction policy ${row.arn} is in use by channel ${users[0]!.arn}`);
    await tx.resources.delete(row.arn);
  });
}
