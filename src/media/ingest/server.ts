// The RTMP ingest listener: plain RTMP and RTMPS (TLS on its own port) feeding the same connection code.
// The server only tracks connections so `close()` can end them all, `connections()` can report load, and
// the connections still before an accepted publish (unauthenticated) stay under maxSetupConnections —
// each is bounded on its own (limits.ts), this bounds them together. Everything per-connection lives in
// RtmpConnection.

import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { RtmpConnection, type ConnectionContext } from './connection.js';
import { resolveIngestConfig, type IngestConfig } from './ingest-config.js';
import type { IngestHooks } from './ports.js';

export interface IngestServerOptions {
  hooks: IngestHooks;
  config?: Partial<IngestConfig>;
}

export interface TlsCredentials {
  cert: string | Buffer;
  key: string | Buffer;
}

export interface IngestServer {
  /** Starts plain RTMP; resolves with the bound address (port 0 picks a free port). */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Starts RTMPS on its own port with the given certificate chain and key. */
  listenTls(port: number, host: string | undefined, tls: TlsCredentials): Promise<AddressInfo>;
  /** Stops listening and destroys every connection (sessions end with 'kicked'). */
  close(): Promise<void>;
  /** Connections currently open (handshaking, connected or publishing). */
  connections(): number;
}

export function createIngestServer(opts: IngestServerOptions): IngestServer {
  const config = resolveIngestConfig(opts.config);
  const log = opts.hooks.log;
  const live = new Set<RtmpConnection>();
  /** Connections whose publish has not been accepted yet. */
  const setup = new Set<RtmpConnection>();
  const servers: Server[] = [];
  let nextId = 1;
  let turnedAway = 0;
  let lastWarned = 0;

  const accept = (socket: Socket, secure: boolean): void => {
    if (setup.size >= config.maxSetupConnections) {
      turnedAway++;
      if (Date.now() - lastWarned >= 60_000) {
        // an operator should hear of a flood, once a minute
        lastWarned = Date.now();
        log.warn({ turnedAway, limit: config.maxSetupConnections }, 'rtmp connections refused: too many not yet publishing');
        turnedAway = 0;
      }
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    const ctx: ConnectionContext = {
      hooks: opts.hooks,
      config,
      secure,
      log: log.child({ rtmpConn: nextId++, remote: socket.remoteAddress, secure }),
      sharedReads: !secure && config.sharedReads,
      onPublished: (conn) => setup.delete(conn),
      onClosed: (conn) => {
        live.delete(conn);
        setup.delete(conn);
      },
    };
    const conn = new RtmpConnection(socket, ctx);
    live.add(conn);
    if (!conn.closed) setup.add(conn);
  };

  const start = (server: Server, port: number, host: string | undefined): Promise<AddressInfo> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        server.on('error', (err) => log.error({ err }, 'rtmp listener error'));
        servers.push(server);
        resolve(server.address() as AddressInfo);
      });
    });

  return {
    listen(port, host) {
      // Accepted paused, so the connection can switch the socket to the shared read buffer before its first read.
      const server = createServer({ noDelay: true, pauseOnConnect: true }, (socket) => accept(socket, false));
      return start(server, port, host);
    },
    listenTls(port, host, tls) {
      const server = createTlsServer({ cert: tls.cert, key: tls.key, handshakeTimeout: config.handshakeTimeoutMs });
      server.on('secureConnection', (socket) => accept(socket, true));
      // Failed TLS handshakes (garbage, plain RTMP on the TLS port, timeouts) never become connections.
      server.on('tlsClientError', (err, socket) => {
        log.debug({ err: err.message }, 'rtmps handshake failed');
        socket.destroy();
      });
      return start(server, port, host);
    },
    async close() {
      const closing = servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      for (const conn of [...live]) conn.disconnect('server closing');
      await Promise.all(closing);
    },
    connections: () => live.size,
  };
}
