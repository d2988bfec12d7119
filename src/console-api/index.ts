// The operator console's server side: the single-page app under /console/ and the SigV4-authenticated routes it
// (and any application) uses where the IVS API has no answer, all scoped to the caller's account and region:
//   GET /_openivs/streams/metrics?channelArn=…   a live stream's per-second ingest and audience figures
//   GET /_openivs/recordings?channelArn=…        a channel's recordings, with media URLs
//   GET /_openivs/recordings/media/<token>/…     a recording's playlists, segments and thumbnails
//   GET /_openivs/events[?channelArn=…]           the account's events as Server-Sent Events
// The HTTP dispatcher hands over every path `handles` claims; app.ts builds this with createConsoleApi and
// closes it on shutdown (open event streams end). Everything else the console does goes through the IVS API.

import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { ProtocolEngine } from '../api/protocol/index.js';
import { ServiceError } from '../domain/errors.js';
import type { HttpRequest, HttpResponse } from '../http-types.js';
import type { RecordingStorageConfig } from '../config/types.js';
import type { Store } from '../storage/store.js';
import { authenticate } from './auth.js';
import { EventFeed } from './events/event-feed.js';
import { EventStreams } from './events/events-route.js';
import { answerPreflight, methodNotAllowed, sendError, sendJson } from './http.js';
import { streamMetrics } from './metrics-route.js';
import { contentSecurityPolicy, pageWithFacts } from './page.js';
import type { EventFanOut, LiveMetricsReader, RequestVerifier, ServerFacts } from './ports.js';
import { recordingObjects } from './recordings/storage.js';
import { MediaTokens } from './recordings/media-token.js';
import { channelRecordings, MEDIA_PREFIX, recordingMedia, type RecordingsDeps } from './recordings/recordings-route.js';
import { CONSOLE_PATH, ConsoleFiles, sendFile } from './static-files.js';

export { CONSOLE_PATH } from './static-files.js';
export type { LiveMetricsReader, ServerFacts } from './ports.js';

export interface ConsoleApiDeps {
  protocol: ProtocolEngine;
  verifier: RequestVerifier;
  store: Pick<Store, 'resources' | 'settings'>;
  live: LiveMetricsReader;
  events: EventFanOut;
  recordingStorage: RecordingStorageConfig;
  dataDir: string;
  /** The playback base URL in effect (known once the HTTP port is bound). */
  playbackBaseUrl: () => string;
  facts: ServerFacts;
  log: Logger;
  /** The console's built files (default: dist/console). */
  consoleDir?: string;
}

const METRICS_PATH = '/_openivs/streams/metrics';
const RECORDINGS_PATH = '/_openivs/recordings';
const EVENTS_PATH = '/_openivs/events';
const API_PATHS = new Set([METRICS_PATH, RECORDINGS_PATH, EVENTS_PATH]);

export class ConsoleApi {
  private readonly files: ConsoleFiles;
  private readonly feed: EventFeed;
  private readonly streams: EventStreams;
  private readonly recordings: RecordingsDeps;

  constructor(
    private readonly deps: ConsoleApiDeps,
    mediaSecret: Buffer,
  ) {
    this.files = new ConsoleFiles(deps.consoleDir);
    this.feed = new EventFeed(deps.events);
    this.streams = new EventStreams(this.feed);
    this.recordings = {
      resources: deps.store.resources,
      objects: recordingObjects(deps.recordingStorage, deps.dataDir),
      tokens: new MediaTokens(mediaSecret),
    };
  }

  /** Server facts learnt at start (bound ports). */
  setFacts(facts: Partial<ServerFacts>): void {
    Object.assign(this.deps.facts, facts);
  }

  handles(rawPath: string): boolean {
    return (
      rawPath === CONSOLE_PATH ||
      rawPath.startsWith(`${CONSOLE_PATH}/`) ||
      API_PATHS.has(rawPath) ||
      rawPath.startsWith(MEDIA_PREFIX)
    );
  }

  async handle(req: HttpRequest, res: HttpResponse, rawPath: string, rawQuery: string): Promise<void> {
    try {
      if (req.method === 'OPTIONS' && !rawPath.startsWith(CONSOLE_PATH)) return answerPreflight(req, res);
      if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed();
      req.resume(); // a GET body is never read: drain it
      if (rawPath === CONSOLE_PATH || rawPath.startsWith(`${CONSOLE_PATH}/`)) return await this.page(req, res, rawPath);
      if (rawPath.startsWith(MEDIA_PREFIX)) return await recordingMedia(this.recordings, req, res, rawPath);
      const caller = await authenticate(this.deps.verifier, req, rawPath, rawQuery);
      const query = new URLSearchParams(rawQuery);
      const head = req.method === 'HEAD';
      if (rawPath === METRICS_PATH)
        return sendJson(res, 200, await streamMetrics(this.deps.store.resources, this.deps.live, caller, query), head);
      if (rawPath === RECORDINGS_PATH) return sendJson(res, 200, await channelRecordings(this.recordings, caller, query), head);
      return this.streams.start(req, res, caller, query);
    } catch (err) {
      if (!(err instanceof ServiceError)) this.deps.log.error({ err, path: rawPath.slice(0, 100) }, 'console route failed');
      sendError(this.deps.protocol, res, err);
    }
  }

  /** Ends open event streams (shutdown) and releases the recording storage's connections. */
  close(): void {
    this.streams.closeAll();
    this.feed.close();
    (this.recordings.objects as { close?: () => void }).close?.();
  }

  private async page(req: HttpRequest, res: HttpResponse, rawPath: string): Promise<void> {
    if (rawPath === CONSOLE_PATH) {
      res.writeHead(308, { location: `${CONSOLE_PATH}/`, 'content-length': 0 });
      res.end();
      return;
    }
    const files = await this.files.files();
    const index = files.get('index.html');
    const rel = rawPath.slice(CONSOLE_PATH.length + 1);
    if (index === undefined)
      return this.text(res, 404, 'The console is not built: run `npm run build` (or `npm run build:console`).\n');
    const policy = contentSecurityPolicy(this.deps.playbackBaseUrl());
    if (rel === '' || rel === 'index.html') {
      const html = pageWithFacts(index.bytes.toString('utf8'), {
        ...this.deps.facts,
        playbackBaseUrl: this.deps.playbackBaseUrl(),
      });
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
        'content-security-policy': policy,
        'referrer-policy': 'no-referrer',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'content-length': Buffer.byteLength(html),
      });
      if (req.method === 'HEAD') res.end();
      else res.end(html);
      return;
    }
    const file = files.get(rel);
    if (file === undefined) return this.text(res, 404, 'Not found\n');
    const immutable = rel.startsWith('assets/');
    sendFile(req, res, file, {
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'content-security-policy': policy,
    });
  }

  private text(res: HttpResponse, status: number, body: string): void {
    res.writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-cache',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  }
}

const MEDIA_SECRET_SETTING = 'console-media-token-secret';

/** Builds the console's server side; its media-token secret is kept in the store (across restarts and nodes). */
export async function createConsoleApi(deps: ConsoleApiDeps): Promise<ConsoleApi> {
  const secret = await deps.store.settings.putIfAbsent(MEDIA_SECRET_SETTING, randomBytes(32).toString('base64'));
  return new ConsoleApi(deps, Buffer.from(secret, 'base64'));
}
