// HmacSha256Key (src/api/auth/hmac-sha256.ts, RFC 2104 over one-shot SHA-256s) against node's createHmac, the
// reference: random keys (empty, shorter than, exactly and longer than SHA-256's 64-byte block) and messages (empty,
// ASCII, any Unicode including lone surrogates, longer than the shared scratch buffer), the same key used for several
// messages in a row and keys interleaved, so one call's buffers cannot leak into the next. Plus RFC 4231's published
// HMAC-SHA256 vectors. Budget: fuzzRuns (FUZZ_SCALE); FUZZ_SEED replays.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { HmacSha256Key } from '../../src/api/auth/hmac-sha256.js';
import { fuzzRuns, fuzzSeed } from '../helpers/fuzz-budget.js';

const reference = (key: Buffer, message: string) => createHmac('sha256', key).update(message, 'utf8').digest('hex');

const keyArb = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 80 }),
  fc.uint8Array({ minLength: 64, maxLength: 64 }),
  fc.uint8Array({ minLength: 65, maxLength: 200 }),
);
const messageArb = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ minLength: 1020, maxLength: 3000 }),
  fc.constant(''),
);

describe('HMAC-SHA256 from one-shot hashes', () => {
  it("matches node's createHmac for random keys and messages, keys interleaved", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(keyArb, fc.array(messageArb, { minLength: 1, maxLength: 4 })), { minLength: 1, maxLength: 3 }),
        (cases) => {
          const keys = cases.map(([key]) => new HmacSha256Key(Buffer.from(key)));
          // Round-robin over the keys so consecutive calls use different keys and messages of different lengths.
          for (let round = 0; round < 4; round++) {
            cases.forEach(([key, messages], i) => {
              const message = messages[round % messages.length]!;
              assert.equal(keys[i]!.hex(message), reference(Buffer.from(key), message));
            });
          }
        },
      ),
      { numRuns: fuzzRuns(300), seed: fuzzSeed() },
    );
  });

  it('gives the RFC 4231 test vectors', () => {
    const vectors: [Buffer, string, string][] = [
      [Buffer.alloc(20, 0x0b), 'Hi There', 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
      [Buffer.from('Jefe'), 'what do ya want for nothing?', '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
      [
        Buffer.alloc(131, 0xaa),
        'Test Using Larger Than Block-Size Key - Hash Key First',
        '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
      ],
    ];
    for (const [key, message, expected] of vectors) assert.equal(new HmacSha256Key(key).hex(message), expected);
  });

  it('does not keep the key it was given by reference', () => {
    const key = Buffer.from('a key that the caller later overwrites');
    const hmac = new HmacSha256Key(key);
    const before = hmac.hex('message');
    key.fill(0);
    assert.equal(hmac.hex('message'), before);
  });
});
