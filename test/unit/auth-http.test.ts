// End to end over a real socket: @aws-sdk/client-ivs with its default Node HTTP handler talks to a
// node:http server that verifies with SigV4Verifier exactly as the API pipeline will (req.url split
// into raw path and raw query, req.headers as node gives them, the collected body).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IvsClient, CreateChannelCommand, ListTagsForResourceCommand, UntagResourceCommand } from '@aws-sdk/client-ivs';
import { CredentialStore, SigV4Verifier, type Caller } from '../../src/api/auth/index.js';
import { ServiceError } from '../../src/domain/errors.js';

const ARN = 'arn:aws:ivs:ap-south-1:000000000000:channel/abcdABCDefgh';
const verifier = new SigV4Verifier(
  new CredentialStore([{ accessKeyId: 'test', secretAccessKey: 'test', accountId: '000000000000' }]),
  { service: 'ivs', clockSkewMs: 300_000 },
);
const callers: Caller[] = [];
let server: Server;
let endpoint: string;

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      verifier
        .verify({
          method: req.method ?? 'GET',
          rawPath: q < 0 ? url : url.slice(0, q),
          rawQuery: q < 0 ? '' : url.slice(q + 1),
          headers: req.headers,
          body: Buffer.concat(chunks),
        })
        .then(
          (caller) => {
            callers.push(caller);
            res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
          },
          (e: unknown) => {
            const code = e instanceof ServiceError ? e.code : 'InternalServerException';
            res
              .writeHead(e instanceof ServiceError ? 403 : 500, { 'content-type': 'application/json', 'x-amzn-errortype': code })
              .end(JSON.stringify({ message: (e as Error).message }));
          },
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = (secretAccessKey = 'test') =>
  new IvsClient({ region: 'ap-south-1', endpoint, credentials: { accessKeyId: 'test', secretAccessKey }, maxAttempts: 1 });

test('the SDK over HTTP: POST with body, GET and DELETE on /tags/{arn}', async () => {
  const c = client();
  await c.send(new CreateChannelCommand({ name: 'über channel', tags: { k: 'v w' } }));
  await c.send(new ListTagsForResourceCommand({ resourceArn: ARN }));
  await c.send(new UntagResourceCommand({ resourceArn: ARN, tagKeys: ['a b', 'c/d', 'e+f'] }));
  assert.deepEqual(
    callers.slice(-3).map((x) => x.region),
    ['ap-south-1', 'ap-south-1', 'ap-south-1'],
  );
  assert.equal(callers.at(-1)!.account, '000000000000');
  c.destroy();
});

test('the SDK over HTTP: a wrong secret is answered 403 InvalidSignatureException', async () => {
  const c = client('wrong');
  await assert.rejects(
    c.send(new ListTagsForResourceCommand({ resourceArn: ARN })),
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, 'InvalidSignatureException');
      assert.equal(e.$metadata?.httpStatusCode, 403);
      return true;
    },
  );
  c.destroy();
});
