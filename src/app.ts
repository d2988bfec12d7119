// Composition root: the only place that constructs infrastructure (store, protocol engine, SigV4
// verifier, HTTP server) and wires it together. Tests and benchmarks call buildApp with overrides
// to swap any piece.

import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config-types.js';
import { defaultPlaybackBaseUrl } from './config.js';
import { createLogger, type Logger } from './logging.js';
import { openStore } from './storage/index.js';
import type { Store } from './storage/store.js';
import { ProtocolEngine } from './api/protocol/index.js';
import { CredentialStore, SigV4Verifier } from './api/auth/index.js';
import { ApiPipeline } from './api/pipeline.js';
import type { HandlerDeps } from './api/handlers/support.js';
import { PaginationCodec } from './domain/pagination.js';
import { noStreamSessions, offlineLiveControl, type LiveControl, type StreamSessions } from './domain/ports.js';
import type { PublicEndpoints } from './domain/urls.js';
import { createHttpServer } from './http/server.js';
import { closeServer, listen } from './http/listen.js';

export interface AppOverrides {
  store?: Store;
  live?: LiveControl;
  sessions?: StreamSessions;
  log?: Logger;
}

export interface App {
  config: Config;
  log: Logger;
  store: Store;
  httpServer: Server;
  /** Starts listening; resolves with the bound ports (useful with port 0). */
  start(): Promise<{ httpPort: number }>;
  /** Stops accepting, drains in-flight requests, closes the store. */
  stop(): Promise<void>;
}

async function paginationSecret(store: Store): Promise<Buffer> {
  const stored = await store.settings.putIfAbsent('pagination-token-secret', randomBytes(32).toString('base64'));
  return Buffer.from(stored, 'base64');
}

export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const log = overrides.log ?? createLogger(config.logLevel);
  const store = overrides.store ?? (await openStore({ dataDir: config.dataDir }));
  const endpoints: PublicEndpoints = { host: config.host, playbackBaseUrl: config.playbackBaseUrl };
  const deps: HandlerDeps = {
    store,
    live: overrides.live ?? offlineLiveControl,
    sessions: overrides.sessions ?? noStreamSessions,
    pages: new PaginationCodec(await paginationSecret(store)),
    endpoints,
    quotas: config.quotas,
    now: () => new Date(),
  };
  const protocol = ProtocolEngine.load();
  const verifier = new SigV4Verifier(new CredentialStore(config.credentials), { service: 'ivs', clockSkewMs: 300_000 });
  const api = new ApiPipeline(protocol, verifier, deps, log);
  let ready = false;
  const httpServer = createHttpServer({ api, protocol, maxBodyBytes: config.maxBodyBytes, isReady: () => ready, log });

  return {
    config, log, store, httpServer,
    async start() {
      await listen(httpServer, config.httpPort, config.bindAddress);
      const httpPort = (httpServer.address() as AddressInfo).port;
      // With --http-port 0 the default playback base URL can only be known once bound.
      if (config.playbackBaseUrl === defaultPlaybackBaseUrl(config.host, config.httpPort)) {
        endpoints.playbackBaseUrl = defaultPlaybackBaseUrl(config.host, httpPort);
      }
      ready = true;
      return { httpPort };
    },
    async stop() {
      ready = false;
      await closeServer(httpServer);
      await store.close();
    },
  };
}
