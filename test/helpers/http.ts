// Raw HTTP for tests that must send what the SDK never would: unsigned, mis-signed, tampered or
// malformed requests. Signing uses @smithy/signature-v4 exactly as the SDK does (service `ivs`).

import { Agent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type RequestOptions } from 'node:http';
import type { ClientHttp2Session } from 'node:http2';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface RawRequest {
  method?: string;
  /** Already URL-encoded path, e.g. `/CreateChannel` or `/tags/arn%3Aaws%3A…`. */
  path: string;
  query?: Record<string, string | string[]>;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Send the body with Transfer-Encoding: chunked (no Content-Length), in 64 KiB pieces. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json(): any;
}

export interface SignOptions {
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  signingDate?: Date;
  /** Signing name; `ivs` unless a test wants a wrong one. */
  service?: string;
}

interface Target {
  port: number;
}

export function queryString(query: Record<string, string | string[]> | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    for (const one of Array.isArray(v) ? v : [v]) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(one)}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** Sends exactly what it is given (plus Host and Content-Length) and reads the whole response. */
export function sendRaw(server: Target, req: RawRequest): Promise<RawResponse> {
  const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body);
  const headers: Record<string, string> = { host: `127.0.0.1:${server.port}`, ...req.headers };
  if (body !== undefined && !req.chunked) headers['content-length'] = String(body.length);
  const path = req.path + queryString(req.query);
  return exchange({ host: '127.0.0.1', port: server.port, method: req.method ?? 'POST', path, headers, agent: false }, (r) => {
    if (body !== undefined && req.chunked) {
      for (let i = 0; i < body.length; i += 65536) r.write(body.subarray(i, i + 65536));
    } else if (body !== undefined) {
      r.write(body);
    }
    r.end();
  });
}

/**
 * Issues one request, lets `write` send the body, and reads the whole response. A server may answer (e.g. 413) and
 * close before the whole body is written: an error after the answer began is not one.
 */
export function exchange(options: RequestOptions, write: (r: ClientRequest) => void): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const r = httpRequest(options, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    r.on('error', (err) => {
      if (!answered) reject(err);
    });
    write(r);
  });
}

export function signer(opts: SignOptions = {}): SignatureV4 {
  return new SignatureV4({
    service: opts.service ?? 'ivs',
    region: opts.region ?? 'us-west-2',
    credentials: { accessKeyId: opts.accessKeyId ?? 'test', secretAccessKey: opts.secretAccessKey ?? 'test' },
    sha256: Sha256,
  });
}

function toHttpRequest(server: Target, req: RawRequest): HttpRequest {
  const headers: Record<string, string> = { host: `127.0.0.1:${server.port}`, ...req.headers };
  if (req.body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  return new HttpRequest({
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: server.port,
    method: req.method ?? 'POST',
    path: req.path,
    query: req.query ?? {},
    headers,
    body: req.body,
  });
}

/** SigV4-signs the request as the SDK would; returns the signed headers. */
export async function signHeaders(server: Target, req: RawRequest, opts: SignOptions = {}): Promise<Record<string, string>> {
  const signed = await signer(opts).sign(toHttpRequest(server, req), { signingDate: opts.signingDate });
  return signed.headers;
}

/** Signs, then sends. `mutate` may change the request after signing (to test tampering). */
export async function sendSigned(
  server: Target,
  req: RawRequest,
  opts: SignOptions & { mutate?: (r: RawRequest) => RawRequest } = {},
): Promise<RawResponse> {
  const headers = await signHeaders(server, req, opts);
  const signed: RawRequest = { ...req, headers };
  return sendRaw(server, opts.mutate ? opts.mutate(signed) : signed);
}

/** Sends a signed JSON request to `POST /<operation>`. */
export function callOperation(server: Target, operation: string, body: unknown, opts: SignOptions = {}): Promise<RawResponse> {
  return sendSigned(server, { path: `/${operation}`, body: typeof body === 'string' ? body : JSON.stringify(body) }, opts);
}

/** A presigned request (query-string SigV4): path and full query to send. */
export async function presign(
  server: Target,
  req: RawRequest,
  opts: SignOptions & { expiresIn?: number } = {},
): Promise<RawRequest> {
  const signed = await signer(opts).presign(toHttpRequest(server, req), {
    signingDate: opts.signingDate,
    expiresIn: opts.expiresIn ?? 300,
  });
  return { method: req.method, path: req.path, query: signed.query as Record<string, string | string[]> };
}

export function tagsPath(arn: string): string {
  return `/tags/${encodeURIComponent(arn)}`;
}

/**
 * Starts a request with `Expect: 100-continue` on a keep-alive connection. `headersParsed` resolves
 * when the server has answered 100 Continue (so the request is in progress on its side); `finish`
 * then writes the body and resolves with the response. The keep-alive connection stays open until
 * `close()`, as an SDK's pooled connection would.
 */
export function startInProgressRequest(
  server: Target,
  req: RawRequest,
): {
  headersParsed: Promise<void>;
  finish: () => Promise<RawResponse>;
  close: () => void;
} {
  const body = Buffer.from(req.body ?? '');
  const agent = new Agent({ keepAlive: true });
  let resolveContinue!: () => void;
  let rejectAll!: (err: Error) => void;
  const headersParsed = new Promise<void>((res, rej) => {
    resolveContinue = res;
    rejectAll = rej;
  });
  const r = httpRequest({
    host: '127.0.0.1',
    port: server.port,
    method: req.method ?? 'POST',
    path: req.path + queryString(req.query),
    agent,
    headers: { host: `127.0.0.1:${server.port}`, ...req.headers, expect: '100-continue', 'content-length': String(body.length) },
  });
  const responded = new Promise<RawResponse>((resolve, reject) => {
    r.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        // The connection stays open (keep-alive), as a real client's would, until close().
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    r.on('error', (err) => {
      agent.destroy();
      reject(err);
      rejectAll(err);
    });
  });
  responded.catch(() => undefined);
  r.on('continue', () => resolveContinue());
  r.flushHeaders();
  return {
    headersParsed,
    finish: () => {
      r.end(body);
      return responded;
    },
    close: () => agent.destroy(),
  };
}

export interface H2Answer {
  status: number;
  /** The response headers but the pseudo-headers, as strings. */
  headers: Record<string, string>;
  body: string;
}

/**
 * One HTTP/2 request on `session` (`headers` with the pseudo-headers), read to its end. With a `body` the stream is
 * opened for writing whatever the method (a GET may carry one too); without, it ends as the method would by default.
 */
export function h2Exchange(
  session: ClientHttp2Session,
  headers: Record<string, string>,
  body?: string,
  timeoutMs = 15_000,
): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, body === undefined ? {} : { endStream: false });
    const timer = setTimeout(() => {
      stream.close();
      reject(new Error(`no HTTP/2 answer within ${timeoutMs} ms: ${JSON.stringify(headers).slice(0, 300)}`));
    }, timeoutMs);
    let status = 0;
    const head: Record<string, string> = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      status = Number(h[':status']);
      for (const [k, v] of Object.entries(h)) if (!k.startsWith(':')) head[k] = String(v);
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      clearTimeout(timer);
      resolve({ status, headers: head, body: Buffer.concat(chunks).toString('utf8') });
    });
    stream.on('error', (err: Error) => {
      clearTimeout(timer);
      reject(err);
    });
    stream.end(body);
  });
}
