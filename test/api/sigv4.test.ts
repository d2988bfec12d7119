// SigV4 negatives with raw requests: missing, unknown, wrong, tampered, stale and malformed
// signatures are 403 with the generic AWS error codes; presigned URLs work until they expire.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateChannelCommand, ListChannelsCommand } from '@aws-sdk/client-ivs';
import { ivsClient, useServer } from '../helpers/use-server.js';
import { expectError, expectRawError } from '../helpers/assert.js';
import { presign, sendRaw, sendSigned, signHeaders, tagsPath, type RawRequest } from '../helpers/http.js';

const LIST: RawRequest = { path: '/ListChannels', body: '{}' };
const AUTH_FAILURES = [
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'SignatureDoesNotMatch',
  'MissingAuthenticationTokenException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'AccessDeniedException',
];

describe('SigV4 verification', () => {
  const { server, ivs } = useServer();
  let channelArn: string;
  before(async () => {
    channelArn = (await ivs.send(new CreateChannelCommand({ name: 'signed', tags: { sig: 'v4' } }))).channel!.arn!;
  });

  const expect403 = (res: { status: number; headers: Record<string, unknown>; text: string }, what: string) => {
    assert.equal(res.status, 403, `${what}: ${res.status} ${res.text}`);
    const type = String(res.headers['x-amzn-errortype']).split(':')[0]!;
    assert.ok(AUTH_FAILURES.includes(type), `${what}: error type ${type}`);
    assert.ok(!res.text.includes('"channels"'), `${what}: no data leaked`);
  };

  it('a correctly signed raw request succeeds (control)', async () => {
    const res = await sendSigned(server, LIST);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json().channels.length, 1);
  });

  it('unsigned is MissingAuthenticationTokenException 403', async () => {
    expectRawError(
      await sendRaw(server, { ...LIST, headers: { 'content-type': 'application/json' } }),
      'MissingAuthenticationTokenException',
      403,
    );
    expectRawError(
      await sendRaw(server, { method: 'GET', path: tagsPath(channelArn) }),
      'MissingAuthenticationTokenException',
      403,
    );
  });

  it('an unknown access key is UnrecognizedClientException 403', async () => {
    expectRawError(
      await sendSigned(server, LIST, { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'test' }),
      'UnrecognizedClientException',
      403,
    );
    const sdk = ivsClient(server, { accessKeyId: 'AKIDUNKNOWN' });
    await expectError(sdk.send(new ListChannelsCommand({})), 'UnrecognizedClientException', 403);
    sdk.destroy();
  });

  it('a wrong secret is InvalidSignatureException 403', async () => {
    expectRawError(await sendSigned(server, LIST, { secretAccessKey: 'wrong' }), 'InvalidSignatureException', 403);
    const sdk = ivsClient(server, { secretAccessKey: 'wrong' });
    await expectError(sdk.send(new ListChannelsCommand({})), 'InvalidSignatureException', 403);
    sdk.destroy();
  });

  it('a body changed after signing is 403', async () => {
    const res = await sendSigned(
      server,
      { path: '/CreateChannel', body: '{"name":"original"}' },
      {
        mutate: (r) => ({ ...r, body: '{"name":"tampered"}' }),
      },
    );
    expect403(res, 'tampered body');
    const list = await ivs.send(new ListChannelsCommand({ filterByName: 'tampered' }));
    assert.deepEqual(list.channels, [], 'the tampered request had no effect');
  });

  it('a path, header or signature changed after signing is 403', async () => {
    expect403(await sendSigned(server, LIST, { mutate: (r) => ({ ...r, path: '/ListStreams' }) }), 'tampered path');
    expect403(
      await sendSigned(server, LIST, {
        mutate: (r) => ({ ...r, headers: { ...r.headers, 'x-amz-date': '20200101T000000Z' } }),
      }),
      'tampered x-amz-date',
    );
    expect403(
      await sendSigned(server, LIST, {
        mutate: (r) => ({
          ...r,
          headers: { ...r.headers, authorization: r.headers!.authorization!.replace(/.$/, (c) => (c === '0' ? '1' : '0')) },
        }),
      }),
      'tampered signature',
    );
  });

  it('a signature 6 minutes old or ahead is 403; 4 minutes is accepted', async () => {
    expect403(await sendSigned(server, LIST, { signingDate: new Date(Date.now() - 6 * 60_000) }), '6 min in the past');
    expect403(await sendSigned(server, LIST, { signingDate: new Date(Date.now() + 6 * 60_000) }), '6 min in the future');
    const ok = await sendSigned(server, LIST, { signingDate: new Date(Date.now() - 4 * 60_000) });
    assert.equal(ok.status, 200, ok.text);
  });

  it('a wrong signing service or malformed Authorization header is 403', async () => {
    expect403(await sendSigned(server, LIST, { service: 's3' }), 'service s3');
    const headers = await signHeaders(server, LIST);
    for (const authorization of [
      'AWS4-HMAC-SHA256 garbage',
      'AWS4-HMAC-SHA256 Credential=test/20200101/us-west-2/ivs/aws4_request',
      'Basic dGVzdDp0ZXN0',
    ]) {
      const res = await sendRaw(server, { ...LIST, headers: { ...headers, authorization } });
      assert.ok(res.status === 403 || res.status === 400, `${authorization.slice(0, 40)}: ${res.status} ${res.text}`);
      assert.ok(res.headers['x-amzn-errortype'], 'error type header');
    }
  });

  it('unsigned extra headers are allowed; SignedHeaders naming a missing header is 403', async () => {
    const headers = await signHeaders(server, LIST);
    const extra = await sendRaw(server, { ...LIST, headers: { ...headers, 'x-forwarded-for': '10.0.0.1' } });
    assert.equal(extra.status, 200, `an unsigned extra header: ${extra.text}`);
    // The signature covers the SignedHeaders list itself: a claimed header the request lacks cannot match.
    const authorization = headers.authorization!.replace('SignedHeaders=', 'SignedHeaders=x-nope;');
    expect403(await sendRaw(server, { ...LIST, headers: { ...headers, authorization } }), 'SignedHeaders with x-nope');
  });

  it('a presigned GET /tags/{arn} (ListTagsForResource) succeeds', async () => {
    const req = await presign(server, { method: 'GET', path: tagsPath(channelArn) }, { expiresIn: 300 });
    assert.ok(req.query!['X-Amz-Signature'], 'presigned query carries the signature');
    const res = await sendRaw(server, req);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json(), { tags: { sig: 'v4' } });
  });

  it('an expired or altered presigned URL is 403', async () => {
    const expired = await presign(
      server,
      { method: 'GET', path: tagsPath(channelArn) },
      { signingDate: new Date(Date.now() - 10 * 60_000), expiresIn: 60 },
    );
    expect403(await sendRaw(server, expired), 'expired presigned URL');
    const good = await presign(server, { method: 'GET', path: tagsPath(channelArn) }, { expiresIn: 300 });
    const wrongKey = {
      ...good,
      query: { ...good.query, 'X-Amz-Credential': String(good.query!['X-Amz-Credential']).replace(/^test\//, 'AKIDUNKNOWN/') },
    };
    const res = await sendRaw(server, wrongKey);
    assert.equal(res.status, 403, res.text);
    const longer = { ...good, query: { ...good.query, 'X-Amz-Expires': '604800' } };
    expect403(await sendRaw(server, longer), 'altered X-Amz-Expires');
  });
});
