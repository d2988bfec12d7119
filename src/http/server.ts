// The plain HTTP/1.1 server; requests go to the shared dispatcher (dispatch.ts), as on the HTTPS
// listener (secure-server.ts). Header size and the time a client may take to send a request are
// bounded (refusals.ts), and every refusal of node's parser carries the API's JSON error shape.

import { createServer, type Server } from 'node:http';
import { RELAY_PATH } from '../cluster/transcode-host.js';
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
  // The transcode relay between nodes is the one upgraded connection (cluster/transcode-host.ts); only nodes in a
  // cluster listen for upgrades, and refuse any other.
  const relay = deps.nodeApi?.relay;
  if (relay) {
    server.on('upgrade', (req, socket, head) => {
      if (req.url?.startsWith(RELAY_PATH)) return relay.upgrade(req, socket, head);
      socket.on('error', () => undefined);
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    });
  }
  return server;
}
