// Playback key pair operations. The stored PEM is what private channels verify tokens against (a
// later issue); duplicates are found by fingerprint within the caller's account and region.

import type * as ivs from '@aws-sdk/client-ivs';
import type { RequestContext } from '../../domain/context.js';
import { conflict, quotaExceeded } from '../../domain/errors.js';
import { buildArn } from '../../domain/arn.js';
import { newResourceId } from '../../domain/ids.js';
import { importP384PublicKey } from '../../domain/public-keys.js';
import { checkTags, listPage, loadOwned, pick, type HandlerDeps } from './support.js';

type Out<T> = Omit<T, '$metadata'>;
export type KeyPairDoc = ivs.PlaybackKeyPair & { publicKeyPem: string };

const render = (doc: KeyPairDoc): ivs.PlaybackKeyPair => pick(doc, ['arn', 'name', 'fingerprint', 'tags'] as const);

export async function importPlaybackKeyPair(
  deps: HandlerDeps,
  input: ivs.ImportPlaybackKeyPairRequest,
  ctx: RequestContext,
): Promise<Out<ivs.ImportPlaybackKeyPairResponse>> {
  const imported = importP384PublicKey(input.publicKeyMaterial!);
  const tags = checkTags(input.tags);
  return deps.store.transaction(async (tx) => {
    const lookup = `${ctx.account}:${ctx.region}:${imported.fingerprint}`;
    if (await tx.resources.getByLookup('playback-key', lookup)) {
      throw conflict(`A playback key pair with fingerprint ${imported.fingerprint} already exists`);
    }
    if ((await tx.resources.count(ctx, 'playback-key')) >= deps.quotas.playbackKeyPairs) {
      throw quotaExceeded(
        `Maximum number of playback key pairs (${deps.quotas.playbackKeyPairs}) reached for this account and region`,
      );
    }
    const id = newResourceId();
    const arn = buildArn(ctx, 'playback-key', id);
    const doc: KeyPairDoc = { arn, name: input.name ?? '', fingerprint: imported.fingerprint, tags, publicKeyPem: imported.pem };
    await tx.resources.insert({
      arn,
      type: 'playback-key',
      account: ctx.account,
      region: ctx.region,
      id,
      name: doc.name ?? '',
      ref1: '',
      ref2: '',
      lookup,
      doc,
    });
    return { keyPair: render(doc) };
  });
}

export async function getPlaybackKeyPair(
  deps: HandlerDeps,
  input: ivs.GetPlaybackKeyPairRequest,
  ctx: RequestContext,
): Promise<Out<ivs.GetPlaybackKeyPairResponse>> {
  return { keyPair: render((await loadOwned<KeyPairDoc>(deps.store, ctx, 'playback-key', input.arn!)).doc) };
}

export async function listPlaybackKeyPairs(
  deps: HandlerDeps,
  input: ivs.ListPlaybackKeyPairsRequest,
  ctx: RequestContext,
): Promise<Out<ivs.ListPlaybackKeyPairsResponse>> {
  const maxResults = input.maxResults ?? Math.min(deps.quotas.playbackKeyPairs, 100);
  const page = await listPage<KeyPairDoc>(
    deps,
    ctx,
    'ListPlaybackKeyPairs',
    { type: 'playback-key' },
    input.nextToken,
    maxResults,
  );
  return { keyPairs: page.items.map((row) => pick(row.doc, ['arn', 'name', 'tags'] as const)), nextToken: page.nextToken };
}

export async function deletePlaybackKeyPair(
  deps: HandlerDeps,
  input: ivs.DeletePlaybackKeyPairRequest,
  ctx: RequestContext,
): Promise<Out<ivs.DeletePlaybackKeyPairResponse>> {
  await deps.store.transaction(async (tx) => {
    const row = await loadOwned(tx, ctx, 'playback-key', input.arn!);
    await tx.resources.delete(row.arn);
  });
  return {};
}
