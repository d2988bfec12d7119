// The claims of an IVS playback token, checked after the signature: which channel it opens, until when, for which
// origins, once or for a revocable viewer, and up to which resolution. Pure: the caller passes the verified payload
// and the clock. Messages name the claim at fault and never echo the token.

import { parseOriginClaim, type OriginPatterns } from './origins.js';

/** What a token grants, once its claims are checked. */
export interface PlaybackGrant {
  channelArn: string;
  /** Seconds since the epoch. */
  exp: number;
  origins?: OriginPatterns;
  strictOrigin: boolean;
  singleUseUuid?: string;
  viewerId?: string;
  sessionVersion: number;
  /** Highest rendition (lines) the viewer may see; undefined: any. */
  maxHeight?: number;
}

export const MAX_RESOLUTIONS: Record<string, number> = { SD: 480, HD: 720, FULL_HD: 1080 };
/** With a single-use uuid or a viewer id, a token may live at most this long (IVS's rule). */
export const SHORT_LIVED_MAX_S = 600;
const MAX_VIEWER_ID = 40;
const MAX_UUID = 128;

export class ClaimError extends Error {}

const fail = (message: string): never => {
  throw new ClaimError(message);
};

function optionalString(payload: Record<string, unknown>, name: string, max: number): string | undefined {
  const v = payload[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > max) fail(`${name} must be a string of 1 to ${max} characters`);
  return v as string;
}

/** Reads the grant from a payload whose signature verified; throws ClaimError naming what is wrong. */
export function grantFromClaims(payload: Record<string, unknown>): PlaybackGrant {
  const channelArn = payload['aws:channel-arn'];
  if (typeof channelArn !== 'string' || channelArn === '') fail('aws:channel-arn is missing');
  const exp = payload.exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) fail('exp is missing or not a number');
  const originClaim = payload['aws:access-control-allow-origin'];
  if (originClaim !== undefined && typeof originClaim !== 'string') fail('aws:access-control-allow-origin must be a string');
  const strict = payload['aws:strict-origin-enforcement'];
  if (strict !== undefined && typeof strict !== 'boolean') fail('aws:strict-origin-enforcement must be a boolean');
  const version = payload['aws:viewer-session-version'] ?? 0;
  if (typeof version !== 'number' || !Number.isSafeInteger(version)) fail('aws:viewer-session-version must be an integer');
  const resolution = payload['aws:maximum-resolution'];
  if (resolution !== undefined && (typeof resolution !== 'string' || !(resolution in MAX_RESOLUTIONS))) {
    fail('aws:maximum-resolution must be SD, HD or FULL_HD');
  }
  return {
    channelArn: channelArn as string,
    exp: exp as number,
    origins: typeof originClaim === 'string' ? parseOriginClaim(originClaim) : undefined,
    strictOrigin: strict === true,
    singleUseUuid: optionalString(payload, 'aws:single-use-uuid', MAX_UUID),
    viewerId: optionalString(payload, 'aws:viewer-id', MAX_VIEWER_ID),
    sessionVersion: version as number,
    maxHeight: resolution === undefined ? undefined : MAX_RESOLUTIONS[resolution as string],
  };
}

/**
 * The checks that depend on the request and the clock, repeated on every use of a (cached) grant: the channel, the
 * expiry and the 10-minute bound of single-use and viewer tokens. Returns an error message, or undefined when good.
 */
export function grantProblem(grant: PlaybackGrant, channelArn: string, nowS: number): string | undefined {
  if (grant.channelArn !== channelArn) return 'aws:channel-arn does not match this channel';
  if (grant.exp <= nowS) return 'the token has expired (exp)';
  if ((grant.singleUseUuid !== undefined || grant.viewerId !== undefined) && grant.exp > nowS + SHORT_LIVED_MAX_S) {
    return 'exp may be at most 10 minutes ahead with aws:single-use-uuid or aws:viewer-id';
  }
  return undefined;
}
