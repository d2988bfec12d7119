// Who may read /metrics (src/metrics/access.ts): without a token loopback only, with one every client must bring it.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpRequest } from '../../src/http-types.js';
import { metricsAccess } from '../../src/metrics/access.js';

const request = (remoteAddress: string, authorization?: string) =>
  ({ socket: { remoteAddress }, headers: authorization === undefined ? {} : { authorization } }) as unknown as HttpRequest;

describe('metrics access', () => {
  it('without a token: loopback clients (IPv4, IPv6, mapped) only', () => {
    const check = metricsAccess(undefined);
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])
      assert.deepEqual(check(request(address)), { ok: true });
    for (const address of ['10.0.0.5', '203.0.113.9', '::ffff:192.0.2.1', '2001:db8::1']) {
      const refused = check(request(address));
      assert.equal(refused.ok, false);
      assert.equal(!refused.ok && refused.status, 403);
    }
  });

  it('with a token: required from everyone, loopback included, compared exactly', () => {
    const token = 'a-token-of-some-length-123';
    const check = metricsAccess(token);
    assert.deepEqual(check(request('203.0.113.9', `Bearer ${token}`)), { ok: true });
    assert.deepEqual(check(request('127.0.0.1', `bearer ${token}`)), { ok: true });
    for (const header of [
      undefined,
      '',
      `Bearer ${token}x`,
      `Bearer ${token.slice(0, -1)}`,
      `Basic ${token}`,
      token,
      `Bearer  ${token}`,
    ]) {
      const refused = check(request('127.0.0.1', header));
      assert.equal(!refused.ok && refused.status, 401, String(header));
    }
  });
});
