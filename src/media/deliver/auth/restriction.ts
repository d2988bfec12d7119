// Playback restriction policies (CreatePlaybackRestrictionPolicy) at playback, checked against the policy kept in the
// stream's channel snapshot (no database, no parsing per request). allowedCountries: the viewer's country comes from
// a header set by a CDN in front (--viewer-country-header); without that option countries are not checked, as
// openivs cannot geolocate by itself. allowedOrigins: the multivariant playlist request must carry an allowed Origin
// when it carries one at all (non-browser players send none); with enableStrictOriginEnforcement every request, the
// multivariant playlist and everything behind it, must carry an allowed Origin. The policy is on the stream, so
// unlike a token's origin claims it needs no session credential to reach the requests behind the multivariant.

import type { PlaybackRestriction } from '../../registry/playback-restriction.js';
import { originAllowed } from './origins.js';

/**
 * allowOrigin: the origin to reflect in access-control-allow-origin (with `vary: origin`), null for no CORS grant,
 * undefined to keep the ordinary `*`.
 */
export type RestrictionDecision = { ok: true; allowOrigin: string | null | undefined } | { ok: false; message: string };

// Shared results: the common outcomes allocate nothing.
const KEEP_DEFAULT: RestrictionDecision = { ok: true, allowOrigin: undefined };
const NO_GRANT: RestrictionDecision = { ok: true, allowOrigin: null };
const refuse = (message: string): RestrictionDecision => ({ ok: false, message });
const NO_COUNTRY = refuse(
  'playback of this channel is restricted by country (allowedCountries) and the viewer country is unknown',
);
const WRONG_COUNTRY = refuse('playback of this channel is not allowed in the viewer country (allowedCountries)');
const NO_ORIGIN = refuse(
  'this channel enforces origins strictly (enableStrictOriginEnforcement) and the request has no Origin header',
);
const WRONG_ORIGIN = refuse('the request Origin is not allowed by the playback restriction policy (allowedOrigins)');

/**
 * `country`: the viewer-country header's value, checked only when `countryKnown` (the option is configured).
 * `entry`: the multivariant playlist request (an Origin it carries must be allowed even without strict enforcement).
 */
export function checkRestriction(
  policy: PlaybackRestriction,
  origin: string | undefined,
  countryKnown: boolean,
  country: string | undefined,
  entry: boolean,
): RestrictionDecision {
  if (policy.countries && countryKnown) {
    if (country === undefined || country === '') return NO_COUNTRY;
    if (!policy.countries.has(country.trim().toUpperCase())) return WRONG_COUNTRY;
  }
  if (origin === undefined || origin === '') {
    if (policy.strictOrigin) return NO_ORIGIN;
    return policy.origins ? NO_GRANT : KEEP_DEFAULT;
  }
  if (!policy.origins) return policy.strictOrigin ? { ok: true, allowOrigin: origin } : KEEP_DEFAULT;
  if (originAllowed(policy.origins, origin)) return { ok: true, allowOrigin: origin };
  // Not strict: media requests from other origins are answered without a CORS grant (a browser cannot read them).
  return entry || policy.strictOrigin ? WRONG_ORIGIN : NO_GRANT;
}

/**
 * The origin to reflect when a private channel's token also has a say: a refusal of CORS by either wins, and a
 * specific origin beats `*` (both reflect the same request Origin).
 */
export function combineAllowOrigin(policy: string | null | undefined, token: string | null): string | null {
  if (policy === undefined) return token;
  if (policy === null || token === null) return null;
  return token === '*' ? policy : token;
}
