// Verification of playback tokens (JWT, ES384 only) against the imported playback keys of the channel's account
// and region, with jose. A token that verified is remembered by its exact string until its exp, so a player that
// reloads the multivariant playlist with the same token costs a map lookup, not an ECDSA verify; but the key that
// verified it must still exist on every use (deleting a key pair invalidates its tokens). Errors say what is wrong
// and never echo the token.

import { errors, jwtVerify } from 'jose';
import { ClaimError, grantFromClaims, type PlaybackGrant } from './claims.js';
import type { AccountKeys, PlaybackKeySource } from './playback-keys.js';

export interface VerifiedToken {
  grant: PlaybackGrant;
  /** Resource id of the key pair whose public key verified the signature. */
  keyId: string;
  /** Account and region of the keys it was verified against. */
  account: string;
  region: string;
  /** The last session credential minted for this token, reused for a while (see PlaybackAuthorizer). */
  session?: { streamId: string; credential: string; mintedS: number };
}

export class TokenError extends Error {}

const MAX_TOKEN_LENGTH = 8_192;
const MAX_REMEMBERED = 50_000;

function describe(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'the token has expired (exp)';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'the token algorithm is not allowed: playback tokens are signed with ES384';
  if (err instanceof errors.JWTClaimValidationFailed) return `the token claim ${err.claim} is missing or invalid`;
  if (err instanceof errors.JWTInvalid || err instanceof errors.JWSInvalid) return 'the token is malformed';
  if (err instanceof errors.JOSENotSupported) return 'the token uses an unsupported header or algorithm';
  return 'the token could not be verified';
}

/** Three base64url segments (no padding), as RFC 7515's compact serialization. */
const COMPACT_JWS = /^[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

export class TokenVerifier {
  private readonly verified = new Map<string, VerifiedToken>();

  constructor(
    private readonly keys: PlaybackKeySource,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The token's grant and key; throws (or rejects with) TokenError. Synchronous for a token verified before while
   * the account's key list is cached: the hot path of a player reloading the multivariant playlist. The claims tied
   * to the request (channel, expiry, origin) are the caller's to check.
   */
  verify(token: string, account: string, region: string): VerifiedToken | Promise<VerifiedToken> {
    const known = this.verified.get(token);
    // Remembered for another account or region: verify afresh against this one's keys (and say why it fails).
    if (!known || known.account !== account || known.region !== region) return this.verifyNew(token, account, region);
    const keys = this.keys.keysFor(account, region);
    const check = (k: AccountKeys) => (k.has(known.keyId) ? known : this.reverify(token, account, region));
    return keys instanceof Promise ? keys.then(check) : check(keys);
  }

  /** Its key pair is gone: verify again (the same public key may have been imported anew, under another id). */
  private reverify(token: string, account: string, region: string): Promise<VerifiedToken> {
    this.verified.delete(token);
    return this.verifyNew(token, account, region);
  }

  private async verifyNew(token: string, account: string, region: string): Promise<VerifiedToken> {
    if (token.length > MAX_TOKEN_LENGTH) throw new TokenError('the token is too long');
    if (token.split('.').length !== 3) throw new TokenError('token contains an invalid number of segments');
    // jose's base64url decoding (Buffer's) skips characters outside the alphabet, so "ab cd" would decode as "abcd":
    // a token with a space or a stray character would verify as its clean twin. A JWS is its alphabet and dots only.
    if (!COMPACT_JWS.test(token)) throw new TokenError('the token has characters outside base64url');
    const keys = await this.keys.keysFor(account, region);
    if (keys.keys.length === 0) throw new TokenError('no playback key pair is imported in this account and region');
    for (const { id, key } of keys.keys) {
      let payload: Record<string, unknown>;
      try {
        // Pinned to ES384: HS256 keyed with the public key, `none` and every other algorithm are refused.
        ({ payload } = await jwtVerify(token, key, {
          algorithms: ['ES384'],
          requiredClaims: ['exp'],
          currentDate: new Date(this.now()),
        }));
      } catch (err) {
        if (err instanceof errors.JWSSignatureVerificationFailed) continue;
        throw new TokenError(describe(err));
      }
      let grant: PlaybackGrant;
      try {
        grant = grantFromClaims(payload);
      } catch (err) {
        throw new TokenError(err instanceof ClaimError ? err.message : 'the token claims are invalid');
      }
      const verified: VerifiedToken = { grant, keyId: id, account, region };
      this.remember(token, verified);
      return verified;
    }
    throw new TokenError('the token signature does not match any playback key pair of this account');
  }

  private remember(token: string, entry: VerifiedToken): void {
    if (this.verified.size >= MAX_REMEMBERED) {
      const nowS = this.now() / 1000;
      for (const [t, v] of this.verified) if (v.grant.exp <= nowS) this.verified.delete(t);
      if (this.verified.size >= MAX_REMEMBERED) this.verified.clear();
    }
    this.verified.set(token, entry);
  }
}
