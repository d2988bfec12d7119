// Verifies AWS Signature Version 4 on API requests (Authorization header or presigned URL) and
// names the caller: access key → account, credential scope → region. The expected signature is
// computed from the request as received (canonical.ts builds the canonical request the way
// @smithy/signature-v4 does; the tests keep that library as the reference), then compared in
// constant time.

import * as crypto from 'node:crypto';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ServiceError } from '../../domain/errors.js';
import type { CredentialConfig } from '../../config/types.js';
import type { CredentialStore } from './credentials.js';
import { formatAmzDate } from './amz-date.js';
import { canonicalRequest } from './canonical.js';
import { HmacSha256Key } from './hmac-sha256.js';
import { ALGORITHM, claimFromHeader, claimFromQuery, hasPresignParams, headerValue, type Claim, type Headers } from './parse.js';
import { parseQuery, queryValue, type Query } from './query.js';

export interface SigV4VerifierOptions {
  service: 'ivs';
  clockSkewMs: number;
  now?: () => number;
}

export interface SignedRequest {
  method: string;
  /** Path exactly as received, still percent-encoded (e.g. /tags/arn%3Aaws%3Aivs%3A...). */
  rawPath: string;
  /** Query string as received, without the `?`. */
  rawQuery: string;
  /** Lower-case names, as node:http gives them. */
  headers: Headers;
  body: Buffer;
}

export interface Caller {
  accessKeyId: string;
  account: string;
  region: string;
}

const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const REGION = /^[a-z0-9-]{1,64}$/;
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const invalid = (message: string) => new ServiceError('InvalidSignatureException', message);
/** API calls have no query string; this stands for theirs (read only: nothing writes a parsed query). */
const EMPTY_QUERY: Query = Object.freeze(Object.create(null) as Query);

// Per request, verification is two digests (SHA-256 of the canonical request, the HMAC of the
// string to sign: two one-shot SHA-256s, hmac-sha256.ts) plus the body's SHA-256. The signing key
// (four chained HMACs from the secret) depends only on the key, day, region and service, so it is
// derived once and kept. Measured under load before this: @smithy/signature-v4's promise-based hashing made
// verification ~80 µs of a ~150 µs API call; its canonicalisation, once the hashing was ours, was
// still the larger half of what remained.
const MAX_CACHED_KEYS = 256; // access keys × days × regions in use are few; bound it anyway

/** SHA-256 in hex: the one-shot crypto.hash where node has it (20.12+), else a Hash object. */
const sha256Hex: (data: string | Buffer) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'hex')
    : (data) => crypto.createHash('sha256').update(data).digest('hex');

export class SigV4Verifier {
  /** Signing keys by access key and credential scope. */
  private readonly keys = new Map<string, HmacSha256Key>();
  /** The last key used and what it was for: consecutive calls nearly always share key and scope. */
  private last: { credential: CredentialConfig; scope: string; key: HmacSha256Key } | undefined;
  private readonly now: () => number;

  constructor(
    private readonly credentials: CredentialStore,
    private readonly opts: SigV4VerifierOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  async verify(req: SignedRequest): Promise<Caller> {
    return this.authenticate(req);
  }

  /** verify() without the promise: the API pipeline calls it on every request, and nothing in it waits. */
  authenticate(req: SignedRequest): Caller {
    const query = req.rawQuery === '' ? EMPTY_QUERY : parseQuery(req.rawQuery);
    const authorization = headerValue(req.headers, 'authorization');
    const presigned = hasPresignParams(query);
    if (authorization === undefined && !presigned) {
      throw new ServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    }
    if (authorization !== undefined && presigned) {
      throw new ServiceError(
        'IncompleteSignatureException',
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.',
      );
    }
    const claim = presigned ? claimFromQuery(query) : claimFromHeader(authorization!, req.headers);
    this.checkScope(claim);
    const credential = this.credentials.find(claim.accessKeyId);
    if (credential === undefined) {
      throw new ServiceError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    this.checkTime(claim);
    const payloadHash = payloadHashOf(req, claim.presigned ? query : undefined);
    const canonical = canonicalRequest({
      method: req.method,
      rawPath: req.rawPath,
      query,
      headers: req.headers,
      signedHeaders: claim.signedHeaders,
      payloadHash,
    });
    // A listed but absent header: the SignedHeaders line would otherwise be rebuilt from the headers present, silently
    // narrowing the claim.
    if (canonical === undefined) throw invalid(MISMATCH);
    const scope = `${claim.scopeDate}/${claim.region}/${claim.service}/aws4_request`;
    const stringToSign = `${ALGORITHM}\n${claim.longDate}\n${scope}\n${sha256Hex(canonical)}`;
    const expected = this.signingKey(credential, claim, scope).hex(stringToSign);
    if (!constantTimeEqual(expected, claim.signature)) throw invalid(MISMATCH);
    return { accessKeyId: credential.accessKeyId, account: credential.accountId, region: claim.region };
  }

  private checkScope(claim: Claim): void {
    if (claim.terminator !== 'aws4_request') {
      throw invalid(
        `Credential should be scoped with a valid terminator: 'aws4_request', not '${claim.terminator.slice(0, 40)}'.`,
      );
    }
    if (claim.service !== this.opts.service) {
      throw invalid(`Credential should be scoped to correct service: '${this.opts.service}'. `);
    }
    if (!REGION.test(claim.region)) throw invalid('Credential should be scoped to a valid region. ');
    if (claim.scopeDate !== claim.longDate.slice(0, 8)) {
      throw invalid(
        'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: ' +
          `'${claim.scopeDate.slice(0, 16)}' != '${claim.longDate.slice(0, 8)}', from '${claim.longDate}'.`,
      );
    }
  }

  private checkTime(claim: Claim): void {
    const now = this.now();
    const skew = this.opts.clockSkewMs;
    if (claim.dateMs - now > skew) {
      throw invalid(
        `Signature not yet current: ${claim.longDate} is still later than ${formatAmzDate(now + skew)} ` +
          `(${formatAmzDate(now)} + ${minutesText(skew)})`,
      );
    }
    if (claim.expiresS !== undefined) {
      // A presigned URL is valid from X-Amz-Date until X-Amz-Date + X-Amz-Expires.
      const until = claim.dateMs + claim.expiresS * 1000;
      if (now > until) {
        throw invalid(
          `Signature expired: ${formatAmzDate(until)} is now earlier than ${formatAmzDate(now)} ` +
            `(${claim.longDate} + ${claim.expiresS} s).`,
        );
      }
    } else if (now - claim.dateMs > skew) {
      throw invalid(
        `Signature expired: ${claim.longDate} is now earlier than ${formatAmzDate(now - skew)} ` +
          `(${formatAmzDate(now)} - ${minutesText(skew)})`,
      );
    }
  }

  /** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"), kept per key and scope. */
  private signingKey(credential: CredentialConfig, claim: Claim, scope: string): HmacSha256Key {
    const last = this.last;
    if (last !== undefined && last.credential === credential && last.scope === scope) return last.key;
    const id = `${credential.accessKeyId}\n${scope}`;
    let key = this.keys.get(id);
    if (key === undefined) {
      let k: Buffer = Buffer.from(`AWS4${credential.secretAccessKey}`, 'utf8');
      for (const part of [claim.scopeDate, claim.region, claim.service, 'aws4_request']) {
        k = createHmac('sha256', k).update(part, 'utf8').digest();
      }
      key = new HmacSha256Key(k);
      if (this.keys.size >= MAX_CACHED_KEYS) this.keys.clear();
      this.keys.set(id, key);
    }
    this.last = { credential, scope, key };
    return key;
  }
}

/**
 * The payload hash of the canonical request. A declared x-amz-content-sha256 must be the body's
 * (or UNSIGNED-PAYLOAD, which opts out of body integrity as the client chose); otherwise the
 * body is hashed here, so a tampered body fails the signature.
 */
function payloadHashOf(req: SignedRequest, presignQuery: Query | undefined): string {
  const declared =
    headerValue(req.headers, 'x-amz-content-sha256') ??
    (presignQuery ? queryValue(presignQuery, 'X-Amz-Content-Sha256') : undefined);
  if (declared === UNSIGNED_PAYLOAD) return declared;
  const actual = req.body.length === 0 ? EMPTY_SHA256 : sha256Hex(req.body);
  if (declared !== undefined && declared !== actual) {
    throw invalid("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  return actual;
}

/** The allowed skew as the real service words it ("15 min."): only built when a message needs it. */
const minutesText = (skewMs: number) => `${Math.round(skewMs / 60_000)} min.`;

/** Compares without an early exit; unequal lengths still cost one full compare. */
function constantTimeEqual(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(provided, 'utf8');
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}
