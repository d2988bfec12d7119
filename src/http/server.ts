// The one HTTP server: health at /_openivs/health, playback under /api/video/v1/, the IVS API
// everywhere else. Adapts node:http to the transport-free ApiPipeline and the playback handler.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ApiPipeline } from '../api/pipeline.js';
import type { ProtocolEngine } from '../api/protocol/index.js';
import { ServiceError } from '../domain/errors.js';
import { newRequestId } from '../domain/ids.js';
import { readBody } from './body.js';
import { answerPreflight, API_CORS_HEADERS } from './cors.js';
import { handlePlayback, type PlaybackDeps } from '../media/deliver/playback.js';
import { PLAYBACK_PREFIX } from '../media/deliver/routes.js';
import { handlePlayer, isPlayerPath } from './player/index.js';

export interface HttpDeps {
  api: ApiPipeline;
  protocol: ProtocolEngine;
  maxBodyBytes: number;
  isReady: () => boolean;
  log: Logger;
  playback: PlaybackDeps;
}

export function createHttpServer(deps: HttpDeps): Server {
  const server = createServer({ keepAlive: true }, (req, res) => {
    dispatch(deps, req, res).catch((err: unknown) => {
      deps.log.error({ err }, 'unhandled error in HTTP dispatch');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end();
    });
  });
  server.keepAliveTimeout = 65_000; // longer than typical client/LB idle timeouts
  server.headersTimeout = 66_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

async function dispatch(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q + 1);
  if (rawPath === '/_openivs/health') return health(deps, res);
  if (isPlayerPath(rawPath)) return handlePlayer(req, res, rawPath, rawQuery);
  if (rawPath.startsWith(PLAYBACK_PREFIX)) return handlePlayback(deps.playback, req, res, rawPath, rawQuery);
  if (req.method === 'OPTIONS') return answerPreflight(req, res);
  let body: Buffer;
  try {
    body = await readBody(req, deps.maxBodyBytes);
  } catch (err) {
    const failure = err instanceof ServiceError ? err : new ServiceError('SerializationException', 'Could not read the request body');
    res.shouldKeepAlive = false;
    return send(res, deps.protocol.encodeError(failure, newRequestId()));
  }
  const response = await deps.api.handle({ method: req.method ?? 'GET', rawPath, rawQuery, headers: req.headers, body });
  // Draining: the socket closes after this response, so shutdown need not wait for keep-alive idle.
  if (!deps.isReady()) res.shouldKeepAlive = false;
  send(res, response);
}

function send(res: ServerResponse, response: { status: number; headers: Record<string, string>; body: string }): void {
  res.writeHead(response.status, { ...API_CORS_HEADERS, ...response.headers, 'content-length': Buffer.byteLength(response.body) });
  res.end(response.body);
}

function health(deps: HttpDeps, res: ServerResponse): void {
  const ready = deps.isReady();
  const body = JSON.stringify({ status: ready ? 'ok' : 'starting' });
  res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': body.length });
  res.end(body);
}
