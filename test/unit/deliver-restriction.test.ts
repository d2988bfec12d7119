// Unit tests for playback restriction policies at playback: the stored document normalized into the stream's
// snapshot, the per-request decision (countries only when the viewer-country header is configured, origins on the
// multivariant request, strict enforcement behind it) and how a private channel's token and the policy combine.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRestriction, combineAllowOrigin } from '../../src/media/deliver/auth/restriction.js';
import { restrictionFromDoc } from '../../src/media/registry/playback-restriction.js';

const APP = 'https://app.example.com';

describe('playback restriction policies', () => {
  it('normalizes the stored document: empty lists restrict nothing, origins lower case, countries upper case', () => {
    const none = restrictionFromDoc({ arn: 'arn:x', allowedOrigins: [], allowedCountries: [] });
    assert.equal(none.origins, undefined);
    assert.equal(none.countries, undefined);
    assert.equal(none.strictOrigin, false);
    const some = restrictionFromDoc({
      allowedOrigins: ['HTTPS://App.Example.com'],
      allowedCountries: ['us'],
      enableStrictOriginEnforcement: true,
    });
    assert.deepEqual(some.origins, [APP]);
    assert.deepEqual([...some.countries!], ['US']);
    assert.equal(some.strictOrigin, true);
  });

  it('checks countries only when the viewer-country header is configured', () => {
    const policy = restrictionFromDoc({ allowedCountries: ['US'] });
    assert.deepEqual(checkRestriction(policy, undefined, false, undefined, true), { ok: true, allowOrigin: undefined });
    assert.equal(checkRestriction(policy, undefined, true, 'us', true).ok, true);
    assert.equal(checkRestriction(policy, undefined, true, 'FR', true).ok, false);
    assert.equal(checkRestriction(policy, undefined, true, undefined, false).ok, false);
  });

  it('origins: reflected when allowed, refused on the multivariant, no CORS grant behind it unless strict', () => {
    const policy = restrictionFromDoc({ allowedOrigins: [APP, 'https://*.example.org'] });
    assert.deepEqual(checkRestriction(policy, 'https://App.example.com', false, undefined, true), {
      ok: true,
      allowOrigin: 'https://App.example.com',
    });
    assert.equal(checkRestriction(policy, 'https://a.b.example.org', false, undefined, false).ok, true);
    assert.equal(checkRestriction(policy, 'https://evil.test', false, undefined, true).ok, false);
    assert.deepEqual(checkRestriction(policy, 'https://evil.test', false, undefined, false), { ok: true, allowOrigin: null });
    assert.deepEqual(checkRestriction(policy, undefined, false, undefined, true), { ok: true, allowOrigin: null });
    const strict = restrictionFromDoc({ allowedOrigins: [APP], enableStrictOriginEnforcement: true });
    assert.equal(checkRestriction(strict, undefined, false, undefined, false).ok, false);
    assert.equal(checkRestriction(strict, 'https://evil.test', false, undefined, false).ok, false);
    assert.deepEqual(checkRestriction(strict, APP, false, undefined, false), { ok: true, allowOrigin: APP });
    // `*`: any origin, reflected; strict without a list still wants an Origin header.
    const any = restrictionFromDoc({ allowedOrigins: ['*'] });
    assert.deepEqual(checkRestriction(any, 'https://x.test', false, undefined, true), {
      ok: true,
      allowOrigin: 'https://x.test',
    });
    const strictAny = restrictionFromDoc({ enableStrictOriginEnforcement: true });
    assert.equal(checkRestriction(strictAny, undefined, false, undefined, true).ok, false);
    assert.deepEqual(checkRestriction(strictAny, 'https://x.test', false, undefined, true), {
      ok: true,
      allowOrigin: 'https://x.test',
    });
  });

  it('combines with a private channel token: a refused CORS grant wins, a specific origin beats *', () => {
    assert.equal(combineAllowOrigin(undefined, '*'), '*');
    assert.equal(combineAllowOrigin(APP, '*'), APP);
    assert.equal(combineAllowOrigin(APP, APP), APP);
    assert.equal(combineAllowOrigin(null, '*'), null);
    assert.equal(combineAllowOrigin(APP, null), null);
  });
});
