// The playback-session credential of a private channel: minted once the multivariant playlist's token is accepted,
// carried as a path segment (`a.<payload>.<mac>`) of every URL behind it, so relative segment and part URIs inherit
// it and cached playlist bodies need no per-viewer rewrite. It binds the channel's playback key and the stream (both
// already in the URL, so they are MACed but not repeated in the payload: the segment stays short, and it is written
// once per rendition into every multivariant playlist), the key pair that verified the token (deleting it kills the
// session), the viewer id and session version (revocation), the maximum resolution and the origin policy.
// HMAC-SHA256 (truncated to 128 bits) with a server secret, compared in constant time.

import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SessionClaims {
  /** Resource id of the playback key pair that verified the token (same account and region as the channel). */
  p: string;
  /** Viewer id and session version. */
  v?: string;
  n: number;
  /** Maximum rendition height. */
  h?: number;
  /** Allowed origins, and whether every request must carry one. */
  o?: string[];
  x?: 1;
  /** Expiry, seconds since the epoch. */
  e: number;
}

export const CREDENTIAL_PREFIX = 'a.';
const MAC_BYTES = 16;
const MAX_CREDENTIAL = 4096;
const B64URL = /^[A-Za-z0-9_-]+$/;

/** Authentic credentials seen lately: a player's every request carries the same one, so the HMAC runs once. */
const MAX_OPENED = 10_000;

/** What a credential is bound to besides its claims: `<playbackKey>/<streamId>`. */
export const bindingOf = (playbackKey: string, streamId: string) => `${playbackKey}/${streamId}`;

export class SessionCredentials {
  private readonly opened = new Map<string, SessionClaims>();

  constructor(private readonly secret: Buffer) {}

  private mac(binding: string, payload: string): Buffer {
    return createHmac('sha256', this.secret).update(`${binding}\n${payload}`).digest().subarray(0, MAC_BYTES);
  }

  /** The path segment, `a.<payload>.<mac>`. */
  mint(binding: string, claims: SessionClaims): string {
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${CREDENTIAL_PREFIX}${payload}.${this.mac(binding, payload).toString('base64url')}`;
  }

  /** The claims of a well-formed, authentic, unexpired segment for `binding`; undefined otherwise. */
  open(binding: string, segment: string, nowS: number): SessionClaims | undefined {
    const id = `${binding}\n${segment}`;
    const known = this.opened.get(id);
    if (known) return known.e > nowS ? known : undefined;
    const claims = this.verify(binding, segment, nowS);
    if (claims) {
      if (this.opened.size >= MAX_OPENED) this.opened.clear();
      this.opened.set(id, claims);
    }
    return claims;
  }

  private verify(binding: string, segment: string, nowS: number): SessionClaims | undefined {
    if (segment.length > MAX_CREDENTIAL || !segment.startsWith(CREDENTIAL_PREFIX)) return undefined;
    const dot = segment.indexOf('.', CREDENTIAL_PREFIX.length);
    if (dot === -1) return undefined;
    const payload = segment.slice(CREDENTIAL_PREFIX.length, dot);
    const given = segment.slice(dot + 1);
    if (!B64URL.test(payload) || !B64URL.test(given)) return undefined;
    // Compared as text, not decoded: base64url decoding ignores the spare low bits of the last character, and a
    // credential should have exactly one spelling.
    const expected = Buffer.from(this.mac(binding, payload).toString('base64url'));
    const mac = Buffer.from(given);
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return undefined;
    let claims: SessionClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SessionClaims;
    } catch {
      return undefined;
    }
    if (typeof claims !== 'object' || claims === null || typeof claims.e !== 'number' || claims.e <= nowS) return undefined;
    if (typeof claims.p !== 'string' || typeof claims.n !== 'number') return undefined;
    return claims;
  }
}
