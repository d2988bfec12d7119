// Viewer session ids, the `vs=` query parameter of media-playlist URLs: minted into every multivariant playlist,
// checked before a media-playlist request may count as a viewer (registry/viewers.ts decides when it does). Only ids
// this server handed out count: 24 bytes, base64url (32 characters, no spare bits, so one spelling per id), of
//   issue time (uint32, seconds) | 8 random bytes | HMAC-SHA256(key, "<playbackKey>/<streamId>" + the 12 bytes)[:12]
// with a key derived from the persisted playback-session secret for this one use (a viewer id cannot be replayed as
// a private-channel credential or the other way round, and ids survive a restart of the process). The MAC binds the
// channel and the stream, so an id moved to another stream fails like a forged one; it is compared in constant time.
// The issue time makes old ids expire: an id may begin counting at most START_WINDOW_S after it was issued (a
// player opens its media playlist within seconds of the multivariant playlist), so ids cannot be stockpiled; a
// session already counting keeps counting while it refreshes. The id stays a query parameter that a cache in front
// may leave out of its key: media playlists, segments and parts are the same for every viewer.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const ISSUED_BYTES = 4;
const NONCE_BYTES = 8;
const MAC_BYTES = 12;
const BODY_BYTES = ISSUED_BYTES + NONCE_BYTES;
export const VIEWER_SESSION_LENGTH = ((BODY_BYTES + MAC_BYTES) * 4) / 3;
const SHAPE = /^[A-Za-z0-9_-]+$/;

/** How long after its issue an id may start counting. */
export const START_WINDOW_S = 600;
/** Ids issued this far in the future still pass (clock steps; several nodes sharing the secret). */
const CLOCK_SKEW_S = 60;

/** The viewer-session key: derived from the playback-session secret, used for nothing else. */
export function viewerSessionKey(playbackSessionSecret: Buffer): Buffer {
  return createHmac('sha256', playbackSessionSecret).update('openivs viewer-session key v1').digest();
}

export class ViewerSessions {
  constructor(private readonly key: Buffer) {}

  private mac(binding: string, body: Buffer): Buffer {
    return createHmac('sha256', this.key).update(binding).update('\n').update(body).digest().subarray(0, MAC_BYTES);
  }

  /** A new id for the stream `binding` (`<playbackKey>/<streamId>`, see credential.ts bindingOf). */
  mint(binding: string, nowMs: number): string {
    const body = Buffer.allocUnsafe(BODY_BYTES);
    body.writeUInt32BE(Math.floor(nowMs / 1000) >>> 0, 0);
    randomBytes(NONCE_BYTES).copy(body, ISSUED_BYTES);
    return Buffer.concat([body, this.mac(binding, body)]).toString('base64url');
  }

  /** Whether `id` was minted here for `binding`, and may start counting now. Cheap checks first. */
  verify(binding: string, id: string, nowMs: number): boolean {
    if (id.length !== VIEWER_SESSION_LENGTH || !SHAPE.test(id)) return false;
    const raw = Buffer.from(id, 'base64url');
    if (raw.length !== BODY_BYTES + MAC_BYTES) return false;
    const body = raw.subarray(0, BODY_BYTES);
    if (!timingSafeEqual(this.mac(binding, body), raw.subarray(BODY_BYTES))) return false;
    const issuedS = body.readUInt32BE(0);
    const nowS = nowMs / 1000;
    return issuedS <= nowS + CLOCK_SKEW_S && nowS - issuedS <= START_WINDOW_S;
  }
}
