// SigV4 header authentication, checked against requests signed by the real @aws-sdk/client-ivs:
// a fake requestHandler captures the signed HttpRequest instead of sending it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import {
  IvsClient,
  CreateChannelCommand,
  ListTagsForResourceCommand,
  UntagResourceCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ivs';
import { HttpResponse, type HttpRequest } from '@smithy/protocol-http';
import { CredentialStore, SigV4Verifier, type SignedRequest } from '../../src/api/auth/index.js';
import { ServiceError } from '../../src/domain/errors.js';

const AKID = 'AKIDEXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const ARN = 'arn:aws:ivs:us-west-2:123456789012:channel/abcdABCDefgh';
const store = new CredentialStore([{ accessKeyId: AKID, secretAccessKey: SECRET, accountId: '123456789012' }]);
const verifier = (now?: () => number) => new SigV4Verifier(store, { service: 'ivs', clockSkewMs: 300_000, now });

// RFC 3986 escaping, as the SDK's HTTP handlers put query strings on the wire.
const esc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function toWire(r: HttpRequest): SignedRequest {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(r.query ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) parts.push(one == null ? esc(k) : `${esc(k)}=${esc(one)}`);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
  const body = r.body == null ? Buffer.alloc(0) : Buffer.from(r.body as string | Uint8Array);
  return { method: r.method, rawPath: r.path, rawQuery: parts.join('&'), headers, body };
}

async function capture(
  send: (c: IvsClient) => Promise<unknown>,
  region = 'us-west-2',
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = {
    accessKeyId: AKID,
    secretAccessKey: SECRET,
  },
): Promise<SignedRequest> {
  let captured: HttpRequest | undefined;
  const client = new IvsClient({
    region,
    endpoint: 'http://localhost:8080',
    credentials,
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: HttpRequest) => {
        captured = request;
        const body = Readable.from([Buffer.from('{}')]);
        return { response: new HttpResponse({ statusCode: 200, headers: { 'content-type': 'application/json' }, body }) };
      },
    },
  });
  await send(client);
  assert.ok(captured, 'request captured');
  return toWire(captured);
}

const createChannel = () => capture((c) => c.send(new CreateChannelCommand({ name: 'demo', type: 'BASIC' })));
const untag = () => capture((c) => c.send(new UntagResourceCommand({ resourceArn: ARN, tagKeys: ['env', 'team x'] })));

async function rejects(p: Promise<unknown>, code: string, message?: string | RegExp): Promise<ServiceError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ServiceError, `ServiceError expected, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    assert.ok(!e.message.includes(SECRET));
    return e;
  }
  assert.fail(`expected ${code}`);
}

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

test('valid POST /CreateChannel with a JSON body', async () => {
  const req = await createChannel();
  assert.equal(req.rawPath, '/CreateChannel');
  assert.ok(req.body.length > 0);
  assert.deepEqual(await verifier().verify(req), { accessKeyId: AKID, account: '123456789012', region: 'us-west-2' });
});

test('valid GET /tags/{arn}: the percent-encoded path round-trips', async () => {
  const req = await capture((c) => c.send(new ListTagsForResourceCommand({ resourceArn: ARN })));
  assert.equal(req.method, 'GET');
  assert.equal(req.rawPath, `/tags/${encodeURIComponent(ARN)}`);
  assert.equal((await verifier().verify(req)).region, 'us-west-2');
});

test('valid DELETE /tags/{arn} with repeated tagKeys', async () => {
  const req = await untag();
  assert.equal(req.method, 'DELETE');
  assert.equal(req.rawQuery, 'tagKeys=env&tagKeys=team%20x');
  await verifier().verify(req);
  // Order of repeated values on the wire does not matter to the canonical query.
  await verifier().verify({ ...req, rawQuery: 'tagKeys=team%20x&tagKeys=env' });
});

test('valid POST /tags/{arn}, and a session token is signed like any header', async () => {
  const req = await capture((c) => c.send(new TagResourceCommand({ resourceArn: ARN, tags: { a: 'b' } })), 'us-west-2', {
    accessKeyId: AKID,
    secretAccessKey: SECRET,
    sessionToken: 'token-123',
  });
  assert.equal(req.headers['x-amz-security-token'], 'token-123');
  await verifier().verify(req);
});

test('region comes from the credential scope', async () => {
  const req = await capture((c) => c.send(new CreateChannelCommand({})), 'eu-west-1');
  assert.equal((await verifier().verify(req)).region, 'eu-west-1');
});

test('unknown access key', async () => {
  const req = await capture((c) => c.send(new CreateChannelCommand({})), 'us-west-2', {
    accessKeyId: 'AKIDOTHER',
    secretAccessKey: SECRET,
  });
  await rejects(verifier().verify(req), 'UnrecognizedClientException', 'The security token included in the request is invalid.');
});

test('wrong secret: mismatch, and the message holds neither secret nor signature', async () => {
  const req = await capture((c) => c.send(new CreateChannelCommand({})), 'us-west-2', {
    accessKeyId: AKID,
    secretAccessKey: 'nope',
  });
  const e = await rejects(verifier().verify(req), 'InvalidSignatureException', MISMATCH);
  const signature = /Signature=([0-9a-f]+)/.exec(req.headers.authorization as string)![1]!;
  assert.ok(!e.message.includes(signature));
});

test('tampered body, signed header, path and query fail; unsigned headers do not matter', async () => {
  const req = await createChannel();
  // The SDK declares x-amz-content-sha256, so a changed body is caught by that check first.
  await rejects(
    verifier().verify({ ...req, body: Buffer.from(req.body.toString().replace('demo', 'evil')) }),
    'InvalidSignatureException',
    "The provided 'x-amz-content-sha256' header does not match what was computed.",
  );
  await rejects(
    verifier().verify({ ...req, headers: { ...req.headers, 'content-type': 'text/plain' } }),
    'InvalidSignatureException',
  );
  await rejects(
    verifier().verify({ ...req, headers: { ...req.headers, host: 'evil.example:8080' } }),
    'InvalidSignatureException',
  );
  await rejects(verifier().verify({ ...req, rawPath: '/DeleteChannel' }), 'InvalidSignatureException');
  await verifier().verify({ ...req, headers: { ...req.headers, 'x-forwarded-for': '10.0.0.1' } });
  const del = await untag();
  await rejects(verifier().verify({ ...del, rawQuery: 'tagKeys=env' }), 'InvalidSignatureException');
  await rejects(verifier().verify({ ...del, rawPath: del.rawPath.replace('abcd', 'zzzz') }), 'InvalidSignatureException');
});

test('signed header missing from the request fails', async () => {
  const req = await createChannel();
  const { 'content-type': _dropped, ...headers } = req.headers;
  await rejects(verifier().verify({ ...req, headers }), 'InvalidSignatureException', MISMATCH);
});

test('clock skew beyond 5 minutes, both directions', async () => {
  const req = await createChannel();
  const date = req.headers['x-amz-date'] as string;
  await verifier(() => Date.now() + 4 * 60_000).verify(req);
  await rejects(
    verifier(() => Date.now() + 6 * 60_000).verify(req),
    'InvalidSignatureException',
    new RegExp(`^Signature expired: ${date} is now earlier than \\d{8}T\\d{6}Z \\(\\d{8}T\\d{6}Z - 5 min\\.\\)$`),
  );
  await rejects(
    verifier(() => Date.now() - 6 * 60_000).verify(req),
    'InvalidSignatureException',
    new RegExp(`^Signature not yet current: ${date} is still later than \\d{8}T\\d{6}Z \\(\\d{8}T\\d{6}Z \\+ 5 min\\.\\)$`),
  );
});

test('skew message matches the AWS wording exactly', async () => {
  const req = await createChannel();
  const signed = Date.parse(
    (req.headers['x-amz-date'] as string).replace(/(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z/, '$1-$2-$3T$4:$5:$6Z'),
  );
  const e = await rejects(verifier(() => signed + 16 * 60_000).verify(req), 'InvalidSignatureException');
  const fmt = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
  assert.equal(
    e.message,
    `Signature expired: ${fmt(signed)} is now earlier than ${fmt(signed + 11 * 60_000)} (${fmt(signed + 16 * 60_000)} - 5 min.)`,
  );
});
