// CORS for the API, so the AWS SDK works from a browser page: preflights are answered for any
// origin (requests are still SigV4-authenticated), and the headers the SDK reads are exposed.

import type { HttpRequest, HttpResponse } from '../http-types.js';

export const API_CORS_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date',
};

/**
 * Sends an API response (the pipeline's answer or a refusal) with the CORS headers and its length, added in place to
 * its headers object, which is fresh per response (the response's own headers win over the CORS defaults).
 */
export function sendApiResponse(
  res: HttpResponse,
  response: { status: number; headers: Record<string, string | number>; body: string },
): void {
  const headers = response.headers;
  for (const name in API_CORS_HEADERS) headers[name] ??= API_CORS_HEADERS[name]!;
  headers['content-length'] = Buffer.byteLength(response.body);
  res.writeHead(response.status, headers);
  res.end(response.body);
}

export function answerPreflight(req: HttpRequest, res: HttpResponse): void {
  const requested = req.headers['access-control-request-headers'];
  res.writeHead(204, {
    ...API_CORS_HEADERS,
    'access-control-allow-methods': 'GET,POST,PUT,DELETE,HEAD,OPTIONS',
    'access-control-allow-headers': typeof requested === 'string' && requested !== '' ? requested : '*',
    'access-control-max-age': '86400',
    vary: 'Origin, Access-Control-Request-Headers',
  });
  res.end();
}
