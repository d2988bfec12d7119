// Resources the caller owns, for the console routes: the same rule as the API's handlers (an ARN outside the
// caller's account and region, or of another type, is "not found", never "forbidden", so nothing about other
// accounts leaks).

import type { Scope } from '../domain/context.js';
import { inScope } from '../domain/arn.js';
import { ServiceError, notFound, validation } from '../domain/errors.js';
import type { ResourceType, Store } from '../storage/store.js';

export type Doc = Record<string, unknown>;

/** The subset of the Store the routes read. */
export type ResourceReader = Pick<Store['resources'], 'get'>;

const NAMES: Partial<Record<ResourceType, string>> = {
  channel: 'Channel',
  'recording-configuration': 'RecordingConfiguration',
};

export async function loadOwned(resources: ResourceReader, scope: Scope, type: ResourceType, arn: string): Promise<Doc> {
  const row = inScope(arn, scope) ? await resources.get<Doc>(arn) : undefined;
  if (row === undefined || row.type !== type) throw notFound(`${NAMES[type] ?? type} not found: ${arn.slice(0, 200)}`);
  return row.doc;
}

/** The `channelArn` query parameter, required and shaped like an ARN. */
export function channelArnParam(query: URLSearchParams): string {
  const arn = query.get('channelArn');
  if (arn === null || arn === '') throw validation('channelArn is a required query parameter');
  if (arn.length > 128 || !arn.startsWith('arn:')) {
    throw new ServiceError(
      'ValidationException',
      `Value '${arn.slice(0, 100)}' at 'channelArn' failed to satisfy constraint: Member must be a channel ARN`,
    );
  }
  return arn;
}
