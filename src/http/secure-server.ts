// The HTTPS listener: node:http2 with HTTP/1.1 fallback (ALPN picks h2 or http/1.1), serving exactly
// what the HTTP port serves through the same dispatcher. Apple's players need HTTP/2 for LL-HLS.
//
// Draining (closeSecureServer): stop accepting; HTTP/2 sessions get GOAWAY (session.close(): streams in
// flight finish, no new ones); idle HTTP/1.1 sockets are closed by node (allowHTTP1 servers close idle
// connections on close()), in-flight API responses carry `connection: close` (dispatch does that while
// not ready); whatever is still open after the grace period is destroyed.

import { createSecureServer, type Http2SecureServer, type ServerHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';
import { requestListener, type HttpDeps } from './dispatch.js';

interface Connections {
  sessions: Set<ServerHttp2Session>;
  sockets: Set<Socket>;
}

const tracked = new WeakMap<Http2SecureServer, Connections>();

/** Idle time after which a session or HTTP/1.1 socket is dropped (like the HTTP server's keep-alive). */
const IDLE_TIMEOUT_MS = 65_000;

export function createHttpsServer(deps: HttpDeps, tls: { cert: Buffer; key: Buffer }): Http2SecureServer {
  const server = createSecureServer({ allowHTTP1: true, cert: tls.cert, key: tls.key }, requestListener(deps));
  const conns: Connections = { sessions: new Set(), sockets: new Set() };
  tracked.set(server, conns);
  server.setTimeout(IDLE_TIMEOUT_MS);
  server.on('secureConnection', (socket: Socket) => {
    conns.sockets.add(socket);
    socket.once('close', () => conns.sockets.delete(socket));
  });
  server.on('session', (session: ServerHttp2Session) => {
    conns.sessions.add(session);
    session.once('close', () => conns.sessions.delete(session));
  });
  server.on('sessionError', (err) => deps.log.debug({ err }, 'HTTP/2 session error'));
  return server;
}

export function closeSecureServer(server: Http2SecureServer, graceMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const conns = tracked.get(server);
    const cut = setTimeout(() => {
      for (const session of conns?.sessions ?? []) session.destroy();
      for (const socket of conns?.sockets ?? []) socket.destroy();
    }, graceMs);
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
    for (const session of conns?.sessions ?? []) session.close();
  });
}
