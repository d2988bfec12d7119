// GET /_openivs/cluster: the nodes sharing this database, their heartbeat age, live streams and free
// transcode slots. Operators reach it from loopback, or from anywhere with a request SigV4-signed with
// the API's credentials (e.g. `aws ivs` style signing, service "ivs"); anything else is refused with
// the API's JSON error shape. The answer names internal URLs, so it is not public.
//
// The handler takes a small interface (a node list and a SigV4 check) so it needs nothing of the
// HTTP server but the request and the response.

import { ServiceError, FALLBACK_STATUS } from '../domain/errors.js';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { NodeView } from './node-registry.js';

export const CLUSTER_PATH = '/_openivs/cluster';

export interface ClusterEndpointDeps {
  /** This node's id. */
  nodeId: string;
  list(): Promise<NodeView[]>;
  /** Resolves for a valid SigV4 signature with configured credentials; throws a ServiceError otherwise. */
  verifySigned(request: {
    method: string;
    rawPath: string;
    rawQuery: string;
    headers: IncomingHttpHeaders;
    body: Buffer;
  }): Promise<unknown>;
}

export interface ClusterAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The answer for a request, transport aside. */
export async function clusterInfo(
  deps: ClusterEndpointDeps,
  request: { method: string; rawQuery: string; headers: IncomingHttpHeaders; remoteAddress: string | undefined },
): Promise<ClusterAnswer> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return failure(new ServiceError('MethodNotAllowedException', 'Use GET'), { allow: 'GET, HEAD' });
  }
  if (!isLoopback(request.remoteAddress)) {
    try {
      await deps.verifySigned({
        method: request.method,
        rawPath: CLUSTER_PATH,
        rawQuery: request.rawQuery,
        headers: request.headers,
        body: Buffer.alloc(0),
      });
    } catch (err) {
      return failure(err instanceof ServiceError ? err : new ServiceError('AccessDeniedException', 'Access denied'));
    }
  }
  let nodes: NodeView[];
  try {
    nodes = await deps.list();
  } catch (err) {
    return failure(
      err instanceof ServiceError
        ? err
        : new ServiceError('InternalServerException', 'The node list is unavailable. Please retry your request.'),
    );
  }
  const body = JSON.stringify({ nodeId: deps.nodeId, nodes });
  return { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body };
}

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

/** Serves CLUSTER_PATH; the request body (a GET has none) is drained, bounded. */
export async function handleClusterInfo(deps: ClusterEndpointDeps, req: Request, res: Response, rawQuery: string): Promise<void> {
  drain(req);
  const answer = await clusterInfo(deps, {
    method: req.method ?? 'GET',
    rawQuery,
    headers: withHost(req),
    remoteAddress: req.socket?.remoteAddress,
  });
  res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
  if (req.method === 'HEAD') res.end();
  else res.end(answer.body);
}

function failure(err: ServiceError, extra: Record<string, string> = {}): ClusterAnswer {
  const body = JSON.stringify({ message: err.message, exceptionMessage: err.message });
  return {
    status: FALLBACK_STATUS[err.code] ?? 500,
    headers: { 'content-type': 'application/json', 'x-amzn-ErrorType': err.code, 'cache-control': 'no-store', ...extra },
    body,
  };
}

function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

/** SigV4 signs `host`; HTTP/2 carries it as :authority. */
function withHost(req: Request): IncomingHttpHeaders {
  if (req.httpVersionMajor !== 2) return req.headers;
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (!name.startsWith(':')) headers[name] = value;
  const authority = req.headers[':authority'];
  if (headers.host === undefined && typeof authority === 'string') headers.host = authority;
  return headers;
}

const DRAIN_LIMIT = 64 * 1024;

function drain(req: Request): void {
  if (req.complete) return;
  let seen = 0;
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > DRAIN_LIMIT) req.socket?.destroy();
  });
  req.resume();
}
