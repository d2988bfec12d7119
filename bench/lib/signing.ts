// Signs raw API requests the way the AWS SDK does, so load generators can replay them.

import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Sha256 } from '@aws-crypto/sha256-js';

export interface SignedHttp {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

const signer = new SignatureV4({
  service: 'ivs',
  region: 'us-west-2',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  sha256: Sha256,
});

export async function signedPost(port: number, operation: string, input: unknown): Promise<SignedHttp> {
  const body = JSON.stringify(input);
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path: `/${operation}`,
    headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json' },
    body,
  });
  const signed = await signer.sign(request);
  return { method: 'POST', path: `/${operation}`, headers: signed.headers, body };
}

export async function call(port: number, operation: string, input: unknown): Promise<unknown> {
  const req = await signedPost(port, operation, input);
  const res = await fetch(`http://127.0.0.1:${port}${req.path}`, { method: 'POST', headers: req.headers, body: req.body });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${operation}: HTTP ${res.status} ${text}`);
  return text === '' ? {} : JSON.parse(text);
}
