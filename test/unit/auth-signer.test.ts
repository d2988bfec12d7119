// SigV4 cases the SDK client does not produce by itself, signed directly with @smithy/signature-v4
// (with the pure-JS Sha256, as an independent primitive): no x-amz-content-sha256 header (as boto3
// and the AWS CLI send), UNSIGNED-PAYLOAD, presigned URLs, scope errors and malformed headers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { CredentialStore, SigV4Verifier, type SignedRequest } from '../../src/api/auth/index.js';
import { ServiceError } from '../../src/domain/errors.js';

const AKID = 'AKIDEXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const ARN_PATH = `/tags/${encodeURIComponent('arn:aws:ivs:eu-west-1:123456789012:channel/abcdABCDefgh')}`;
const T0 = Date.UTC(2026, 10, 26, 10, 31, 0); // 20261126T103100Z
const store = new CredentialStore([{ accessKeyId: AKID, secretAccessKey: SECRET, accountId: '123456789012' }]);
const verifier = (now = T0) => new SigV4Verifier(store, { service: 'ivs', clockSkewMs: 300_000, now: () => now });

function signer(service = 'ivs', region = 'eu-west-1') {
  return new SignatureV4({
    service,
    region,
    sha256: Sha256,
    credentials: { accessKeyId: AKID, secretAccessKey: SECRET },
    applyChecksum: false,
  });
}

function request(
  method: string,
  path: string,
  body = '',
  headers: Record<string, string> = {},
  query: Record<string, string | string[]> = {},
) {
  return new HttpRequest({
    method,
    protocol: 'http:',
    hostname: 'ivs.local',
    port: 8080,
    path,
    query,
    body: body || undefined,
    headers: { host: 'ivs.local:8080', ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
  });
}

const esc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
interface Signed {
  method: string;
  path: string;
  query?: object;
  headers: Record<string, string>;
  body?: unknown;
}
function toWire(r: Signed): SignedRequest {
  const q = Object.entries(r.query ?? {}).flatMap(([k, v]) =>
    (Array.isArray(v) ? v : [v]).map((one) => `${esc(k)}=${esc(String(one))}`),
  );
  return {
    method: r.method,
    rawPath: r.path,
    rawQuery: q.join('&'),
    headers: { ...r.headers },
    body: Buffer.from((r.body as string | undefined) ?? ''),
  };
}

async function signed(r: HttpRequest, s = signer()): Promise<SignedRequest> {
  return toWire(await s.sign(r, { signingDate: new Date(T0) }));
}

async function rejects(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ServiceError);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

test('without x-amz-content-sha256 the body is hashed, so a tampered body is a mismatch', async () => {
  const req = await signed(request('POST', '/CreateChannel', '{"name":"demo"}'));
  assert.equal(req.headers['x-amz-content-sha256'], undefined);
  assert.deepEqual(await verifier().verify(req), { accessKeyId: AKID, account: '123456789012', region: 'eu-west-1' });
  await rejects(
    verifier().verify({ ...req, body: Buffer.from('{"name":"evil"}') }),
    'InvalidSignatureException',
    /does not match the signature/,
  );
});

test('UNSIGNED-PAYLOAD is used as given', async () => {
  const req = await signed(request('POST', '/CreateChannel', '{}', { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }));
  await verifier().verify({ ...req, body: Buffer.from('{"other":1}') });
});

test('GET /tags/{encoded arn} signed by SignatureV4 round-trips', async () => {
  const req = await signed(request('GET', ARN_PATH));
  assert.match(req.rawPath, /%3A.*%2F/);
  assert.equal((await verifier().verify(req)).region, 'eu-west-1');
});

test('presigned URL: valid, expired, not yet current, tampered', async () => {
  const pre = toWire(
    await signer().presign(request('DELETE', ARN_PATH, '', {}, { tagKeys: ['a', 'b'] }), {
      signingDate: new Date(T0),
      expiresIn: 300,
    }),
  );
  assert.equal(pre.headers.authorization, undefined);
  assert.match(pre.rawQuery, /X-Amz-Signature=/);
  await verifier().verify(pre);
  await verifier(T0 + 299_000).verify(pre);
  await rejects(
    verifier(T0 + 301_000).verify(pre),
    'InvalidSignatureException',
    /^Signature expired: 20261126T103600Z is now earlier than 20261126T103601Z/,
  );
  await rejects(verifier(T0 - 301_000).verify(pre), 'InvalidSignatureException', /^Signature not yet current/);
  await rejects(
    verifier().verify({ ...pre, rawQuery: pre.rawQuery.replace('tagKeys=b', 'tagKeys=c') }),
    'InvalidSignatureException',
    /does not match/,
  );
  await rejects(
    verifier().verify({ ...pre, rawQuery: pre.rawQuery.replace('X-Amz-Expires=300', 'X-Amz-Expires=3000') }),
    'InvalidSignatureException',
  );
  await rejects(
    verifier().verify({ ...pre, rawQuery: pre.rawQuery.replace(/&?X-Amz-Expires=300/, '') }),
    'IncompleteSignatureException',
  );
  await rejects(
    verifier().verify({ ...pre, headers: { ...pre.headers, authorization: 'AWS4-HMAC-SHA256 x' } }),
    'IncompleteSignatureException',
    /Only one auth/,
  );
});

test('missing authentication', async () => {
  await rejects(
    verifier().verify({ method: 'POST', rawPath: '/ListChannels', rawQuery: '', headers: { host: 'h' }, body: Buffer.alloc(0) }),
    'MissingAuthenticationTokenException',
    /^Missing Authentication Token$/,
  );
});

test('malformed Authorization headers are IncompleteSignatureException', async () => {
  const good = await signed(request('POST', '/ListChannels', '{}'));
  const auth = good.headers.authorization as string;
  const sig = /Signature=([0-9a-f]+)/.exec(auth)![1]!;
  const cases: Array<[string, RegExp]> = [
    ['Bearer abc', /AWS4-HMAC-SHA256 algorithm/],
    [auth.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512'), /AWS4-HMAC-SHA256 algorithm/],
    [auth.replace(/Credential=[^,]*, /, ''), /requires 'Credential'/],
    [auth.replace(/SignedHeaders=[^,]*, /, ''), /requires 'SignedHeaders'/],
    [auth.replace(/, Signature=.*/, ''), /requires 'Signature'/],
    [auth.replace('/ivs/aws4_request', '/ivs'), /exactly 5 slash-delimited/],
    [auth.replace('Signature=', 'Signature '), /missing equal-sign/],
    [auth.replace(/SignedHeaders=[^,]*/, 'SignedHeaders=content-type;x-amz-date'), /'Host' must be a 'SignedHeader'/],
  ];
  for (const [authorization, message] of cases) {
    await assert.rejects(verifier().verify({ ...good, headers: { ...good.headers, authorization } }), (e: unknown) => {
      assert.ok(e instanceof ServiceError && e.code === 'IncompleteSignatureException', String(e));
      assert.match(e.message, message);
      assert.ok(!e.message.includes(sig) && !e.message.includes(SECRET));
      return true;
    });
  }
  await rejects(
    verifier().verify({ ...good, headers: { ...good.headers, 'x-amz-date': '2026-11-26T10:31:00Z' } }),
    'IncompleteSignatureException',
    /ISO-8601 'basic format'/,
  );
  const { 'x-amz-date': _d, ...noDate } = good.headers;
  await rejects(
    verifier().verify({ ...good, headers: noDate }),
    'IncompleteSignatureException',
    /'X-Amz-Date' or a 'Date' header/,
  );
});

test('credential scope: service, date and terminator are checked', async () => {
  await rejects(
    verifier().verify(await signed(request('POST', '/ListChannels', '{}'), signer('s3'))),
    'InvalidSignatureException',
    /scoped to correct service: 'ivs'/,
  );
  const good = await signed(request('POST', '/ListChannels', '{}'));
  const auth = good.headers.authorization as string;
  await rejects(
    verifier().verify({ ...good, headers: { ...good.headers, authorization: auth.replace('/20261126/', '/20261125/') } }),
    'InvalidSignatureException',
    /Date in Credential scope does not match YYYYMMDD.*'20261125' != '20261126'/,
  );
  await rejects(
    verifier().verify({ ...good, headers: { ...good.headers, authorization: auth.replace('aws4_request', 'aws5_request') } }),
    'InvalidSignatureException',
    /valid terminator/,
  );
});
