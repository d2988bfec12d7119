// Authentication of node-to-node HTTP requests with the cluster secret (OPENIVS_CLUSTER_SECRET), never
// with a user's credentials. The sender adds one header:
//
//   x-openivs-cluster-auth: v1 t=<unix ms>,n=<nonce>,s=<hex HMAC-SHA256>
//
// over "OPENIVS-CLUSTER-V1\n<t>\n<nonce>\n<METHOD>\n<path with query>\n<hex sha256 of the body>". The
// receiver accepts it when the timestamp is within ±60 s of its clock, the HMAC matches (constant-time
// compare) and the nonce was not seen in that window (ReplayGuard), so a captured request cannot be
// replayed, nor changed in method, path or body. Checks run cheapest first, and nonces are remembered
// only for authentic requests, so unauthenticated junk cannot fill the replay memory.
// A streaming request (the transcode relay) cannot hash a body that is still being produced: it signs the
// literal UNSIGNED-STREAMING-BODY in its place, which no hash of a real body equals, so such a signature is good
// for that streaming request only; what it carries is then bound by its path (a single-use reservation).

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const CLUSTER_AUTH_HEADER = 'x-openivs-cluster-auth';
export const MAX_CLOCK_SKEW_MS = 60_000;
/** The secret's minimum length: enough entropy that guessing it offline is hopeless. */
export const MIN_SECRET_LENGTH = 32;
const SCHEME = 'v1';
const HEADER_MAX = 200;
const HEADER = /^v1 t=(\d{1,16}),n=([0-9a-f]{32}),s=([0-9a-f]{64})$/;

export interface ClusterRequest {
  method: string;
  /** Path and query exactly as sent (e.g. `/_openivs/relay?channel=x`). */
  path: string;
  body?: Buffer | string;
  /** A streaming body, not covered by the MAC (see above). */
  unsignedBody?: boolean;
}

const UNSIGNED_BODY = 'UNSIGNED-STREAMING-BODY';

/** Checks a configured secret; returns a problem (never echoing the secret) or undefined. */
export function clusterSecretProblem(secret: string): string | undefined {
  if (secret.length < MIN_SECRET_LENGTH) return `must be at least ${MIN_SECRET_LENGTH} characters (e.g. openssl rand -hex 32)`;
  return undefined;
}

function stringToSign(request: ClusterRequest, timestamp: string, nonce: string): string {
  const bodyHash = request.unsignedBody
    ? UNSIGNED_BODY
    : createHash('sha256')
        .update(request.body ?? '')
        .digest('hex');
  return ['OPENIVS-CLUSTER-V1', timestamp, nonce, request.method.toUpperCase(), request.path, bodyHash].join('\n');
}

function mac(secret: string, text: string): Buffer {
  return createHmac('sha256', secret).update(text).digest();
}

/** The header value authenticating this request. */
export function signClusterRequest(secret: string, request: ClusterRequest, nowMs = Date.now()): string {
  const timestamp = String(Math.trunc(nowMs));
  const nonce = randomBytes(16).toString('hex');
  const signature = mac(secret, stringToSign(request, timestamp, nonce)).toString('hex');
  return `${SCHEME} t=${timestamp},n=${nonce},s=${signature}`;
}

export type VerifyResult =
  { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'bad-signature' | 'replayed' | 'busy' };

/**
 * Remembers the nonces of accepted requests for as long as their timestamps could still pass the
 * skew check, bounded in entries; when full (an authenticated peer sending more than maxEntries
 * requests in two minutes) it refuses rather than forget a nonce that could then be replayed.
 */
export class ReplayGuard {
  readonly #seen = new Map<string, number>();

  constructor(private readonly maxEntries = 200_000) {}

  /** True when the nonce is new (and is now remembered until expiresAtMs). */
  accept(nonce: string, nowMs: number, expiresAtMs: number): boolean | 'busy' {
    this.#sweep(nowMs);
    if (this.#seen.has(nonce)) return false;
    if (this.#seen.size >= this.maxEntries) return 'busy';
    this.#seen.set(nonce, expiresAtMs);
    return true;
  }

  get size(): number {
    return this.#seen.size;
  }

  #sweep(nowMs: number): void {
    // Roughly insertion-ordered by expiry; stop at the first live entry.
    for (const [nonce, expiresAt] of this.#seen) {
      if (expiresAt > nowMs) break;
      this.#seen.delete(nonce);
    }
  }
}

export function verifyClusterRequest(
  secret: string,
  request: ClusterRequest,
  header: string | string[] | undefined,
  replay: ReplayGuard,
  nowMs = Date.now(),
): VerifyResult {
  if (header === undefined) return { ok: false, reason: 'missing' };
  if (typeof header !== 'string' || header.length > HEADER_MAX) return { ok: false, reason: 'malformed' };
  const match = HEADER.exec(header);
  if (match === null) return { ok: false, reason: 'malformed' };
  const [, timestamp, nonce, signature] = match as unknown as [string, string, string, string];
  const sentAt = Number(timestamp);
  if (Math.abs(nowMs - sentAt) > MAX_CLOCK_SKEW_MS) return { ok: false, reason: 'expired' };
  const expected = mac(secret, stringToSign(request, timestamp, nonce));
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return { ok: false, reason: 'bad-signature' };
  // Remembered until the timestamp leaves the window on this node's clock.
  const accepted = replay.accept(nonce, nowMs, Math.max(nowMs, sentAt + MAX_CLOCK_SKEW_MS) + 1);
  if (accepted === 'busy') return { ok: false, reason: 'busy' };
  return accepted ? { ok: true } : { ok: false, reason: 'replayed' };
}
