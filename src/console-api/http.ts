// Response helpers of the console routes: JSON bodies and errors in the API's shape (x-amzn-ErrorType,
// x-amzn-RequestId, {"message","exceptionMessage"}), the CORS headers the API sends (so applications on other
// origins can call the documented /_openivs/ routes with SigV4), and the request's headers as SigV4 expects them.

import type { IncomingHttpHeaders } from 'node:http';
import type { ProtocolEngine } from '../api/protocol/index.js';
import { ServiceError } from '../domain/errors.js';
import { newRequestId } from '../domain/ids.js';
import type { HttpRequest, HttpResponse } from '../http-types.js';

export const CORS_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date',
};

export function sendJson(res: HttpResponse, status: number, value: unknown, head = false): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    ...CORS_HEADERS,
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'x-amzn-RequestId': newRequestId(),
    'content-length': Buffer.byteLength(body),
  });
  if (head) res.end();
  else res.end(body);
}

/** An error as the API encodes it; anything but a ServiceError becomes the API's opaque 500. */
export function sendError(protocol: ProtocolEngine, res: HttpResponse, err: unknown): void {
  const encoded = protocol.encodeError(err, newRequestId());
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(encoded.status, {
    ...CORS_HEADERS,
    ...encoded.headers,
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(encoded.body),
  });
  res.end(encoded.body);
}

export function answerPreflight(req: HttpRequest, res: HttpResponse): void {
  const requested = req.headers['access-control-request-headers'];
  res.writeHead(204, {
    ...CORS_HEADERS,
    'access-control-allow-methods': 'GET,HEAD,OPTIONS',
    'access-control-allow-headers': typeof requested === 'string' && requested !== '' ? requested : '*',
    'access-control-max-age': '86400',
    vary: 'Origin, Access-Control-Request-Headers',
  });
  res.end();
}

export const methodNotAllowed = () => new ServiceError('MethodNotAllowedException', 'Only GET and HEAD are supported here');

/**
 * The headers as SigV4 verification expects them: HTTP/2 carries the host in `:authority` and its pseudo-headers
 * are no request headers (the same adaptation the API's dispatcher makes).
 */
export function signedHeaders(req: HttpRequest): IncomingHttpHeaders {
  if (req.httpVersionMajor !== 2) return req.headers;
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (!name.startsWith(':')) headers[name] = value;
  const authority = req.headers[':authority'];
  if (headers.host === undefined && typeof authority === 'string') headers.host = authority;
  return headers;
}
