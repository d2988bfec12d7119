// Playback over HTTP, served from memory (never the database): the multivariant playlist at the
// channel's playbackUrl, media playlists (HLS or LL-HLS), segments, parts and fMP4 init sections
// behind it. Offline or unknown channels get a 404 with IVS's JSON error body; over the
// concurrent-viewers quota the multivariant playlist is 429. Private channels (authorized) need a
// playback token on the multivariant playlist and the session credential it yields on everything
// behind it (auth/), else 403. Channels with a playback restriction policy (kept in the stream's channel snapshot)
// have it checked on every request (auth/restriction.ts), else 403; for private channels both apply.
// The multivariant playlist answers once the stream is announced (Stream Start, GetStream LIVE: registry/readiness.ts)
// and hands each request a viewer session id (auth/viewer-session.ts) that media-playlist requests carry as `vs=`;
// only authentic ids count as viewers, and only as registry/viewers.ts allows.

import type { HttpRequest, HttpResponse } from '../../http-types.js';
import type { QuotaConfig } from '../../config/types.js';
import { randomBytes } from 'node:crypto';
import { renderMultivariantPlaylist } from '../package/playlists.js';
import { renditionEntry } from '../package/rendition-entry.js';
import type { LiveRegistry } from '../registry/registry.js';
import { SOURCE_RENDITION, type LiveStream } from '../registry/live-stream.js';
import type { PlaybackRestriction } from '../registry/playback-restriction.js';
import type { HlsSegmenter } from '../package/segmenter.js';
import type { Admission, PlaybackAuthorizer } from './auth/authorizer.js';
import { checkRestriction, combineAllowOrigin, type RestrictionDecision } from './auth/restriction.js';
import { privateMediaPlaylistUri, queryParam, splitCredential } from './auth/credential-path.js';
import { bindingOf } from './auth/credential.js';
import { ViewerSessions } from './auth/viewer-session.js';
import { sendInit, sendPart, sendSegment } from './media-objects.js';
import { HeldRequests } from './held-requests.js';
import { coarseNow } from './coarse-clock.js';
import { countResponseWith, type StatusCounter } from './request-counting.js';
import type { OriginPull, PulledRoute } from './origin-pull.js';
import { sendMediaPlaylist } from './media-playlist.js';
import { parsePartPath, type PartRoute } from './part-routes.js';
import { PLAYBACK_ERRORS } from './error-codes.js';
import {
  answerPlaybackPreflight,
  CACHE,
  PLAYLIST_TYPE,
  sendBody,
  sendPlaybackError,
  setPlaybackCors,
  setPlaybackVary,
} from './responses.js';
import { mediaPlaylistUri, parsePlaybackPath, PLAYBACK_PREFIX, scopeOfKey, type PlaybackRoute } from './routes.js';
import type { StreamAccess } from './stream-access.js';
import type { Scope } from '../../domain/context.js';

export interface PlaybackDeps {
  registry: LiveRegistry;
  quotas: QuotaConfig;
  /** The clock of viewer counting and viewer sessions; default: coarse-clock.ts (to the tenth of a second). */
  now?: () => number;
  /** Private-channel authorization; without it private channels answer 403. */
  auth?: PlaybackAuthorizer;
  /** Lower-case name of the header carrying the viewer's country (set by a CDN); undefined: countries not checked. */
  viewerCountryHeader?: string;
  /**
   * Mints and checks viewer session ids (`vs=`). app.ts keys it from the persisted playback-session secret; without
   * it, a key made for this process (ids then stop counting after a restart, until players reload).
   */
  viewerSessions?: ViewerSessions;
  /**
   * The viewer's address, for the per-client bounds of viewer counting and of held requests. Default: the TCP peer.
   * Behind a CDN or proxy it must come from a header the proxy sets (and that viewers cannot reach around it), else
   * every viewer behind one edge address shares one bound.
   */
  clientAddress?: (req: HttpRequest) => string | undefined;
  /** Shares of held requests per client; default: one per PlaybackDeps object. */
  held?: HeldRequests;
  /** In a cluster: streams another node owns are pulled from it (origin-pull.ts). */
  remote?: OriginPull;
  /**
   * In a cluster: whether a request is a pull by another node that has authorized its viewer itself (the
   * origin-pull mark under a valid cluster signature); such requests skip the private-channel and policy checks.
   */
  peerAuthorized?: (req: HttpRequest) => boolean;
  /**
   * In a cluster: the viewers the other nodes count in an account and region (kept a few seconds), so that the
   * concurrent-viewers quota holds for the whole cluster.
   */
  viewersElsewhere?: (scope: Scope) => number | Promise<number>;
  /** The counter of a kind of GET/HEAD request (metrics): called with each answer's status (request-counting.ts). */
  counterOf?: (kind: PlaybackRequestKind) => StatusCounter;
}

export type PlaybackRequestKind = 'multivariant' | 'media_playlist' | 'blocking_reload' | 'part' | 'segment' | 'init' | 'other';

interface Found {
  stream: LiveStream;
  segmenter: HlsSegmenter;
}

/** Each LL-HLS viewer holds about two requests per rendition (playlist reload and hinted part). */
const maxWaiters = (deps: PlaybackDeps) => 4 * deps.quotas.concurrentViewers;

const processViewerSessions = new ViewerSessions(randomBytes(32));
const sessionsOf = (deps: PlaybackDeps) => deps.viewerSessions ?? processViewerSessions;
const nowOf = (deps: PlaybackDeps) => (deps.now === undefined ? coarseNow() : deps.now());
const peerAddress = (req: HttpRequest) => req.socket?.remoteAddress;
const MAX_ADDRESS_CHARS = 64;

/**
 * The viewer's address: from `header` when given (an edge in front sets it; every TCP peer is then the edge), the TCP
 * peer when the header is absent or not given. Bounded, so a forged value cannot grow the counting buckets' keys.
 */
export function viewerAddress(header: string | undefined): (req: HttpRequest) => string | undefined {
  if (header === undefined) return peerAddress;
  return (req) => {
    const value = req.headers[header];
    return typeof value === 'string' && value.length > 0 ? value.trim().slice(0, MAX_ADDRESS_CHARS) : peerAddress(req);
  };
}
const clientOf = (deps: PlaybackDeps, req: HttpRequest) => (deps.clientAddress ?? peerAddress)(req);
const heldOf = (deps: PlaybackDeps) => (deps.held ??= new HeldRequests());

/** Handles a request under /api/video/v1/; the caller routes by prefix. */
export function handlePlayback(deps: PlaybackDeps, req: HttpRequest, res: HttpResponse, rawPath: string, rawQuery: string): void {
  const head = req.method === 'HEAD';
  if (req.method === 'OPTIONS') return answerPlaybackPreflight(res);
  if (req.method !== 'GET' && !head) {
    res.setHeader('allow', 'GET, HEAD, OPTIONS');
    return sendPlaybackError(
      res,
      false,
      rawPath,
      PLAYBACK_ERRORS.methodNotAllowed,
      `Method ${req.method} is not allowed: use GET`,
    );
  }
  // Private sessions carry their credential as a path segment; the rest is the public layout (and error bodies
  // name the path without it).
  const split = splitCredential(rawPath);
  const path = split ? split.path : rawPath;
  const credential = split?.credential;
  const playlist = path.endsWith('.m3u8');
  if (playlist) {
    // The request a live server answers most: a live rendition's playlist reload (a stream live here is never pulled).
    const live = liveMediaPlaylist(deps.registry, path);
    if (live) return mediaPlaylistRequest(deps, req, res, head, rawPath, path, rawQuery, live, credential);
  }
  const part = playlist ? undefined : parsePartPath(path);
  const pulled = deps.remote && pulledRoute(deps, deps.remote, path, part);
  if (pulled)
    return pull(deps, deps.remote!, req, res, head, rawPath, rawQuery, path, credential, pulled, failure(res, head, rawPath));
  if (part) return handlePart(deps, req, res, head, rawPath, path, credential, part);
  const route = parsePlaybackPath(path);
  if (deps.counterOf) countResponseWith(res, deps.counterOf(route === undefined ? 'other' : requestKind(route.kind, rawQuery)));
  if (!route) return sendPlaybackError(res, head, path, PLAYBACK_ERRORS.notFound, 'Not found');
  if (route.kind === 'multivariant')
    return multivariant(deps, req, res, head, path, route.playbackKey, rawQuery, failure(res, head, rawPath));
  const found = lookup(deps, route.playbackKey, route.streamId, route.rendition);
  if (!found) return sendPlaybackError(res, head, path, PLAYBACK_ERRORS.notFound, 'Stream or rendition not found');
  // Public channels without a policy, the usual case, answer here; no closure is made for them (nor is any in this
  // function: V8 would allocate their shared context on every request).
  const { channel } = found.stream;
  if (!channel.authorized && channel.restriction === undefined)
    return respondStream(deps, req, res, head, rawPath, path, rawQuery, route, found);
  authorizedStream(deps, req, res, head, rawPath, path, rawQuery, route, found, credential);
}

/** The answer to a failure after the request was accepted (a rejected promise): a 500 unless an answer is under way. */
const failure = (res: HttpResponse, head: boolean, rawPath: string) => () => {
  if (!res.headersSent) sendPlaybackError(res, head, rawPath, PLAYBACK_ERRORS.internalError, 'Internal error');
};

function handlePart(
  deps: PlaybackDeps,
  req: HttpRequest,
  res: HttpResponse,
  head: boolean,
  rawPath: string,
  path: string,
  credential: string | undefined,
  part: PartRoute,
): void {
  if (deps.counterOf) countResponseWith(res, deps.counterOf('part'));
  const found = lookup(deps, part.playbackKey, part.streamId, part.rendition);
  if (!found) return sendPlaybackError(res, head, path, PLAYBACK_ERRORS.notFound, 'Part not found');
  const failed = failure(res, head, rawPath);
  authorized(deps, req, res, head, path, found.stream, heightOf(found), credential, failed, () => {
    if (!heldOf(deps).admit(found.stream, clientOf(deps, req), res)) return tooManyHeld(res, head, path);
    sendPart(found.stream, found.segmenter, part, res, head, path, maxWaiters(deps)).catch(failed);
  });
}

type StreamRoute = Exclude<PlaybackRoute, { kind: 'multivariant' }>;

interface LivePlaylist extends Found {
  rendition: string;
}

const SLASH = 0x2f;
const M3U8 = '.m3u8'.length;

/**
 * The stream and rendition of `path` (a public-layout path ending in .m3u8) when it is a media playlist of a stream
 * live here: found by the playback key, then the stream id and rendition compared in place, without the route
 * expression, its captures or a route object. Equivalent to parsePlaybackPath + lookup for such paths: the registry's
 * keys, stream ids and rendition names all have the route's syntax, so only a path the expression accepts can match
 * them exactly. Anything else (not live, ended, a malformed path) is left to the general route.
 */
function liveMediaPlaylist(registry: LiveRegistry, path: string): LivePlaylist | undefined {
  const keyEnd = path.indexOf('/', PLAYBACK_PREFIX.length);
  if (keyEnd === -1) return undefined;
  const stream = registry.forPlayback(path.slice(PLAYBACK_PREFIX.length, keyEnd));
  if (stream === undefined || stream.ended) return undefined;
  const { streamId } = stream;
  const idEnd = keyEnd + 1 + streamId.length;
  if (path.charCodeAt(idEnd) !== SLASH || !path.startsWith(streamId, keyEnd + 1)) return undefined;
  const rendition = path.slice(idEnd + 1, path.length - M3U8);
  const segmenter = stream.renditions.get(rendition);
  return segmenter === undefined ? undefined : { stream, segmenter, rendition };
}

/** A media playlist of a stream live here (liveMediaPlaylist): counted, authorized when it must be, answered. */
function mediaPlaylistRequest(
  deps: PlaybackDeps,
  req: HttpRequest,
  res: HttpResponse,
  head: boolean,
  rawPath: string,
  path: string,
  rawQuery: string,
  live: LivePlaylist,
  credential: string | undefined,
): void {
  if (deps.counterOf) countResponseWith(res, deps.counterOf(requestKind('media', rawQuery)));
  const { channel } = live.stream;
  if (!channel.authorized && channel.restriction === undefined)
    return respondMediaPlaylist(deps, req, res, head, rawPath, path, rawQuery, live.rendition, live);
  const { stream, rendition } = live;
  const route: StreamRoute = { kind: 'media', playbackKey: stream.playbackKey, streamId: stream.streamId, rendition };
  authorizedStream(deps, req, res, head, rawPath, path, rawQuery, route, live, credential);
}

/** A private channel's or a restricted one's media playlist, segment or init section, once it is allowed. */
function authorizedStream(
  deps: PlaybackDeps,
  req: HttpRequest,
  res: HttpResponse,
  head: boolean,
  rawPath: string,
  path: string,
  rawQuery: string,
  route: StreamRoute,
  found: Found,
  credential: string | undefined,
): void {
  authorized(deps, req, res, head, path, found.stream, heightOf(found), credential, failure(res, head, rawPath), () =>
    respondStream(deps, req, res, head, rawPath, path, rawQuery, route, found),
  );
}

function respondStream(
  deps: PlaybackDeps,
  req: HttpRequest,
  res: HttpResponse,
  head: boolean,
  rawPath: string,
  path: string,
  rawQuery: string,
  route: StreamRoute,
  found: Found,
): void {
  switch (route.kind) {
    case 'media':
      return respondMediaPlaylist(deps, req, res, head, rawPath, path, rawQuery, route.rendition, found);
    case 'segment':
      return sendSegment(
        found.stream,
        found.segmenter,
        route.sequence,
        route.extension,
        res,
        head,
        path,
        maxWaiters(deps),
        typeof req.headers.range === 'string' ? req.headers.range : undefined,
      );
    case 'init':
      return sendInit(found.segmenter, res, head, path);
  }
}

function respondMediaPlaylist(
  deps: PlaybackDeps,
  req: HttpRequest,
  res: HttpResponse,
  head: boolean,
  rawPath: string,
  path: string,
  rawQuery: string,
  rendition: string,
  found: Found,
): void {
  countViewer(deps, req, found.stream, rawQuery);
  // Only LL-HLS playlist requests with _HLS_msn can be held.
  if (
    found.segmenter.partTargetMs !== undefined &&
    rawQuery.includes('_HLS_msn') &&
    !heldOf(deps).admit(found.stream, clientOf(deps, req), res)
  )
    return tooManyHeld(res, head, path);
  sendMediaPlaylist(found.stream, found.segmenter, rendition, res, head, path, rawQuery, maxWaiters(deps))?.catch(
    failure(res, head, rawPath),
  );
}

/** The route, when the stream is not (or no longer) live here and another node owns it. */
function pulledRoute(
  deps: PlaybackDeps,
  remote: OriginPull,
  path: string,
  part: { playbackKey: string; streamId: string; rendition: string } | undefined,
): PulledRoute | undefined {
  const route = part ?? parsePlaybackPath(path);
  if (route === undefined) return undefined;
  const { playbackKey } = route;
  const local = deps.registry.forPlayback(playbackKey);
  if ((local !== undefined && !local.ended) || !remote.serves(playbackKey)) return undefined;
  if (!('streamId' in route)) return { kind: 'multivariant', playbackKey };
  const kind = 'kind' in route && route.kind === 'media' ? 'media' : 'immutable';
  return { kind, playbackKey, streamId: route.streamId, rendition: route.rendition };
}

/**
 * A request for a stream another node owns. Private channels and restriction policies are checked here when the
 * owner's access snapshot is at hand (and, for private channels, the rendition's height), then pulled without the
 * credential (one pull for every viewer); otherwise, and for the multivariant playlist, forwarded as it came.
 */
function pull(
  deps: PlaybackDeps,
  remote: OriginPull,
  req: HttpRequest,
  res: HttpResponse,
  head: boolean,
  rawPath: string,
  rawQuery: string,
  path: string,
  credential: string | undefined,
  route: PulledRoute,
  failed: () => void,
): void {
  if (route.kind === 'multivariant') return remote.handle(req, res, head, rawPath, rawQuery, route);
  const decide = (access: StreamAccess | undefined) => {
    const height = remote.access.heightOf(route.playbackKey, route.streamId, route.rendition);
    const checkable =
      access !== undefined &&
      access.streamId === route.streamId &&
      (access.channel.authorized || access.channel.restriction !== undefined) &&
      (!access.channel.authorized || height !== undefined);
    if (!checkable) return remote.handle(req, res, head, rawPath, rawQuery, route);
    authorized(deps, req, res, head, path, access, height, credential, failed, () =>
      remote.handle(req, res, head, path, rawQuery, route, true),
    );
  };
  const access = remote.access.of(route.playbackKey);
  if (access instanceof Promise) access.then(decide).catch(failed);
  else decide(access);
}

const heightOf = (found: Found) => found.segmenter.currentTracks.video?.height;

const requestKind = (kind: 'multivariant' | 'media' | 'segment' | 'init', rawQuery: string): PlaybackRequestKind =>
  kind !== 'media' ? kind : rawQuery.includes('_HLS_msn') ? 'blocking_reload' : 'media_playlist';

const tooManyHeld = (res: HttpResponse, head: boolean, url: string) =>
  sendPlaybackError(
    res,
    head,
    url,
    PLAYBACK_ERRORS.unavailable,
    'Too many held requests from this client: wait for the ones pending',
  );

const originOf = (req: HttpRequest) => (typeof req.headers.origin === 'string' ? req.headers.origin : undefined);

/** Also tells a shared cache in front that the answer depends on the viewer's country (`vary`), when it is checked. */
function restriction(
  deps: PlaybackDeps,
  req: HttpRequest,
  res: HttpResponse,
  policy: PlaybackRestriction,
  entry: boolean,
): RestrictionDecision {
  const name = deps.viewerCountryHeader;
  if (name !== undefined) setPlaybackVary(res, name);
  const country = name === undefined ? undefined : req.headers[name];
  return checkRestriction(policy, originOf(req), name !== undefined, typeof country === 'string' ? country : undefined, entry);
}

/**
 * Public channels without a policy: respond at once. With a policy: once it allows the request. Private: once the
 * session credential is checked too (synchronously when cached). A pull by a node that checked these itself: at once.
 */
function authorized(
  deps: PlaybackDeps,
  req: HttpRequest,
  res: HttpResponse,
  head: boolean,
  url: string,
  stream: StreamAccess,
  height: number | undefined,
  credential: string | undefined,
  failed: () => void,
  respond: () => void,
): void {
  const { channel } = stream;
  if (!channel.authorized && channel.restriction === undefined) return respond();
  if (deps.peerAuthorized?.(req)) return respond();
  let policyOrigin: string | null | undefined;
  if (channel.restriction !== undefined) {
    const allowed = restriction(deps, req, res, channel.restriction, false);
    if (!allowed.ok) return sendPlaybackError(res, head, url, PLAYBACK_ERRORS.restricted, allowed.message);
    policyOrigin = allowed.allowOrigin;
    if (!channel.authorized) {
      if (policyOrigin !== undefined) setPlaybackCors(res, policyOrigin);
      return respond();
    }
  }
  if (!deps.auth)
    return sendPlaybackError(res, head, url, PLAYBACK_ERRORS.invalidToken, 'Private channels are not enabled on this server');
  const apply = (d: { ok: true; allowOrigin: string | null } | { ok: false; message: string }) => {
    if (!d.ok) return sendPlaybackError(res, head, url, PLAYBACK_ERRORS.invalidToken, d.message);
    setPlaybackCors(res, combineAllowOrigin(policyOrigin, d.allowOrigin));
    respond();
  };
  const decision = deps.auth.checkMedia(credential, stream, originOf(req), height);
  if (decision instanceof Promise) decision.then(apply).catch(failed);
  else apply(decision);
}

function lookup(deps: PlaybackDeps, playbackKey: string, streamId: string, rendition: string): Found | undefined {
  const stream = deps.registry.forPlayback(playbackKey);
  const segmenter = stream?.streamId === streamId ? stream.renditions.get(rendition) : undefined;
  return stream && segmenter ? { stream, segmenter } : undefined;
}

/** A media-playlist request: its `vs` counts if this server minted it for this stream (checked once per session). */
function countViewer(deps: PlaybackDeps, req: HttpRequest, stream: LiveStream, rawQuery: string): void {
  const viewerSession = queryParam(rawQuery, 'vs');
  if (!viewerSession) return;
  const now = nowOf(deps);
  if (stream.viewers.touch(viewerSession, now)) return;
  if (!sessionsOf(deps).verify(bindingOf(stream.playbackKey, stream.streamId), viewerSession, now)) return;
  stream.viewers.seen(viewerSession, clientOf(deps, req), now);
}

function multivariant(
  deps: PlaybackDeps,
  req: HttpRequest,
  res: HttpResponse,
  head: boolean,
  url: string,
  playbackKey: string,
  rawQuery: string,
  failed: () => void,
): void {
  const stream = deps.registry.forPlayback(playbackKey);
  // Not before Stream Start: from then on every listed rendition has a segment (registry/readiness.ts).
  if (!stream || stream.ended || !stream.started) {
    return sendPlaybackError(res, head, url, PLAYBACK_ERRORS.channelOffline, 'Channel is offline or does not exist');
  }
  // Before authorization, so a refused request does not use up a single-use token.
  const over = viewersOverQuota(deps, scopeOfKey(playbackKey));
  const admit = (refused: boolean) => {
    if (refused) {
      return sendPlaybackError(res, head, url, PLAYBACK_ERRORS.viewersQuotaExceeded, 'Concurrent viewers quota exceeded');
    }
    admitViewer(deps, req, res, head, url, playbackKey, stream, rawQuery, failed);
  };
  if (over instanceof Promise) over.then(admit).catch(failed);
  else admit(over);
}

/** Viewers counted here (streams owned and pulled) and, in a cluster, by the other nodes, against the quota. */
function viewersOverQuota(deps: PlaybackDeps, scope: Scope): boolean | Promise<boolean> {
  const here = deps.registry.viewersInScope(scope) + (deps.remote?.viewersInScope(scope) ?? 0);
  if (here >= deps.quotas.concurrentViewers) return true;
  const elsewhere = deps.viewersElsewhere?.(scope) ?? 0;
  const over = (n: number) => here + n >= deps.quotas.concurrentViewers;
  return elsewhere instanceof Promise ? elsewhere.then(over, () => false) : over(elsewhere);
}

/** The multivariant playlist of a viewer under the quota: policy, then (private channels) the token. */
function admitViewer(
  deps: PlaybackDeps,
  req: HttpRequest,
  res: HttpResponse,
  head: boolean,
  url: string,
  playbackKey: string,
  stream: LiveStream,
  rawQuery: string,
  failed: () => void,
): void {
  // Also before authorization (single-use tokens); the policy applies to private channels too.
  let policyOrigin: string | null | undefined;
  if (stream.channel.restriction !== undefined) {
    const allowed = restriction(deps, req, res, stream.channel.restriction, true);
    if (!allowed.ok) return sendPlaybackError(res, head, url, PLAYBACK_ERRORS.restricted, allowed.message);
    policyOrigin = allowed.allowOrigin;
  }
  if (!stream.channel.authorized) {
    if (policyOrigin !== undefined) setPlaybackCors(res, policyOrigin);
    return variants(deps, res, head, url, stream, (name, vs) => mediaPlaylistUri(playbackKey, stream.streamId, name, vs));
  }
  if (!deps.auth)
    return sendPlaybackError(res, head, url, PLAYBACK_ERRORS.invalidToken, 'Private channels are not enabled on this server');
  const admitted = (admission: Admission) => {
    if (!admission.ok) return sendPlaybackError(res, head, url, PLAYBACK_ERRORS.invalidToken, admission.message);
    setPlaybackCors(res, combineAllowOrigin(policyOrigin, admission.allowOrigin));
    variants(
      deps,
      res,
      head,
      url,
      stream,
      (name, vs) => privateMediaPlaylistUri(playbackKey, stream.streamId, admission.credential, name, vs),
      admission.maxHeight,
    );
  };
  const admission = deps.auth.admit(stream, queryParam(rawQuery, 'token'), originOf(req));
  if (admission instanceof Promise) admission.then(admitted).catch(failed);
  else admitted(admission);
}

/**
 * ADVANCED_SD/ADVANCED_HD channels serve only transcoded renditions (capped at 480p/720p), never the source; while
 * their ladder runs the source is left out of the multivariant playlist (without ffmpeg it is all there is).
 */
function hidesSource(stream: LiveStream): boolean {
  return stream.transcoder !== undefined && (stream.channel.type === 'ADVANCED_SD' || stream.channel.type === 'ADVANCED_HD');
}

/** The multivariant playlist: renditions with a segment (so players never pick an empty one), up to maxHeight. */
function variants(
  deps: PlaybackDeps,
  res: HttpResponse,
  head: boolean,
  url: string,
  stream: LiveStream,
  uriFor: (rendition: string, viewerSession: string) => string,
  maxHeight?: number,
): void {
  const viewerSession = sessionsOf(deps).mint(bindingOf(stream.playbackKey, stream.streamId), nowOf(deps));
  const renditions = [...stream.renditions.entries()]
    .filter(([name]) => name !== SOURCE_RENDITION || !hidesSource(stream))
    .filter(([, segmenter]) => segmenter.window.last !== undefined)
    .filter(([, segmenter]) => maxHeight === undefined || (segmenter.currentTracks.video?.height ?? 0) <= maxHeight)
    .map(([name, segmenter]) => renditionEntry(segmenter, uriFor(name, viewerSession)));
  if (renditions.length === 0) {
    return sendPlaybackError(
      res,
      head,
      url,
      PLAYBACK_ERRORS.invalidToken,
      'No rendition at or below the maximum resolution of the token',
    );
  }
  const body = renderMultivariantPlaylist({ renditions, independentSegments: true, serverTimeMs: Date.now() });
  sendBody(res, head, 200, PLAYLIST_TYPE, CACHE.multivariant, body);
}
