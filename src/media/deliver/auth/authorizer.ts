// Private-channel playback authorization. admit(): the multivariant playlist request with `?token=` (signature,
// claims, origin, revocation, single use) → a playback-session credential. checkMedia(): every request behind it
// (media playlists, blocking reloads, segments, parts, init) → the credential must be authentic, unexpired, for this
// channel and stream, its key pair still imported, its viewer session not revoked, its origin rules met. Both also
// say which origin to reflect in access-control-allow-origin (null: none) instead of `*`.

import { grantProblem } from './claims.js';
import { bindingOf, SessionCredentials, type SessionClaims } from './credential.js';
import { originAllowed, type OriginPatterns } from './origins.js';
import type { PlaybackKeySource } from './playback-keys.js';
import { CachedRevocations, type RevocationLookup } from './revocations.js';
import { SingleUseRegistry } from './single-use.js';
import { TokenError, TokenVerifier, type VerifiedToken } from './token-verifier.js';

/**
 * A session stays good while its stream lives (the stream id is part of every URL) and at most this long, well past
 * the token's exp: IVS checks exp when playback starts, not on every reload. Key deletion and revocation are
 * checked on every request instead.
 */
export const SESSION_LIFETIME_S = 48 * 3600;

/** How long a token's credential is handed out again rather than minted anew (its lifetime is far longer). */
const CREDENTIAL_REUSE_S = 60;

export type Decision = { ok: true; allowOrigin: string | null } | { ok: false; message: string };
export type Admission =
  { ok: true; allowOrigin: string | null; credential: string; maxHeight?: number } | { ok: false; message: string };

export interface StreamIdentity {
  channel: { arn: string; account: string; region: string };
  playbackKey: string;
  streamId: string;
}

export interface AuthorizerDeps {
  keys: PlaybackKeySource;
  revocations: RevocationLookup;
  secret: Buffer;
  now?: () => number;
}

type MaybePromise<T> = T | Promise<T>;
const then = <T, U>(v: MaybePromise<T>, f: (t: T) => MaybePromise<U>): MaybePromise<U> =>
  v instanceof Promise ? v.then(f) : f(v);

const refuse = (message: string) => ({ ok: false as const, message });

function refusal(err: unknown): Admission {
  if (err instanceof TokenError) return refuse(err.message);
  throw err;
}

function reflected(origins: OriginPatterns | undefined, origin: string | undefined): string | null {
  if (!origins) return '*';
  return origin !== undefined && originAllowed(origins, origin) ? origin : null;
}

export class PlaybackAuthorizer {
  private readonly tokens: TokenVerifier;
  private readonly credentials: SessionCredentials;
  private readonly revocations: CachedRevocations;
  private readonly singleUse = new SingleUseRegistry();
  private readonly now: () => number;

  constructor(private readonly deps: AuthorizerDeps) {
    this.now = deps.now ?? Date.now;
    this.tokens = new TokenVerifier(deps.keys, this.now);
    this.credentials = new SessionCredentials(deps.secret);
    this.revocations = new CachedRevocations(deps.revocations);
  }

  /** Synchronous for a token seen before (cached verification, keys and revocations): the multivariant hot path. */
  admit(stream: StreamIdentity, token: string | undefined, origin: string | undefined): MaybePromise<Admission> {
    if (!token) return refuse('this channel is private: a playback token is required (?token=<JWT>)');
    let verified: MaybePromise<VerifiedToken>;
    try {
      verified = this.tokens.verify(token, stream.channel.account, stream.channel.region);
    } catch (err) {
      return refusal(err);
    }
    if (verified instanceof Promise) return verified.then((v) => this.admitVerified(stream, v, origin), refusal);
    return this.admitVerified(stream, verified, origin);
  }

  private admitVerified(stream: StreamIdentity, verified: VerifiedToken, origin: string | undefined): MaybePromise<Admission> {
    const { grant } = verified;
    const nowS = this.now() / 1000;
    const problem = grantProblem(grant, stream.channel.arn, nowS);
    if (problem) return refuse(problem);
    if (grant.origins && !originAllowed(grant.origins, origin)) {
      return refuse(
        origin === undefined
          ? 'the token restricts origins (aws:access-control-allow-origin) and the request has no Origin header'
          : 'the request Origin is not allowed by the token (aws:access-control-allow-origin)',
      );
    }
    if (grant.viewerId === undefined) return this.issue(stream, verified, origin, nowS);
    return then(this.revocations.revokedUpTo(stream.channel.arn, grant.viewerId), (revoked) =>
      revoked !== undefined && grant.sessionVersion <= revoked
        ? refuse('this viewer session has been revoked')
        : this.issue(stream, verified, origin, nowS),
    );
  }

  private issue(stream: StreamIdentity, verified: VerifiedToken, origin: string | undefined, nowS: number): Admission {
    const { grant } = verified;
    // Last, so a request refused for another reason does not use the token up.
    if (grant.singleUseUuid !== undefined && !this.singleUse.consume(stream.channel.arn, grant.singleUseUuid, grant.exp, nowS)) {
      return refuse('the token has already been used (aws:single-use-uuid)');
    }
    return {
      ok: true,
      credential: this.credentialFor(stream, verified, nowS),
      allowOrigin: reflected(grant.origins, origin),
      maxHeight: grant.maxHeight,
    };
  }

  /** Everything in a credential comes from the token and the stream, so one is reused for a token for a while. */
  private credentialFor(stream: StreamIdentity, verified: VerifiedToken, nowS: number): string {
    const last = verified.session;
    if (last && last.streamId === stream.streamId && nowS - last.mintedS < CREDENTIAL_REUSE_S) return last.credential;
    const { grant } = verified;
    const claims: SessionClaims = {
      p: verified.keyId,
      n: grant.sessionVersion,
      e: Math.floor(nowS) + SESSION_LIFETIME_S,
    };
    if (grant.viewerId !== undefined) claims.v = grant.viewerId;
    if (grant.maxHeight !== undefined) claims.h = grant.maxHeight;
    if (grant.origins) claims.o = [...grant.origins];
    if (grant.strictOrigin && grant.origins) claims.x = 1;
    const credential = this.credentials.mint(bindingOf(stream.playbackKey, stream.streamId), claims);
    verified.session = { streamId: stream.streamId, credential, mintedS: nowS };
    return credential;
  }

  /** `height`: the rendition's video height, when known. Synchronous unless a cache has to load. */
  checkMedia(
    credential: string | undefined,
    stream: StreamIdentity,
    origin: string | undefined,
    height: number | undefined,
  ): MaybePromise<Decision> {
    if (!credential) return refuse('this channel is private: open its playback URL with a token first');
    // Bound to the channel and stream: a credential moved to another one fails like a forged one.
    const claims = this.credentials.open(bindingOf(stream.playbackKey, stream.streamId), credential, this.now() / 1000);
    if (!claims) return refuse('the playback session credential is invalid, expired or not for this stream');
    if (claims.h !== undefined && height !== undefined && height > claims.h) {
      return refuse('this rendition is above the maximum resolution of the token (aws:maximum-resolution)');
    }
    const allowOrigin = reflected(claims.o, origin);
    if (claims.x === 1 && allowOrigin === null) {
      return refuse('the request Origin is missing or not allowed (aws:strict-origin-enforcement)');
    }
    const { account, region } = stream.channel;
    return then(this.deps.keys.keysFor(account, region), (keys): MaybePromise<Decision> => {
      if (!keys.has(claims.p)) return refuse('the playback key pair of this session has been deleted');
      if (claims.v === undefined) return { ok: true, allowOrigin };
      return then(this.revocations.revokedUpTo(stream.channel.arn, claims.v), (revoked) =>
        revoked !== undefined && claims.n <= revoked ? refuse('this viewer session has been revoked') : { ok: true, allowOrigin },
      );
    });
  }
}
