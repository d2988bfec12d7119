// What every API answer must satisfy, whatever was sent (the fuzzing tests' oracle), and the signed
// raw sender they use: exactly the bytes, headers and query they built, SigV4-signed as the SDK would
// sign them, so nothing is sanitized on the way.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Agent, type IncomingHttpHeaders } from 'node:http';
import { HttpRequest } from '@smithy/protocol-http';
import { parseQuery } from '../../src/api/auth/query.js';
import type { ServiceModel } from '../../src/api/protocol/index.js';
import { exchange, signer, type RawResponse, type SignOptions } from './http.js';

/** Every unknown member the fuzzers send is named (and valued) with this prefix; no answer may carry it. */
export const UNKNOWN_MARK = 'fuzzExtra';

/**
 * The operations that answer 501 NotImplementedException today, whatever their input (a test checks
 * this list against the handler table): none since ad insertion was implemented.
 */
export const NOT_IMPLEMENTED: readonly string[] = [];

/** Errors any request may get before or beside its operation's own: protocol, auth and HTTP-level refusals. */
export const PROTOCOL_ERRORS = new Set([
  'ValidationException',
  'SerializationException',
  'UnknownOperationException',
  'RequestEntityTooLargeException',
  'RequestHeaderFieldsTooLargeException',
  'BadRequestException',
  'RequestTimeoutException',
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
  'InvalidSignatureException',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'AccessDeniedException',
  'NotImplementedException',
]);

export interface FuzzRequest {
  method: string;
  /** Percent-encoded path, sent as is. */
  path: string;
  /** Query string as sent, without `?`. */
  rawQuery: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

/** Signs (SigV4, service ivs) and sends the request byte for byte; a request node refuses to send throws. */
export async function sendSignedRaw(server: { port: number }, req: FuzzRequest, opts: SignOptions = {}): Promise<RawResponse> {
  return (await signRaw(server, req, opts))();
}

/** Signs now; the returned function sends (so a caller can time the server's part alone). */
export async function signRaw(
  server: { port: number },
  req: FuzzRequest,
  opts: SignOptions = {},
): Promise<() => Promise<RawResponse>> {
  const headers: Record<string, string> = { host: `127.0.0.1:${server.port}`, ...req.headers };
  // The signer's own SHA-256 is pure JavaScript: megabyte bodies are hashed here with node:crypto
  // instead, and the hash declared, which the server checks against the body all the same.
  if (req.body !== undefined && req.body.length > 65_536)
    headers['x-amz-content-sha256'] = createHash('sha256').update(req.body).digest('hex');
  const unsigned = new HttpRequest({
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: server.port,
    method: req.method,
    path: req.path,
    query: parseQuery(req.rawQuery),
    headers,
    body: req.body,
  });
  const signed = await signer(opts).sign(unsigned, { signingDate: opts.signingDate });
  const path = req.rawQuery === '' ? req.path : `${req.path}?${req.rawQuery}`;
  return () => sendExact(server, req.method, path, signed.headers, req.body);
}

/**
 * One pooled keep-alive connection, as the AWS SDKs keep theirs: a refused upload is then drained by
 * the server and its answer read whole (a one-shot `connection: close` client can lose the answer to
 * the reset of a socket closed with unread data; see src/http/body.ts).
 */
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

export function closeFuzzConnections(): void {
  agent.destroy();
}

/** Sends exactly these headers (plus content-length for a body) on the pooled connection; a hang fails. */
export function sendExact(
  server: { port: number },
  method: string,
  path: string,
  headers: Record<string, string | string[]>,
  body: Buffer | undefined,
): Promise<RawResponse> {
  const all = body === undefined ? headers : { ...headers, 'content-length': String(body.length) };
  return answered(
    exchange({ host: '127.0.0.1', port: server.port, method, path, headers: all, agent }, (r) => r.end(body)),
    `${method} ${path.slice(0, 100)}`,
  );
}

/** No request may go unanswered: a hang is a failure of its own, reported as such. */
export const ANSWER_TIMEOUT_MS = 20_000;

export function answered<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms: ${what}`)), ANSWER_TIMEOUT_MS);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function errorType(headers: IncomingHttpHeaders): string {
  return String(headers['x-amzn-errortype'] ?? '').split(':')[0]!;
}

/**
 * The invariants of one answer: no 5xx but the documented 501s; every error in the JSON error shape
 * with a type the model lists for the operation (or a protocol-level one); no unknown member echoed.
 */
export function checkAnswer(
  m: ServiceModel,
  operation: string | undefined,
  res: RawResponse,
  what: string,
  method = 'POST',
): void {
  const type = errorType(res.headers);
  const context = `${what} → ${res.status} ${type} ${res.text.slice(0, 300)}`;
  if (res.status >= 500) {
    assert.ok(res.status === 501 && type === 'NotImplementedException', `5xx: ${context}`);
    assert.ok(NOT_IMPLEMENTED.includes(operation ?? ''), `501 from an implemented operation: ${context}`);
  }
  assert.ok(!res.text.includes(UNKNOWN_MARK), `an unknown member was echoed: ${context}`);
  for (const value of Object.values(res.headers))
    assert.ok(!String(value).includes(UNKNOWN_MARK), `echoed in a header: ${context}`);
  if (res.status < 400) {
    if (res.status !== 204 && method !== 'HEAD') assert.doesNotThrow(() => res.json(), `2xx body is JSON: ${context}`);
    return;
  }
  assert.ok(res.headers['x-amzn-requestid'], `x-amzn-RequestId: ${context}`);
  assert.match(String(res.headers['content-type']), /^application\/json/, `content-type: ${context}`);
  if (method === 'HEAD') {
    assert.equal(res.text, '', `HEAD: no body: ${context}`); // the error type header is all a HEAD answer carries
    return;
  }
  let body: { message?: unknown; exceptionMessage?: unknown } = {};
  assert.doesNotThrow(() => {
    body = res.json() as typeof body;
  }, `error body is JSON: ${context}`);
  assert.equal(typeof body.message, 'string', `message: ${context}`);
  assert.equal(typeof body.exceptionMessage, 'string', `exceptionMessage: ${context}`);
  const listed = operation !== undefined && m.operationNames().includes(operation) ? m.operation(operation).errors : [];
  assert.ok(PROTOCOL_ERRORS.has(type) || listed.includes(type), `error type not in the model for ${operation}: ${context}`);
  assert.equal(m.errorStatus(type) ?? res.status, res.status, `status of ${type} as the model says: ${context}`);
}
