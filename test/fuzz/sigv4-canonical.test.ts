// The verifier's own SigV4 canonicalisation (src/api/auth/canonical.ts) against @smithy/signature-v4, the library the
// AWS SDKs sign with, kept here as the reference. (1) For random requests as received — odd paths (dot and empty
// segments, percent escapes, malformed ones, non-ASCII, `!'()*`), raw query strings (repeated names, empty values,
// names without `=`, X-Amz-Signature in any case, characters escaped or not), header values with runs of spaces and
// tabs, line breaks and repeats, SignedHeaders unsorted and repeated — the canonical request is the library's,
// character for character. (2) Requests signed by the library itself (Authorization header or presigned URL) and put
// on the wire as a client would, with the query re-escaped in random ways, verify; the same request with a signed
// part changed does not. Budget: fuzzRuns (FUZZ_SCALE); FUZZ_SEED replays.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4, getCanonicalHeaders } from '@smithy/signature-v4';
import { canonicalRequest } from '../../src/api/auth/canonical.js';
import { headerValue, type Headers } from '../../src/api/auth/parse.js';
import { CredentialStore, SigV4Verifier, parseQuery, type SignedRequest } from '../../src/api/auth/index.js';
import { ServiceError } from '../../src/domain/errors.js';
import { fuzzRuns, fuzzSeed } from '../helpers/fuzz-budget.js';

const AKID = 'AKIDEXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const T0 = Date.UTC(2026, 10, 26, 10, 31, 0);
const store = new CredentialStore([{ accessKeyId: AKID, secretAccessKey: SECRET, accountId: '123456789012' }]);
const verifier = new SigV4Verifier(store, { service: 'ivs', clockSkewMs: 300_000, now: () => T0 });

/** The canonical request exactly as the verifier built it before canonical.ts: an HttpRequest of the signed headers. */
class Reference extends SignatureV4 {
  canonical(method: string, rawPath: string, rawQuery: string, headers: Headers, signed: string[], payloadHash: string) {
    const only: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const name of signed) only[name] = headerValue(headers, name)!;
    const request = new HttpRequest({ method, path: rawPath, query: parseQuery(rawQuery), headers: only });
    return this.createCanonicalRequest(request, getCanonicalHeaders(request, undefined, new Set(signed)), payloadHash);
  }
}
const reference = new Reference({
  service: 'ivs',
  region: 'us-west-2',
  sha256: Sha256,
  credentials: { accessKeyId: AKID, secretAccessKey: SECRET },
});

const escapeUri = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

// Characters that exercise escaping: unreserved, reserved, `!'()*`, `%`, `+`, space, tab, non-ASCII (2-, 3- and
// 4-byte UTF-8).
const CHARS = [
  'a',
  'Z',
  '0',
  '-',
  '_',
  '.',
  '~',
  '!',
  "'",
  '(',
  ')',
  '*',
  ':',
  '@',
  '$',
  '&',
  '=',
  '+',
  ',',
  ';',
  '%',
  ' ',
  '\t',
  'é',
  '€',
  '𝄞',
];
const text = (maxLength: number) => fc.string({ unit: fc.constantFrom(...CHARS), maxLength });

/** A path as it may arrive: segments escaped or raw, dot and empty segments, malformed escapes, a trailing slash. */
const rawPath = fc
  .array(
    fc.oneof(
      text(8).map(escapeUri),
      text(6).map((s) => s.replace(/[ \t]/g, '')),
      fc.constantFrom('', '.', '..', '%zz', '%2F', '%41', 'GetChannel', 'tags', 'arn%3Aaws%3Aivs%3Aus-west-2%3A1%3Achannel%2Fx'),
    ),
    { maxLength: 6 },
  )
  .chain((segments) =>
    fc.record({ lead: fc.boolean(), trail: fc.boolean() }).map(({ lead, trail }) => {
      const joined = segments.join('/');
      return `${lead ? '/' : ''}${joined}${trail ? '/' : ''}`;
    }),
  );

/** A raw query string: pairs whose names and values are escaped, partly escaped or not at all. */
const rawQuery = fc
  .array(
    fc.record({
      name: fc.oneof(text(6), fc.constantFrom('X-Amz-Signature', 'x-amz-signature', 'X-Amz-Date', 'tagKeys', 'a', 'A', 'b')),
      value: fc.option(text(8), { nil: undefined }),
      escape: fc.constantFrom('all', 'none', 'some'),
    }),
    { maxLength: 6 },
  )
  .chain((pairs) =>
    fc.tuple(fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), fc.constantFrom('&', '&&')).map(([coin, sep]) => {
      let n = 0;
      const enc = (s: string, how: string) =>
        how === 'all'
          ? escapeUri(s)
          : how === 'none'
            ? s.replace(/[&=#%]/g, escapeUri)
            : [...s].map((c) => (coin[n++ % 40] ? escapeUri(c) : c.replace(/[&=#%]/, escapeUri))).join('');
      return pairs
        .filter((p) => p.name !== '__proto__') // see below
        .map((p) => (p.value === undefined ? enc(p.name, p.escape) : `${enc(p.name, p.escape)}=${enc(p.value, p.escape)}`))
        .join(sep);
    }),
  );
// A query parameter named __proto__ is left out: the library keeps its pairs in a plain object, where that name
// reads back as Object.prototype ("[object Object]"); openivs canonicalises it as any other name. No IVS operation
// has such a parameter.

const HEADER_NAMES = [
  'host',
  'x-amz-date',
  'content-type',
  'x-amz-content-sha256',
  'x-amz-target',
  'x-custom',
  'user-agent',
  'a',
  'z',
];
const headerText = fc.string({
  unit: fc.constantFrom('a', 'B', '1', ' ', '  ', '\t', ',', ';', '=', '/', ':', '"', 'é', '\r\n'),
  maxLength: 12,
});

const headers = fc
  .uniqueArray(fc.constantFrom(...HEADER_NAMES), { minLength: 1, maxLength: HEADER_NAMES.length })
  .chain((names) =>
    fc.tuple(
      ...names.map((name) =>
        fc.oneof(headerText, fc.array(headerText, { minLength: 2, maxLength: 3 })).map((v) => [name, v] as const),
      ),
    ),
  )
  .map((entries) => Object.fromEntries(entries) as Headers);

const signedOf = (h: Headers) =>
  fc
    .shuffledSubarray(Object.keys(h), { minLength: 1 })
    .chain((names) => fc.array(fc.constantFrom(...names), { maxLength: 2 }).map((repeats) => [...names, ...repeats]));

describe('SigV4 canonical request: openivs against @smithy/signature-v4', () => {
  it('is the library’s canonical request, character for character, for random requests as received', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', ''),
        rawPath,
        rawQuery,
        headers.chain((h) => fc.tuple(fc.constant(h), signedOf(h))),
        fc.constantFrom('UNSIGNED-PAYLOAD', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
        (method, path, query, [h, signed], payloadHash) => {
          const expected = reference.canonical(method, path, query, h, signed, payloadHash);
          const actual = canonicalRequest({
            method,
            rawPath: path,
            query: parseQuery(query),
            headers: h,
            signedHeaders: signed,
            payloadHash,
          });
          assert.equal(actual, expected);
        },
      ),
      { numRuns: fuzzRuns(3000), seed: fuzzSeed() },
    );
  });

  it('is undefined when a listed header is absent', () => {
    const parts = { method: 'POST', rawPath: '/GetChannel', query: {}, headers: { host: 'h' }, payloadHash: 'UNSIGNED-PAYLOAD' };
    assert.equal(canonicalRequest({ ...parts, signedHeaders: ['host', 'x-amz-date'] }), undefined);
    assert.ok(canonicalRequest({ ...parts, signedHeaders: ['host'] })?.startsWith('POST\n/GetChannel\n\nhost:h\n\nhost\n'));
  });

  it('verifies what the library signs (header and presigned), and refuses it with a signed part changed', async () => {
    const signer = new SignatureV4({
      service: 'ivs',
      region: 'eu-west-1',
      sha256: Sha256,
      credentials: { accessKeyId: AKID, secretAccessKey: SECRET },
      applyChecksum: false,
    });
    const wireQuery = (query: Record<string, string | string[]>, coin: boolean[]) => {
      let n = 0;
      // Escaped as RFC 3986 requires, and at random also unreserved characters (%61 for `a`): the verifier decodes.
      const enc = (s: string) =>
        [...s]
          .map((c) =>
            /[A-Za-z0-9]/.test(c) && coin[n++ % coin.length] ? `%${c.charCodeAt(0).toString(16).toUpperCase()}` : escapeUri(c),
          )
          .join('');
      return Object.entries(query)
        .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((one) => `${enc(k)}=${enc(one)}`))
        .join('&');
    };
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          presigned: fc.boolean(),
          method: fc.constantFrom('GET', 'POST', 'DELETE'),
          segments: fc.array(fc.oneof(text(8), fc.constantFrom('.', '..', 'tags', 'arn:aws:ivs:eu-west-1:1:channel/x')), {
            minLength: 1,
            maxLength: 4,
          }),
          query: fc.dictionary(
            text(6).filter((k) => k !== '__proto__' && k.toLowerCase() !== 'x-amz-signature' && !k.startsWith('X-Amz-')),
            fc.oneof(text(8), fc.array(text(4), { minLength: 2, maxLength: 3 })),
            { maxKeys: 3 },
          ),
          extra: fc.dictionary(
            fc.constantFrom('x-custom', 'content-type', 'x-amz-target'),
            headerText.filter((v) => !v.includes('\r\n')),
            { maxKeys: 3 },
          ),
          body: fc.string({ maxLength: 40 }),
          coin: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
          mutation: fc.constantFrom('path', 'query', 'header', 'body'),
        }),
        async (c) => {
          const path = `/${c.segments.map(escapeUri).join('/')}`;
          const request = new HttpRequest({
            method: c.method,
            protocol: 'http:',
            hostname: 'ivs.local',
            path,
            query: c.query,
            headers: { host: 'ivs.local', ...c.extra },
            body: c.body,
          });
          const signingDate = new Date(T0);
          const signed = c.presigned
            ? await signer.presign(request, { expiresIn: 300, signingDate })
            : await signer.sign(request, { signingDate });
          // On the wire: names in lower case; node trims spaces and tabs at either end of a value.
          const wireHeaders: Record<string, string> = {};
          for (const [k, v] of Object.entries(signed.headers)) wireHeaders[k.toLowerCase()] = v.replace(/^[ \t]+|[ \t]+$/g, '');
          const wire: SignedRequest = {
            method: c.method,
            rawPath: path,
            rawQuery: wireQuery(signed.query as Record<string, string | string[]>, c.coin),
            headers: wireHeaders,
            body: Buffer.from(c.body),
          };
          const caller = await verifier.verify(wire);
          assert.equal(caller.region, 'eu-west-1');

          const changed: SignedRequest = { ...wire, headers: { ...wire.headers } };
          if (c.mutation === 'path') changed.rawPath = `${wire.rawPath}x`;
          else if (c.mutation === 'query') changed.rawQuery = wire.rawQuery === '' ? 'zz=1' : `${wire.rawQuery}&zz=1`;
          else if (c.mutation === 'header') changed.headers.host = 'ivs.locak';
          else changed.body = Buffer.from(`${c.body}x`);
          await assert.rejects(verifier.verify(changed), (err: unknown) => {
            assert.ok(err instanceof ServiceError, String(err));
            assert.equal(err.code, 'InvalidSignatureException', `${c.mutation}: ${err.message}`);
            return true;
          });
        },
      ),
      { numRuns: fuzzRuns(400), seed: fuzzSeed() },
    );
  });
});
