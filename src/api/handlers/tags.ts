// Tag operations on every taggable resource type, addressed by ARN. An ARN of another account or
// region, or of nothing, is a 404: accounts never see each other's resources.

import type * as ivs from '@aws-sdk/client-ivs';
import type { RequestContext } from '../../domain/context.js';
import { notFound, validation } from '../../domain/errors.js';
import { parseArn } from '../../domain/arn.js';
import type { Store } from '../../storage/store.js';
import { checkTags, findOwned, type HandlerDeps, type Tags } from './support.js';

type Out<T> = Omit<T, '$metadata'>;
const MAX_TAGS = 50;

async function loadTagged(store: Store, ctx: RequestContext, arn: string) {
  const parsed = parseArn(arn);
  const row = parsed && (await findOwned<{ tags?: Tags }>(store, ctx, parsed.type, arn));
  if (!row) throw notFound(`Resource not found: ${arn}`);
  return row;
}

export async function listTagsForResource(
  deps: HandlerDeps,
  input: ivs.ListTagsForResourceRequest,
  ctx: RequestContext,
): Promise<Out<ivs.ListTagsForResourceResponse>> {
  const row = await loadTagged(deps.store, ctx, input.resourceArn!);
  return { tags: row.doc.tags ?? {} };
}

export async function tagResource(
  deps: HandlerDeps,
  input: ivs.TagResourceRequest,
  ctx: RequestContext,
): Promise<Out<ivs.TagResourceResponse>> {
  const added = checkTags(input.tags);
  await deps.store.transaction(async (tx) => {
    const row = await loadTagged(tx, ctx, input.resourceArn!);
    const tags = { ...(row.doc.tags ?? {}), ...added };
    if (Object.keys(tags).length > MAX_TAGS) {
      throw validation(`A resource can have at most ${MAX_TAGS} tags; this request would make ${Object.keys(tags).length}`);
    }
    await tx.resources.update({ ...row, doc: { ...row.doc, tags } });
  });
  return {};
}

export async function untagResource(
  deps: HandlerDeps,
  input: ivs.UntagResourceRequest,
  ctx: RequestContext,
): Promise<Out<ivs.UntagResourceResponse>> {
  await deps.store.transaction(async (tx) => {
    const row = await loadTagged(tx, ctx, input.resourceArn!);
    const tags = { ...(row.doc.tags ?? {}) };
    for (const key of input.tagKeys ?? []) delete tags[key];
    await tx.resources.update({ ...row, doc: { ...row.doc, tags } });
  });
  return {};
}
