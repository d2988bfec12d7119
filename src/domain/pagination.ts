// Opaque, tamper-evident pagination tokens. A token carries the position (the last row's insertion
// sequence) and is bound to the operation, the caller's (account, region) and the filter it was
// issued for, then MACed with a server secret kept in the store. A forged, altered or foreign token
// is a ValidationException, never a silent restart from the top.

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Scope } from './context.js';
import { validation } from './errors.js';

const MAC_BYTES = 16;
const MAC_CHARS = 22; // base64url length of 16 bytes

export interface PageRequest {
  operation: string;
  scope: Scope;
  /** Anything that must be the same on every page (filters), serialized stably. */
  filter: string;
}

export class PaginationCodec {
  constructor(private readonly secret: Buffer) {}

  encode(req: PageRequest, afterSeq: number): string {
    const payload = Buffer.from(JSON.stringify({ a: afterSeq }), 'utf8').toString('base64url');
    return payload + this.mac(req, payload).toString('base64url');
  }

  /** Returns the position after which the next page starts (0 when no token). */
  decode(req: PageRequest, token: string | undefined): number {
    if (token === undefined || token === '') return 0;
    const invalid = validation('The nextToken is invalid or expired.');
    if (token.length <= MAC_CHARS) throw invalid;
    const payload = token.slice(0, -MAC_CHARS);
    const given = Buffer.from(token.slice(-MAC_CHARS), 'base64url');
    const expected = this.mac(req, payload);
    if (given.length !== MAC_BYTES || !timingSafeEqual(given, expected)) throw invalid;
    try {
      const { a } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { a: unknown };
      if (typeof a === 'number' && Number.isSafeInteger(a) && a >= 0) return a;
    } catch {
      // fall through: a token we MACed always parses, so this is unreachable without the secret
    }
    throw invalid;
  }

  private mac(req: PageRequest, payload: string): Buffer {
    return createHmac('sha256', this.secret)
      .update(`${req.operation}\n${req.scope.account}\n${req.scope.region}\n${req.filter}\n${payload}`)
      .digest()
      .subarray(0, MAC_BYTES);
  }
}
