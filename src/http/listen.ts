// Promise wrappers for binding and draining a server. Draining: stop accepting, answer what is in
// flight with `connection: close`, and close keep-alive sockets as soon as they go idle (Node closes
// only the sockets idle at the moment close() is called); busy ones are cut after a grace period.

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
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}
