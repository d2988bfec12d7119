// Verifies AWS Signature Version 4 on API requests (Authorization header or presigned URL) and
// names the caller: access key → account, credential scope → region. The expected signature is
// computed by @smithy/signature-v4 from the request as received, then compared in constant time.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4, createScope, getCanonicalHeaders } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import type { AwsCredentialIdentity } from '@smithy/types';
import { ServiceError } from '../../domain/errors.js';
import type { CredentialConfig } from '../../config/types.js';
import type { CredentialStore } from './credentials.js';
import { formatAmzDate } from './amz-date.js';
import { NodeSha256 } from './node-sha256.js';
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

// SignatureV4 does the signature-specific work: canonical headers, canonical request (path and
// query escaping), credential scope, and the signing-key derivation chain. Two things differ from
// calling sign(request): the headers stay exactly as signed (sign() would replace `date` with
// x-amz-date), and the per-request steps run synchronously. Measured under load, SignatureV4's
// promise-based hashing (string to sign, final HMAC, credential lookups) made verification the
// largest cost of an API call (~80 µs of ~150 µs); here the derived key is kept per (day, region,
// service) and the two per-request digests — SHA-256 of the canonical request and the HMAC of the
// string to sign with that key — are single node:crypto calls.
interface KeyDeriver {
  /** A function property, taken off the prototype and called with a signer as `this`. */
  getSigningKey: (
    this: SignatureV4,
    credentials: AwsCredentialIdentity,
    region: string,
    shortDate: string,
    service?: string,
  ) => Promise<Uint8Array>;
}

const MAX_CACHED_KEYS = 256; // days × regions in use are few; bound it anyway

class ExpectedSigner extends SignatureV4 {
  private readonly keys = new Map<string, Uint8Array>();
  private readonly identity: AwsCredentialIdentity;

  constructor(init: ConstructorParameters<typeof SignatureV4>[0] & { credentials: AwsCredentialIdentity }) {
    super(init);
    this.identity = init.credentials;
  }

  async signatureFor(request: HttpRequest, claim: Claim, payloadHash: string): Promise<string> {
    const canonicalHeaders = getCanonicalHeaders(request, undefined, new Set(claim.signedHeaders));
    const canonicalRequest = this.createCanonicalRequest(request, canonicalHeaders, payloadHash);
    const scope = createScope(claim.scopeDate, claim.region, claim.service);
    const hashedRequest = createHash('sha256').update(canonicalRequest).digest('hex');
    const stringToSign = `${ALGORITHM}\n${claim.longDate}\n${scope}\n${hashedRequest}`;
    const key = this.keys.get(scope) ?? (await this.deriveKey(scope, claim));
    return createHmac('sha256', key).update(stringToSign).digest('hex');
  }

  private async deriveKey(scope: string, claim: Claim): Promise<Uint8Array> {
    const derive = (SignatureV4.prototype as unknown as KeyDeriver).getSigningKey; // private in its typings
    const key = await derive.call(this, this.identity, claim.region, claim.scopeDate, claim.service);
    if (this.keys.size >= MAX_CACHED_KEYS) this.keys.clear();
    this.keys.set(scope, key);
    return key;
  }
}

export class SigV4Verifier {
  private readonly signers = new Map<string, ExpectedSigner>();
  private readonly now: () => number;

  constructor(
    private readonly credentials: CredentialStore,
    private readonly opts: SigV4VerifierOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  async verify(req: SignedRequest): Promise<Caller> {
    const query = parseQuery(req.rawQuery);
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
    const request = new HttpRequest({
      method: req.method,
      path: req.rawPath,
      query,
      headers: signedHeadersOf(req.headers, claim),
    });
    const expected = await this.signerFor(credential).signatureFor(request, claim, payloadHash);
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
    const minutes = `${Math.round(skew / 60_000)} min.`;
    if (claim.dateMs - now > skew) {
      throw invalid(
        `Signature not yet current: ${claim.longDate} is still later than ${formatAmzDate(now + skew)} ` +
          `(${formatAmzDate(now)} + ${minutes})`,
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
          `(${formatAmzDate(now)} - ${minutes})`,
      );
    }
  }

  // One signer per access key: SignatureV4 binds credentials at construction, and reusing it
  // lets @smithy/signature-v4 reuse its derived signing keys (cached per key, date, region).
  private signerFor(credential: CredentialConfig): ExpectedSigner {
    let signer = this.signers.get(credential.accessKeyId);
    if (signer === undefined) {
      signer = new ExpectedSigner({
        service: this.opts.service,
        region: 'us-east-1', // unused: every call passes the scope's region
        credentials: { accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey },
        sha256: NodeSha256,
        applyChecksum: false,
      });
      this.signers.set(credential.accessKeyId, signer);
    }
    return signer;
  }
}

/** Only the headers the client listed as signed: anything else a proxy adds must not matter. */
function signedHeadersOf(headers: Headers, claim: Claim): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const name of claim.signedHeaders) {
    const value = headerValue(headers, name);
    // The canonical request's SignedHeaders line is rebuilt from the headers present, so a listed
    // but absent header must fail here or the claim would be silently narrowed.
    if (value === undefined) throw invalid(MISMATCH);
    out[name] = value;
  }
  return out;
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
  const actual = req.body.length === 0 ? EMPTY_SHA256 : createHash('sha256').update(req.body).digest('hex');
  if (declared !== undefined && declared !== actual) {
    throw invalid("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  return actual;
}

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
