// Promise wrappers for binding and draining a server. Draining: stop accepting, close the sockets
// idle right now, and answer what is in flight with `connection: close` (the HTTP layer does that
// while not ready) so those sockets close after their response; anything still open after a grace
// period is cut. Idle sockets are not swept repeatedly: one whose request bytes are still in the
// kernel looks idle, and cutting it would reset a request the client already sent.

import type { Server } from 'node:net';
import type { Server as HttpServer } from 'node:http';

export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function closeServer(server: HttpServer, graceMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}
