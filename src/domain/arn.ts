// ARNs of IVS resources: `arn:aws:ivs:<region>:<account>:<type>/<id>`. Building them, and parsing
// one back into its parts so handlers can check it belongs to the caller's (account, region).

import type { Scope } from './context.js';

/** The IVS resource types openivs keeps, as they appear in ARNs (`…:<type>/<id>`); the store keys its rows by them. */
export type ResourceType =
  'channel' | 'stream-key' | 'recording-configuration' | 'playback-key' | 'playback-restriction-policy' | 'ad-configuration';

export interface ParsedArn extends Scope {
  type: ResourceType;
  id: string;
}

const ARN_PATTERN =
  /^arn:aws:ivs:([a-z0-9-]+):([0-9]+):(channel|stream-key|playback-key|recording-configuration|playback-restriction-policy|ad-configuration)\/([a-zA-Z0-9-]+)$/;

export function buildArn(scope: Scope, type: ResourceType, id: string): string {
  return `arn:aws:ivs:${scope.region}:${scope.account}:${type}/${id}`;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const m = ARN_PATTERN.exec(arn);
  if (!m) return undefined;
  return { region: m[1]!, account: m[2]!, type: m[3] as ResourceType, id: m[4]! };
}

/** True when the ARN names a resource of the caller's account and region. */
export function inScope(arn: string, scope: Scope): boolean {
  const parsed = parseArn(arn);
  return parsed !== undefined && parsed.account === scope.account && parsed.region === scope.region;
}
