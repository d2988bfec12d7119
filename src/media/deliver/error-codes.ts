// The catalogue of playback's errors: each `error_code` of IVS's JSON error body (responses.ts writes the body) with
// the status it goes with. Players read the code (Amazon's IVS player shows it as the error message), so a code never
// changes once a player may have seen it; every refusal on the playback path names an entry here. The entries are
// constants, so naming one costs the hot path nothing.

export interface PlaybackError {
  readonly status: number;
  readonly code: string;
}

const entry = (status: number, code: string): PlaybackError => Object.freeze({ status, code });

export const PLAYBACK_ERRORS = Object.freeze({
  /** An LL-HLS blocking-reload query that is malformed or asks too far ahead. */
  badRequest: entry(400, 'bad_request'),
  /** A private channel without a valid playback token or session credential (IVS's code). */
  invalidToken: entry(403, 'invalid_playback_auth_token'),
  /** Refused by the channel's playback restriction policy (IVS documents no code for it; this says what happened). */
  restricted: entry(403, 'playback_restricted'),
  /** No such path, stream, rendition, segment, part or initialization section. */
  notFound: entry(404, 'not_found'),
  /** The multivariant playlist of a channel that is not live, or does not exist. */
  channelOffline: entry(404, 'channel_offline'),
  /** Anything but GET, HEAD and OPTIONS. */
  methodNotAllowed: entry(405, 'method_not_allowed'),
  /** A byte range past the end of the object. */
  rangeNotSatisfiable: entry(416, 'range_not_satisfiable'),
  /** The account's concurrent-viewers quota is reached. */
  viewersQuotaExceeded: entry(429, 'concurrent_viewers_quota_exceeded'),
  /** An unexpected failure while answering. */
  internalError: entry(500, 'internal_error'),
  /** A held request that cannot be held (too many for the stream), or whose object did not come in time. */
  unavailable: entry(503, 'service_unavailable'),
});
