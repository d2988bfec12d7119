// HMAC-SHA256 for a key used on every API call (SigV4's signing key), as RFC 2104 defines it:
// SHA256((K ^ opad) || SHA256((K ^ ipad) || message)), with both padded key blocks computed once per
// key and each digest a one-shot crypto.hash (OpenSSL underneath). Why not createHmac: it builds a
// stream-like JS object and a native object with a weak handle per call; profiled in the server
// under load, createHmac + update + digest was ~7 µs of a ~75 µs signed API call, this ~3.5 µs.
// test/fuzz/hmac-sha256.test.ts compares it with createHmac for random keys and messages.

import * as crypto from 'node:crypto';

const BLOCK = 64; // SHA-256's block size in bytes
const DIGEST = 32;

/** The one-shot hash (node 20.12+); undefined before it, when createHmac does the work. */
const oneShot = (crypto as { hash?: typeof crypto.hash }).hash;

/**
 * One call's buffers, shared by every key: (K ^ ipad) || message, and (K ^ opad) || inner digest. Safe because
 * hex() is synchronous and nothing else writes them; a message longer than the scratch gets its own buffer.
 */
const inner = Buffer.allocUnsafe(BLOCK + 1024);
const outer = Buffer.allocUnsafe(BLOCK + DIGEST);

export class HmacSha256Key {
  private readonly ipad = Buffer.alloc(BLOCK, 0x36);
  private readonly opad = Buffer.alloc(BLOCK, 0x5c);
  private readonly key: Buffer;

  constructor(key: Buffer) {
    // A key longer than a block is hashed first (RFC 2104 section 2); shorter keys are zero-padded.
    this.key = key.length > BLOCK ? crypto.createHash('sha256').update(key).digest() : Buffer.from(key);
    for (let i = 0; i < this.key.length; i++) {
      this.ipad[i]! ^= this.key[i]!;
      this.opad[i]! ^= this.key[i]!;
    }
  }

  /** HMAC-SHA256 of the UTF-8 `message`, in lower-case hex. */
  hex(message: string): string {
    if (oneShot === undefined) return crypto.createHmac('sha256', this.key).update(message, 'utf8').digest('hex');
    const length = Buffer.byteLength(message, 'utf8');
    const first = length <= inner.length - BLOCK ? inner : Buffer.allocUnsafe(BLOCK + length);
    this.ipad.copy(first, 0);
    first.write(message, BLOCK, 'utf8');
    const innerDigest = oneShot('sha256', first.subarray(0, BLOCK + length), 'buffer');
    this.opad.copy(outer, 0);
    innerDigest.copy(outer, BLOCK);
    return oneShot('sha256', outer, 'hex');
  }
}
