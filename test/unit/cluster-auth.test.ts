// Node-to-node authentication with the cluster secret: a signed request verifies once; any change of
// method, path, query, body, secret or timestamp fails; replays and stale or future timestamps are
// refused; malformed headers are refused before any HMAC work; the replay memory is bounded.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CLUSTER_AUTH_HEADER,
  clusterSecretProblem,
  MAX_CLOCK_SKEW_MS,
  ReplayGuard,
  signClusterRequest,
  verifyClusterRequest,
  type ClusterRequest,
} from '../../src/cluster/auth.js';

const secret = 'a'.repeat(16) + 'cluster-secret-for-tests-0123456789';
const request: ClusterRequest = {
  method: 'POST',
  path: '/_openivs/internal/stop?channel=arn%3Aaws%3Aivs%3Ax',
  body: Buffer.from('{"a":1}'),
};
const t0 = Date.UTC(2026, 0, 1);

describe('cluster request signing', () => {
  it('accepts a signed request once and refuses its replay', () => {
    const guard = new ReplayGuard();
    const header = signClusterRequest(secret, request, t0);
    assert.match(header, /^v1 t=\d+,n=[0-9a-f]{32},s=[0-9a-f]{64}$/);
    assert.ok(!header.includes(secret));
    assert.deepEqual(verifyClusterRequest(secret, request, header, guard, t0 + 5), { ok: true });
    assert.deepEqual(verifyClusterRequest(secret, request, header, guard, t0 + 10), { ok: false, reason: 'replayed' });
    // A string body and a Buffer body with the same bytes sign alike; a missing body is the empty one.
    const same = { ...request, body: '{"a":1}' };
    assert.deepEqual(verifyClusterRequest(secret, same, signClusterRequest(secret, request, t0), guard, t0), { ok: true });
    const empty = { method: 'GET', path: '/x' };
    assert.deepEqual(verifyClusterRequest(secret, { ...empty, body: '' }, signClusterRequest(secret, empty, t0), guard, t0), {
      ok: true,
    });
    assert.equal(CLUSTER_AUTH_HEADER, 'x-openivs-cluster-auth');
  });

  it('refuses any change of method, path, query, body or secret', () => {
    const header = signClusterRequest(secret, request, t0);
    const changes: ClusterRequest[] = [
      { ...request, method: 'PUT' },
      { ...request, path: '/_openivs/internal/stop?channel=arn%3Aaws%3Aivs%3Ay' },
      { ...request, path: '/_openivs/internal/stop' },
      { ...request, body: Buffer.from('{"a":2}') },
      { ...request, body: undefined },
    ];
    for (const changed of changes) {
      assert.deepEqual(verifyClusterRequest(secret, changed, header, new ReplayGuard(), t0), {
        ok: false,
        reason: 'bad-signature',
      });
    }
    assert.deepEqual(verifyClusterRequest(`${secret}x`, request, header, new ReplayGuard(), t0), {
      ok: false,
      reason: 'bad-signature',
    });
    // The method is compared upper-cased on both sides.
    assert.deepEqual(verifyClusterRequest(secret, { ...request, method: 'post' }, header, new ReplayGuard(), t0), { ok: true });
  });

  it('bounds the clock skew to 60 s either way', () => {
    const header = signClusterRequest(secret, request, t0);
    const at = (now: number) => verifyClusterRequest(secret, request, header, new ReplayGuard(), now);
    assert.deepEqual(at(t0 + MAX_CLOCK_SKEW_MS), { ok: true });
    assert.deepEqual(at(t0 - MAX_CLOCK_SKEW_MS), { ok: true });
    assert.deepEqual(at(t0 + MAX_CLOCK_SKEW_MS + 1), { ok: false, reason: 'expired' });
    assert.deepEqual(at(t0 - MAX_CLOCK_SKEW_MS - 1), { ok: false, reason: 'expired' });
    // Changing the timestamp to get around it breaks the signature.
    const moved = header.replace(`t=${t0}`, `t=${t0 + 120_000}`);
    assert.deepEqual(verifyClusterRequest(secret, request, moved, new ReplayGuard(), t0 + 120_000), {
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('refuses missing and malformed headers without remembering anything', () => {
    const guard = new ReplayGuard();
    const good = signClusterRequest(secret, request, t0);
    assert.deepEqual(verifyClusterRequest(secret, request, undefined, guard, t0), { ok: false, reason: 'missing' });
    for (const bad of [
      '',
      'v1',
      good.replace('v1 ', 'v2 '),
      good.replace(/s=[0-9a-f]+/, 's=zz'),
      good.slice(0, -1),
      `${good} `,
      good.replace(/n=[0-9a-f]+/, 'n=abc'),
      `${good},x=1`,
      'v1 t=1,n=' + '0'.repeat(32) + ',s=' + '0'.repeat(64) + 'x'.repeat(500),
    ]) {
      assert.deepEqual(verifyClusterRequest(secret, request, bad, guard, t0), { ok: false, reason: 'malformed' }, bad);
    }
    assert.deepEqual(verifyClusterRequest(secret, request, [good, good], guard, t0), { ok: false, reason: 'malformed' });
    // A well-formed forgery is refused by the HMAC and leaves no nonce behind.
    const forged = `v1 t=${t0},n=${'1'.repeat(32)},s=${'2'.repeat(64)}`;
    assert.deepEqual(verifyClusterRequest(secret, request, forged, guard, t0), { ok: false, reason: 'bad-signature' });
    assert.equal(guard.size, 0);
  });

  it('keeps nonces only while their timestamps could pass, and refuses when full', () => {
    const guard = new ReplayGuard(3);
    const headers = [0, 1, 2, 3].map(() => signClusterRequest(secret, request, t0));
    for (const h of headers.slice(0, 3)) assert.deepEqual(verifyClusterRequest(secret, request, h, guard, t0), { ok: true });
    assert.deepEqual(verifyClusterRequest(secret, request, headers[3], guard, t0), { ok: false, reason: 'busy' });
    assert.equal(guard.size, 3);
    // Once the window has passed, old nonces are forgotten (their requests would be expired anyway).
    const later = t0 + 2 * MAX_CLOCK_SKEW_MS + 10;
    const fresh = signClusterRequest(secret, request, later);
    assert.deepEqual(verifyClusterRequest(secret, request, fresh, guard, later), { ok: true });
    assert.equal(guard.size, 1);
    assert.deepEqual(verifyClusterRequest(secret, request, headers[0], guard, later), { ok: false, reason: 'expired' });
  });

  it('wants a long secret and never echoes it', () => {
    assert.match(clusterSecretProblem('short-secret') ?? '', /at least 32 characters/);
    assert.ok(!(clusterSecretProblem('short-secret') ?? '').includes('short-secret'));
    assert.equal(clusterSecretProblem(secret), undefined);
  });
});
