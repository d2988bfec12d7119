// The plain HTTP/1.1 server; requests go to the shared dispatcher (dispatch.ts), as on the HTTPS
// listener (secure-server.ts).

import { createServer, type Server } from 'node:http';
import { requestListener, type HttpDeps } from './dispatch.js';

export type { HttpDeps } from './dispatch.js';

export function createHttpServer(deps: HttpDeps): Server {
  const server = createServer({ keepAlive: true }, requestListener(deps));
  server.keepAliveTimeout = 65_000; // longer than typical client/LB idle timeouts
  server.headersTimeout = 66_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  return server;
}
