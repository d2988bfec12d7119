// The plain HTTP/1.1 server; requests go to the shared dispatcher (dispatch.ts), as on the HTTPS
// listener (secure-server.ts). Header size and the time a client may take to send a request are
// bounded (refusals.ts), and every refusal of node's parser carries the API's JSON error shape.

import { createServer, type Server } from 'node:http';
import { requestListener, type HttpDeps } from './dispatch.js';
import { HTTP_LIMITS, installRefusals } from './refusals.js';

export type { HttpDeps } from './dispatch.js';

export function createHttpServer(deps: HttpDeps): Server {
  const server = createServer(
    {
      keepAlive: true,
      maxHeaderSize: HTTP_LIMITS.maxHeaderBytes,
      headersTimeout: HTTP_LIMITS.headersTimeoutMs,
      requestTimeout: HTTP_LIMITS.requestTimeoutMs,
      connectionsCheckingInterval: HTTP_LIMITS.timeoutCheckIntervalMs,
      requireHostHeader: false, // dispatch refuses a missing Host with the JSON error shape instead
    },
    requestListener(deps),
  );
  // Idle keep-alive sockets: longer than typical client/LB idle timeouts. Node (18+) counts
  // headersTimeout from a request's first byte, not from the previous response, so it may be shorter.
  server.keepAliveTimeout = 65_000;
  installRefusals(server, deps.protocol, deps.log);
  return server;
}
