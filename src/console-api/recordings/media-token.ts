// Capabilities for a recording's media, minted by GET /_openivs/recordings for a caller who may see the recording
// and carried as one path segment: /_openivs/recordings/media/<token>/<key under the recording's prefix>. A SigV4
// presigned URL covers exactly one path, but an HLS player resolves the playlists' relative URIs (renditions,
// segments) against the playlist's URL; a token in the path covers the whole recording and nothing else. The token
// is `m1.<payload>.<mac>`: base64url JSON {bucket, prefix, expiry} and its HMAC-SHA256 under a server secret kept
// in the store (so it holds across restarts and cluster nodes), compared in constant time.

import { createHmac, timingSafeEqual } from 'node:crypto';

export interface MediaGrant {
  bucket: string;
  /** The recording's key prefix, without a trailing slash. */
  prefix: string;
  /** ms since the epoch. */
  expiresAt: number;
}

export const MEDIA_TOKEN_TTL_MS = 6 * 3600_000;
const VERSION = 'm1';
const MAX_TOKEN_LENGTH = 2048;

export class MediaTokens {
  constructor(
    private readonly secret: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  mint(bucket: string, prefix: string, ttlMs = MEDIA_TOKEN_TTL_MS): { token: string; expiresAt: number } {
    const expiresAt = this.now() + ttlMs;
    const payload = Buffer.from(JSON.stringify({ b: bucket, p: prefix, x: Math.floor(expiresAt / 1000) })).toString('base64url');
    return { token: `${VERSION}.${payload}.${this.mac(payload)}`, expiresAt: Math.floor(expiresAt / 1000) * 1000 };
  }

  /** The grant of a valid, unexpired token; undefined otherwise (without saying why: a token is a secret). */
  verify(token: string): MediaGrant | undefined {
    if (token.length > MAX_TOKEN_LENGTH) return undefined;
    const [version, payload, mac, extra] = token.split('.');
    if (version !== VERSION || payload === undefined || mac === undefined || extra !== undefined) return undefined;
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    let parsed: { b?: unknown; p?: unknown; x?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof parsed;
    } catch {
      return undefined;
    }
    if (typeof parsed.b !== 'string' || typeof parsed.p !== 'string' || typeof parsed.x !== 'number') return undefined;
    const expiresAt = parsed.x * 1000;
    if (this.now() >= expiresAt) return undefined;
    return { bucket: parsed.b, prefix: parsed.p, expiresAt };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.secret).update(`${VERSION}.${payload}`).digest('base64url');
  }
}
