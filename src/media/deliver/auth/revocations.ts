// Viewer session revocation as playback sees it: StartViewerSessionRevocation records, per channel and viewer id,
// the highest revoked aws:viewer-session-version; a session whose version is at or below it is refused. Lookups go
// through a short cache so media requests stay synchronous and revocations bite within a few seconds.

import { RefreshingCache } from './refreshing-cache.js';

export interface RevocationLookup {
  /** Highest revoked session version of the viewer on the channel; undefined when never revoked. */
  revokedUpTo(channelArn: string, viewerId: string): Promise<number | undefined>;
}

export class CachedRevocations {
  private readonly cache: RefreshingCache<number | undefined>;

  constructor(lookup: RevocationLookup, opts = { refreshAfterMs: 1_000, maxAgeMs: 2_000 }) {
    this.cache = new RefreshingCache(
      (key) => {
        const nl = key.indexOf('\n');
        return lookup.revokedUpTo(key.slice(0, nl), key.slice(nl + 1));
      },
      { ...opts, maxEntries: 100_000 },
    );
  }

  revokedUpTo(channelArn: string, viewerId: string): number | undefined | Promise<number | undefined> {
    return this.cache.get(`${channelArn}\n${viewerId}`);
  }
}
