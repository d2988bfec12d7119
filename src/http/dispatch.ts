// The one request dispatcher behind both listeners (plain HTTP/1.1, and HTTPS with HTTP/2 or
// HTTP/1.1): health at /_openivs/health, the player under /_openivs/player, playback under
// /api/video/v1/, the IVS API everywhere else. Adapts node:http / node:http2 compat requests to the
// transport-free ApiPipeline and the playback handler.

import { ServerResponse, type IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { ApiPipeline, ApiResponse } from '../api/pipeline.js';
import type { ProtocolEngine } from '../api/protocol/index.js';
import { ServiceError } from '../domain/errors.js';
import { newRequestId } from '../domain/ids.js';
import { discardBody, readBody } from './body.js';
import { headerProblem, HTTP_LIMITS, sendRefusal } from './refusals.js';
import { answerPreflight, sendApiResponse } from './cors.js';
import { handlePlayback, type PlaybackDeps } from '../media/deliver/playback.js';
import { PLAYBACK_PREFIX } from '../media/deliver/routes.js';
import { giveCounterSlot } from '../media/deliver/request-counting.js';
import { handlePlayer, isPlayerPath } from './player/index.js';
import type { HttpRequest, HttpResponse } from '../http-types.js';
import { isLoopbackAddress, type LoopMonitor } from './loop-monitor.js';
import { CLUSTER_PATH, handleClusterInfo, type ClusterEndpointDeps } from '../cluster/endpoint.js';
import { handleNodeApi, NODE_API_PREFIX, type NodeApiDeps } from '../cluster/node-api.js';

export interface HttpDeps {
  api: ApiPipeline;
  protocol: ProtocolEngine;
  maxBodyBytes: number;
  isReady: () => boolean;
  log: Logger;
  playback: PlaybackDeps;
  /** Event-loop and memory figures, readable from loopback at /_openivs/health?loop. */
  loop?: LoopMonitor;
  /** The node list at /_openivs/cluster (loopback or SigV4-signed). */
  cluster?: ClusterEndpointDeps;
  /** Node-to-node requests under /_openivs/node/ (cluster-secret signed), when nodes share a database. */
  nodeApi?: NodeApiDeps;
  /** Routes wired in by src/app.ts (the console and its /_openivs/ routes, /metrics), tried before the API. */
  routes?: readonly HttpRoute[];
}

/** A route the transport does not own: it claims paths and answers them. */
export interface HttpRoute {
  handles(rawPath: string): boolean;
  handle(req: HttpRequest, res: HttpResponse, rawPath: string, rawQuery: string): Promise<void> | void;
}

/** The request listener for either server: dispatch, with a JSON 500 for anything that escapes it. */
export function requestListener(deps: HttpDeps): (req: HttpRequest, res: HttpResponse) => void {
  return (req, res) => {
    giveCounterSlot(res);
    try {
      // Synchronous for what is answered at once (most playback): no promise or microtask per request.
      dispatch(deps, req, res)?.catch((err: unknown) => answerEscaped(deps, res, err));
    } catch (err) {
      answerEscaped(deps, res, err);
    }
  };
}

/** The answer to an error nothing else caught: logged, and a JSON 500 if the response has not started. */
function answerEscaped(deps: HttpDeps, res: HttpResponse, err: unknown): void {
  deps.log.error({ err }, 'unhandled error in HTTP dispatch');
  if (res.headersSent) res.end();
  else sendApiResponse(res, deps.protocol.encodeError(err, newRequestId()));
}

/** Routes a request; a promise when the answer is asynchronous (the API, and playback requests that wait). */
export function dispatch(deps: HttpDeps, req: HttpRequest, res: HttpResponse): Promise<void> | void {
  // Node's HTTP/1.1 parser enforces the byte limit itself; the count, and both on HTTP/2, are ours.
  const problem = headerProblem(req);
  if (problem) return refuse(deps, req, res, problem);
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q + 1);
  // Playback first: nearly every request a live server answers (no other route shares its prefix).
  if (rawPath.startsWith(PLAYBACK_PREFIX)) return handlePlayback(deps.playback, req, res, rawPath, rawQuery);
  if (rawPath === '/_openivs/health') return health(deps, req, res, rawQuery);
  if (rawPath === CLUSTER_PATH && deps.cluster) return handleClusterInfo(deps.cluster, req, res, rawQuery);
  if (rawPath.startsWith(NODE_API_PREFIX) && deps.nodeApi) return handleNodeApi(deps.nodeApi, req, res, rawPath, rawQuery);
  if (isPlayerPath(rawPath)) return handlePlayer(req, res, rawPath, rawQuery);
  if (deps.routes) for (const route of deps.routes) if (route.handles(rawPath)) return route.handle(req, res, rawPath, rawQuery);
  if (req.method === 'OPTIONS') return answerPreflight(req, res);
  return handleApiRequest(deps, req, res, rawPath, rawQuery);
}

function handleApiRequest(deps: HttpDeps, req: HttpRequest, res: HttpResponse, rawPath: string, rawQuery: string): void {
  readBody(req, deps.maxBodyBytes, HTTP_LIMITS.requestTimeoutMs, (body) => {
    if (!(body instanceof Buffer)) {
      const refusal =
        body instanceof ServiceError ? body : new ServiceError('SerializationException', 'Could not read the request body');
      return refuse(deps, req, res, refusal);
    }
    try {
      const response = deps.api.handle({ method: req.method ?? 'GET', rawPath, rawQuery, headers: apiHeaders(req), body });
      if (!(response instanceof Promise)) return sendApiAnswer(deps, res, response);
      response.then((answer) => sendApiAnswer(deps, res, answer)).catch((err: unknown) => answerEscaped(deps, res, err));
    } catch (err) {
      // In a body event's listener: nothing above would catch it.
      answerEscaped(deps, res, err);
    }
  });
}

function sendApiAnswer(deps: HttpDeps, res: HttpResponse, response: ApiResponse): void {
  // Draining: the socket closes after this response, so shutdown need not wait for keep-alive idle.
  if (!deps.isReady()) closeAfterResponse(res);
  sendApiResponse(res, response);
}

/** A JSON error before the API pipeline ran; what is left of the body is drained (bounded), not left unread. */
function refuse(deps: HttpDeps, req: HttpRequest, res: HttpResponse, err: ServiceError): void {
  discardBody(req);
  if (!deps.isReady()) closeAfterResponse(res);
  sendRefusal(deps.protocol, res, err);
}

/**
 * HTTP/1.1 only: `connection: close` on this response. HTTP/2 has no connection-specific headers; its
 * sessions are closed (GOAWAY) by the server when draining.
 */
function closeAfterResponse(res: HttpResponse): void {
  if (res instanceof ServerResponse) res.shouldKeepAlive = false;
}

/**
 * The headers as the API (SigV4) expects them. HTTP/2 carries the host in the `:authority` pseudo-header
 * (clients may omit `host`), and the pseudo-headers are no request headers: drop them, supply `host`.
 */
function apiHeaders(req: HttpRequest): IncomingHttpHeaders {
  if (req.httpVersionMajor !== 2) return req.headers;
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (!name.startsWith(':')) headers[name] = value;
  const authority = req.headers[':authority'];
  if (headers.host === undefined && typeof authority === 'string') headers.host = authority;
  return headers;
}

function health(deps: HttpDeps, req: HttpRequest, res: HttpResponse, rawQuery: string): void {
  const ready = deps.isReady();
  const withLoop = rawQuery === 'loop' && deps.loop !== undefined && isLoopbackAddress(req.socket?.remoteAddress);
  const body = JSON.stringify({ status: ready ? 'ok' : 'starting', ...(withLoop ? { loop: deps.loop!.read() } : {}) });
  res.writeHead(ready ? 200 : 503, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': body.length,
  });
  res.end(body);
}
