// Raw SigV4 calls of the console's /_openivs/ routes for API-level tests: signed GETs (Authorization header),
// presigned URLs, and reading the JSON answers.

import { presign, sendRaw, sendSigned, type RawResponse, type SignOptions } from './http.js';

export interface Port {
  port: number;
}

export const METRICS = '/_openivs/streams/metrics';
export const RECORDINGS = '/_openivs/recordings';
export const EVENTS = '/_openivs/events';

export function signedGet(
  server: Port,
  path: string,
  query: Record<string, string>,
  opts: SignOptions = {},
): Promise<RawResponse> {
  return sendSigned(server, { method: 'GET', path, query }, opts);
}

export function unsignedGet(server: Port, path: string, query: Record<string, string> = {}): Promise<RawResponse> {
  return sendRaw(server, { method: 'GET', path, query });
}

/** A presigned GET (path and query) for the route, as an EventSource would use it. */
export function presignedGet(
  server: Port,
  path: string,
  query: Record<string, string>,
  opts: SignOptions & { expiresIn?: number } = {},
) {
  return presign(server, { method: 'GET', path, query }, opts);
}

/** Fetches a path relative to the server (the media URLs the recordings route returns) with any headers. */
export async function getPath(server: Port, pathAndQuery: string, headers: Record<string, string> = {}) {
  const res = await fetch(`http://127.0.0.1:${server.port}${pathAndQuery}`, { headers, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}
