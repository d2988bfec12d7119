// The HMAC-SHA256 SigV4 verification signs with (two one-shot SHA-256 digests over the padded key) against node's
// createHmac, for keys shorter than, equal to and longer than SHA-256's 64-byte block, and UTF-8 messages.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { HmacSha256Key } from '../../src/api/auth/hmac-sha256.js';

test('HmacSha256Key is createHmac for any key length and message', () => {
  const messages = ['', 'AWS4-HMAC-SHA256\n20261126T103100Z\n20261126/us-west-2/ivs/aws4_request\nab', 'é€𝄞', 'x'.repeat(1000)];
  for (const length of [0, 1, 31, 32, 63, 64, 65, 100, 200]) {
    for (let round = 0; round < 5; round++) {
      const key = randomBytes(length);
      const hmac = new HmacSha256Key(key);
      for (const message of [...messages, randomBytes(40).toString('latin1')]) {
        assert.equal(hmac.hex(message), createHmac('sha256', key).update(message, 'utf8').digest('hex'), `key ${length} bytes`);
      }
    }
  }
});
