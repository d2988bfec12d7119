// Playback of a stream that another node of the cluster owns (it holds the channel's lease and packages
// the stream): this node pulls what the player asks for from the owner over its internal URL.
// - Identical concurrent requests (same path, query without the viewer's `vs`, and the request headers
//   that can change the answer: Origin, the country header, Range) share one upstream request; LL-HLS
//   blocking reloads and hinted parts are forwarded as they are and answered when the owner answers.
// - Segments, parts and init sections are immutable (their URLs are unique per stream): a 200 is kept in
//   memory for the window, bounded in bytes, so many viewers of one rendition cost the owner one pull.
// - Multivariant playlists are per viewer (tokens, viewer session ids): forwarded one by one.
// - Private channels and restriction policies are checked here (playback.ts, with the owner's access snapshot and
//   the rendition heights from remote-access.ts; secrets, key pairs and revocations are shared through the
//   database): a request that passes is pulled without its credential, Origin and country header, marked as
//   checked by this node (the owner trusts that mark only with the cluster signature), so one pull serves every
//   viewer. The multivariant playlist (the token's admission), and anything while the snapshot or a private
//   rendition's height is unknown, still travels with the viewer's token or credential, and the owner decides.
// - Viewers playing through this node are counted here, from the `vs` ids the owner minted (their key is
//   derived from the shared playback-session secret); GetStream sums the counts of every node.

import type { HttpRequest, HttpResponse } from '../../http-types.js';
import { bindingOf } from './auth/credential.js';
import { queryParam } from './auth/credential-path.js';
import type { ViewerSessions } from './auth/viewer-session.js';
import { PLAYBACK_ERRORS } from './error-codes.js';
import { RemoteAccess } from './remote-access.js';
import { sendPlaybackError } from './responses.js';
import { ViewerCounter } from '../registry/viewers.js';

/** Marks a pull whose viewer this node has checked; the owner believes it only on a request with a valid cluster
 * signature (playback.ts `peerAuthorized`). */
export const PEER_AUTHORIZED_HEADER = 'x-openivs-peer-authorized';

export interface Upstream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface OriginPullOptions {
  /** The internal URL of the node that owns the playback key's live stream, when another node does (cached: no database read). */
  ownerUrl(playbackKey: string): string | undefined;
  /** A signed request to another node. */
  fetch(baseUrl: string, pathAndQuery: string, headers: Record<string, string>): Promise<Upstream>;
  viewerSessions: ViewerSessions;
  viewerCountryHeader?: string;
  clientAddress: (req: HttpRequest) => string | undefined;
  /** Bytes of immutable objects kept; default 128 MiB. */
  cacheBytes?: number;
  /** How long an immutable object is kept; default 30 s (the window is 6 segments of 2 s). */
  cacheMs?: number;
  now?: () => number;
}

export type PulledRoute =
  | { kind: 'multivariant'; playbackKey: string }
  | { kind: 'media' | 'immutable'; playbackKey: string; streamId: string; rendition: string };

interface Cached {
  upstream: Upstream;
  expiresAt: number;
}

interface PulledViewers {
  streamId: string;
  counter: ViewerCounter;
  lastMs: number;
}

const PASS_HEADERS = [
  'content-type',
  'cache-control',
  'content-range',
  'accept-ranges',
  'vary',
  'access-control-allow-origin',
  'access-control-expose-headers',
  'x-amzn-errortype',
];
const FORWARD_HEADERS = ['origin', 'range'];
const VIEWERS_IDLE_MS = 120_000;

export class OriginPull {
  readonly #inflight = new Map<string, Promise<Upstream>>();
  readonly #cache = new Map<string, Cached>();
  #cachedBytes = 0;
  readonly #viewers = new Map<string, PulledViewers>();
  readonly #now: () => number;
  readonly access: RemoteAccess;

  constructor(private readonly opts: OriginPullOptions) {
    this.#now = opts.now ?? Date.now;
    this.access = new RemoteAccess({
      ownerUrl: (key) => opts.ownerUrl(key),
      fetch: (base, path, headers) => opts.fetch(base, path, headers),
      now: opts.now,
    });
  }

  /** Whether another node owns the playback key's live stream. */
  serves(playbackKey: string): boolean {
    return this.opts.ownerUrl(playbackKey) !== undefined;
  }

  /**
   * Pulls the answer from the owner. `checked`: this node has authorized the viewer (playback.ts) and `rawPath` is
   * the public path without a credential; the pull then carries only Range and the mark, and the answer's CORS and
   * Vary headers are this node's (already set on `res`).
   */
  handle(
    req: HttpRequest,
    res: HttpResponse,
    head: boolean,
    rawPath: string,
    rawQuery: string,
    route: PulledRoute,
    checked = false,
  ): void {
    const owner = this.opts.ownerUrl(route.playbackKey);
    if (owner === undefined) return sendPlaybackError(res, head, rawPath, PLAYBACK_ERRORS.channelOffline, 'Channel is offline');
    const headers = checked ? checkedHeaders(req) : this.forwardedHeaders(req);
    if (route.kind === 'media') this.countViewer(req, route.playbackKey, route.streamId, rawQuery);
    const query = route.kind === 'multivariant' ? rawQuery : withoutViewerSession(rawQuery);
    const pathAndQuery = query === '' ? rawPath : `${rawPath}?${query}`;
    const key = `${pathAndQuery}\n${JSON.stringify(headers)}`;
    const now = this.#now();
    const cached = this.#cache.get(key);
    if (cached && cached.expiresAt > now) return send(res, head, cached.upstream, checked);
    const pull =
      route.kind === 'multivariant'
        ? this.opts.fetch(owner, pathAndQuery, headers)
        : this.coalesced(owner, pathAndQuery, headers, key);
    pull.then(
      (upstream) => {
        if (route.kind === 'immutable' && upstream.status === 200) this.keep(key, upstream);
        if (route.kind === 'multivariant' && upstream.status === 200) this.access.learnHeights(upstream.body.toString('utf8'));
        send(res, head, upstream, checked);
      },
      () => {
        if (!res.headersSent)
          sendPlaybackError(res, head, rawPath, PLAYBACK_ERRORS.unavailable, 'The origin node did not answer');
      },
    );
  }

  /** Viewers counted here per channel ARN, for streams pulled from their owners. */
  viewerCounts(match: (channelArn: string) => boolean): Record<string, number> {
    const now = this.#now();
    const counts: Record<string, number> = {};
    for (const [playbackKey, entry] of this.#viewers) {
      if (now - entry.lastMs > VIEWERS_IDLE_MS) {
        this.#viewers.delete(playbackKey);
        continue;
      }
      const channelArn = channelArnOf(playbackKey);
      if (channelArn !== undefined && match(channelArn)) counts[channelArn] = entry.counter.count(now);
    }
    return counts;
  }

  /** Viewers counted here of pulled streams in an account and region. */
  viewersInScope(scope: { account: string; region: string }): number {
    const prefix = `arn:aws:ivs:${scope.region}:${scope.account}:`;
    let total = 0;
    for (const n of Object.values(this.viewerCounts((arn) => arn.startsWith(prefix)))) total += n;
    return total;
  }

  private coalesced(owner: string, pathAndQuery: string, headers: Record<string, string>, key: string): Promise<Upstream> {
    const pending = this.#inflight.get(key);
    if (pending) return pending;
    const pull = this.opts.fetch(owner, pathAndQuery, headers).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, pull);
    return pull;
  }

  private keep(key: string, upstream: Upstream): void {
    const now = this.#now();
    const limit = this.opts.cacheBytes ?? 128 * 1024 * 1024;
    if (upstream.body.length > limit / 4) return;
    // Oldest first: expired entries, then the least recently added until it fits.
    for (const [k, entry] of this.#cache) {
      if (entry.expiresAt > now && this.#cachedBytes + upstream.body.length <= limit) break;
      this.#cache.delete(k);
      this.#cachedBytes -= entry.upstream.body.length;
    }
    this.#cache.set(key, { upstream, expiresAt: now + (this.opts.cacheMs ?? 30_000) });
    this.#cachedBytes += upstream.body.length;
  }

  private forwardedHeaders(req: HttpRequest): Record<string, string> {
    const headers: Record<string, string> = {};
    const names = this.opts.viewerCountryHeader ? [...FORWARD_HEADERS, this.opts.viewerCountryHeader] : FORWARD_HEADERS;
    for (const name of names) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    return headers;
  }

  private countViewer(req: HttpRequest, playbackKey: string, streamId: string, rawQuery: string): void {
    const viewerSession = rawQuery.includes('vs=') ? queryParam(rawQuery, 'vs') : undefined;
    if (!viewerSession) return;
    const now = this.#now();
    let entry = this.#viewers.get(playbackKey);
    if (entry === undefined || entry.streamId !== streamId) {
      if (!this.opts.viewerSessions.verify(bindingOf(playbackKey, streamId), viewerSession, now)) return;
      entry = { streamId, counter: new ViewerCounter(), lastMs: now };
      this.#viewers.set(playbackKey, entry);
    } else if (entry.counter.touch(viewerSession, now)) {
      entry.lastMs = now;
      return;
    } else if (!this.opts.viewerSessions.verify(bindingOf(playbackKey, streamId), viewerSession, now)) {
      return;
    }
    entry.lastMs = now;
    entry.counter.seen(viewerSession, this.opts.clientAddress(req), now);
  }
}

/** The headers of a checked pull: Range (the answer depends on it) and the mark. */
function checkedHeaders(req: HttpRequest): Record<string, string> {
  const headers: Record<string, string> = { [PEER_AUTHORIZED_HEADER]: '1' };
  if (typeof req.headers.range === 'string') headers.range = req.headers.range;
  return headers;
}

/** CORS and Vary decided here for a checked request (already on `res`), never taken from the owner's answer. */
const LOCAL_HEADERS = new Set(['access-control-allow-origin', 'vary']);

function send(res: HttpResponse, head: boolean, upstream: Upstream, checked = false): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | string[]> = { 'content-length': String(upstream.body.length) };
  for (const name of PASS_HEADERS) {
    if (checked && LOCAL_HEADERS.has(name) && res.getHeader(name) !== undefined) continue;
    const value = upstream.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  res.writeHead(upstream.status, headers);
  if (head) res.end();
  else res.end(upstream.body);
}

/** The query without `vs=` (the viewer's session id): the owner's answer is the same for every viewer. */
function withoutViewerSession(rawQuery: string): string {
  if (!rawQuery.includes('vs=')) return rawQuery;
  return rawQuery
    .split('&')
    .filter((p) => !p.startsWith('vs='))
    .join('&');
}

/** `<region>.<account>.channel.<id>` → the channel's ARN. */
function channelArnOf(playbackKey: string): string | undefined {
  const [region, account, kind, id] = playbackKey.split('.');
  return kind === 'channel' && id !== undefined ? `arn:aws:ivs:${region}:${account}:channel/${id}` : undefined;
}
