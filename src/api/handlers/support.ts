// What every handler shares: its dependencies, loading a resource the caller owns (404 otherwise,
// without revealing whether another account has it), tag rules and one pagination helper.

import type { RequestContext, Scope } from '../../domain/context.js';
import { notFound, validation } from '../../domain/errors.js';
import { inScope, type ResourceType } from '../../domain/arn.js';
import type { PaginationCodec } from '../../domain/pagination.js';
import type { IngestKeys, LiveControl, StreamSessions } from '../../domain/ports.js';
import type { PublicEndpoints } from '../../domain/urls.js';
import type { QuotaConfig } from '../../config/types.js';
import type { ResourceRow, Store } from '../../storage/store.js';
import type { RecordingActivator } from '../recording-activation.js';

export interface HandlerDeps {
  store: Store;
  live: LiveControl;
  sessions: StreamSessions;
  pages: PaginationCodec;
  endpoints: PublicEndpoints;
  quotas: QuotaConfig;
  now: () => Date;
  /** Moves new recording configurations from CREATING to ACTIVE or CREATE_FAILED in the background. */
  recordingActivation: RecordingActivator;
  /** Told of every stream-key change after it commits (the SRT listener decides callers from it). */
  ingestKeys: IngestKeys;
}

export type Tags = Record<string, string>;

const TYPE_NAMES: Record<ResourceType, string> = {
  channel: 'Channel',
  'stream-key': 'StreamKey',
  'recording-configuration': 'RecordingConfiguration',
  'playback-key': 'PlaybackKeyPair',
  'playback-restriction-policy': 'PlaybackRestrictionPolicy',
  'ad-configuration': 'AdConfiguration',
};

export function resourceNotFound(type: ResourceType, arn: string) {
  return notFound(`${TYPE_NAMES[type]} not found: ${arn}`);
}

/** The row for arn if it is of `type` and belongs to the caller's account and region. */
export async function findOwned<Doc>(
  store: Store,
  ctx: Scope,
  type: ResourceType,
  arn: string,
): Promise<ResourceRow<Doc> | undefined> {
  if (!inScope(arn, ctx)) return undefined;
  const row = await store.resources.get<Doc>(arn);
  return row && row.type === type ? row : undefined;
}

/**
 * findOwned's row if the store holds it in memory now (ResourceRepository.cached), else undefined, which means only
 * "ask findOwned": hot reads answer from it without a promise.
 */
export function ownedNow<Doc>(store: Store, ctx: Scope, type: ResourceType, arn: string): ResourceRow<Doc> | undefined {
  if (!inScope(arn, ctx)) return undefined;
  const row = store.resources.cached<Doc>(arn);
  return row && row.type === type ? row : undefined;
}

export async function loadOwned<Doc>(store: Store, ctx: Scope, type: ResourceType, arn: string) {
  const row = await findOwned<Doc>(store, ctx, type, arn);
  if (!row) throw resourceNotFound(type, arn);
  return row;
}

/** Tag keys in the `aws:` namespace are reserved for AWS, as in every AWS service. */
export function checkTags(tags: Tags | undefined): Tags {
  const result: Tags = {};
  for (const [key, value] of Object.entries(tags ?? {})) {
    if (key.toLowerCase().startsWith('aws:')) {
      throw validation(`Tag keys cannot start with the reserved prefix "aws:": ${key.slice(0, 128)}`);
    }
    result[key] = value;
  }
  return result;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** Lists one page of rows of a type in the caller's scope, ordered by insertion. */
export async function listPage<Doc>(
  deps: HandlerDeps,
  ctx: RequestContext,
  operation: string,
  query: { type: ResourceType; name?: string; ref1?: string; ref2?: string; ref3?: string },
  nextToken: string | undefined,
  maxResults: number,
): Promise<Page<ResourceRow<Doc>>> {
  const request = { operation, scope: ctx, filter: JSON.stringify([query.name, query.ref1, query.ref2, query.ref3]) };
  const afterSeq = deps.pages.decode(request, nextToken);
  const rows = await deps.store.resources.list<Doc>({ ...query, scope: ctx, afterSeq, limit: maxResults + 1 });
  if (rows.length <= maxResults) return { items: rows };
  const items = rows.slice(0, maxResults);
  return { items, nextToken: deps.pages.encode(request, items[items.length - 1]!.seq) };
}

/** Copies only the listed keys of an object that are defined (summaries are projections of docs). */
export function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}
