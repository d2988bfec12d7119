// The HTTPS listener: node:http2 with HTTP/1.1 fallback (ALPN picks h2 or http/1.1), serving exactly
// what the HTTP port serves through the same dispatcher. Apple's players need HTTP/2 for LL-HLS.
// The same limits and JSON refusals as the plain port (refusals.ts); on HTTP/2 the header limits are
// applied by dispatch, and a request body's time by readBody (HTTP/2 has no request timeout of its own).
//
// Draining (closeSecureServer): stop accepting; HTTP/2 sessions get GOAWAY (session.close(): streams in
// flight finish, no new ones); idle HTTP/1.1 sockets are closed by node (allowHTTP1 servers close idle
// connections on close()), in-flight API responses carry `connection: close` (dispatch does that while
// not ready); whatever is still open after the grace period is destroyed.

import { createSecureServer, type Http2SecureServer, type ServerHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';
import { requestListener, type HttpDeps } from './dispatch.js';
import { HTTP_LIMITS, installRefusals } from './refusals.js';

interface Connections {
  sessions: Set<ServerHttp2Session>;
  sockets: Set<Socket>;
}

const tracked = new WeakMap<Http2SecureServer, Connections>();

/** Idle time after which a session or HTTP/1.1 socket is dropped (like the HTTP server's keep-alive). */
const IDLE_TIMEOUT_MS = 65_000;

export function createHttpsServer(deps: HttpDeps, tls: { cert: Buffer; key: Buffer }): Http2SecureServer {
  const server = createSecureServer(
    {
      allowHTTP1: true,
      cert: tls.cert,
      key: tls.key,
      // HTTP/2: let moderate excesses through to dispatch, which answers them with a JSON 431.
      maxHeaderListPairs: HTTP_LIMITS.http2MaxHeaderPairs,
      settings: { maxHeaderListSize: HTTP_LIMITS.http2MaxHeaderListBytes },
    },
    requestListener(deps),
  );
  const conns: Connections = { sessions: new Set(), sockets: new Set() };
  tracked.set(server, conns);
  server.setTimeout(IDLE_TIMEOUT_MS);
  // The HTTP/1.1 fallback goes through node's HTTP/1.1 server code, which reads these from the server
  // (the timeouts when listening starts, when node arms its checks).
  Object.assign(server, {
    maxHeaderSize: HTTP_LIMITS.maxHeaderBytes,
    headersTimeout: HTTP_LIMITS.headersTimeoutMs,
    requestTimeout: HTTP_LIMITS.requestTimeoutMs,
    connectionsCheckingInterval: HTTP_LIMITS.timeoutCheckIntervalMs,
    requireHostHeader: false,
  });
  installRefusals(server, deps.protocol, deps.log);
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
