// Playback over HTTP, served from memory (never the database): the multivariant playlist at the
// channel's playbackUrl, media playlists and segments behind it. Offline or unknown channels get a
// 404 with IVS's JSON error body; over the concurrent-viewers quota the multivariant playlist is 429.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { QuotaConfig } from '../../config-types.js';
import { randomAlphanumeric } from '../../domain/ids.js';
import { renderMediaPlaylist, renderMultivariantPlaylist } from '../package/playlists.js';
import { renditionEntry } from '../package/rendition-entry.js';
import type { HlsSegmenter } from '../package/segmenter.js';
import type { LiveRegistry } from '../registry/registry.js';
import { mediaPlaylistUri, parsePlaybackPath, scopeOfKey, segmentUri, type PlaybackRoute } from './routes.js';
import { answerPlaybackPreflight, PLAYLIST_TYPE, SEGMENT_TYPES, sendBody, sendPlaybackError } from './responses.js';

const PLAYLIST_CACHE = 'max-age=1';
const SEGMENT_CACHE = 'public, max-age=604800, immutable';

export interface PlaybackDeps {
  registry: LiveRegistry;
  quotas: QuotaConfig;
  now?: () => number;
}

/** Handles a request under /api/video/v1/; the caller routes by prefix. */
export function handlePlayback(deps: PlaybackDeps, req: IncomingMessage, res: ServerResponse, rawPath: string, rawQuery: string): void {
  const head = req.method === 'HEAD';
  if (req.method === 'OPTIONS') return answerPlaybackPreflight(res);
  if (req.method !== 'GET' && !head) {
    res.writeHead(405, { allow: 'GET, HEAD, OPTIONS', 'content-length': 0 });
    res.end();
    return;
  }
  const route = parsePlaybackPath(rawPath);
  if (!route) return sendPlaybackError(res, head, 404, rawPath, 'Not found', 'not_found');
  switch (route.kind) {
    case 'multivariant': return multivariant(deps, res, head, rawPath, route.playbackKey);
    case 'media': return mediaPlaylist(deps, res, head, rawPath, route, rawQuery);
    case 'segment': return segment(deps, res, head, rawPath, route);
  }
}

function multivariant(deps: PlaybackDeps, res: ServerResponse, head: boolean, url: string, playbackKey: string): void {
  const stream = deps.registry.forPlayback(playbackKey);
  if (!stream || stream.ended || stream.source.window.last === undefined) {
    return sendPlaybackError(res, head, 404, url, 'Channel is offline or does not exist', 'channel_offline');
  }
  if (stream.channel.authorized) {
    // Playback tokens for private channels are not implemented yet: refuse rather than leak.
    return sendPlaybackError(res, head, 403, url, 'This channel requires a playback authorization token',
      'invalid_playback_auth_token');
  }
  if (deps.registry.viewersInScope(scopeOfKey(playbackKey)) >= deps.quotas.concurrentViewers) {
    return sendPlaybackError(res, head, 429, url, 'Concurrent viewers quota exceeded', 'concurrent_viewers_quota_exceeded');
  }
  const viewerSession = randomAlphanumeric(16);
  const renditions = [...stream.renditions.entries()].map(([name, segmenter]) =>
    renditionEntry(segmenter, mediaPlaylistUri(playbackKey, stream.streamId, name, viewerSession)));
  const body = renderMultivariantPlaylist({ renditions, independentSegments: true });
  sendBody(res, head, 200, PLAYLIST_TYPE, 'no-cache', body);
}

function mediaPlaylist(
  deps: PlaybackDeps, res: ServerResponse, head: boolean, url: string,
  route: Extract<PlaybackRoute, { kind: 'media' }>, rawQuery: string,
): void {
  const stream = deps.registry.forPlayback(route.playbackKey);
  const segmenter = stream?.streamId === route.streamId ? stream.renditions.get(route.rendition) : undefined;
  if (!stream || !segmenter) return sendPlaybackError(res, head, 404, url, 'Stream or rendition not found', 'not_found');
  const viewerSession = new URLSearchParams(rawQuery).get('vs');
  if (viewerSession && /^[A-Za-z0-9]{16}$/.test(viewerSession)) stream.viewers.seen(viewerSession, (deps.now ?? Date.now)());
  sendBody(res, head, 200, PLAYLIST_TYPE, PLAYLIST_CACHE, cachedMediaPlaylist(segmenter, route.rendition));
}

// A media playlist only changes when a segment is added or the stream ends, yet every viewer
// reloads it every couple of seconds: render it once per change.
const playlistCache = new WeakMap<HlsSegmenter, { version: string; body: Buffer }>();

function cachedMediaPlaylist(segmenter: HlsSegmenter, rendition: string): Buffer {
  const version = `${segmenter.window.last?.sequence ?? -1}:${segmenter.ended}`;
  const cached = playlistCache.get(segmenter);
  if (cached?.version === version) return cached.body;
  const extension = segmenter.writer.extension;
  const text = renderMediaPlaylist(segmenter.playlistState(), (s) => segmentUri(rendition, s.sequence, extension));
  const body = Buffer.from(text);
  playlistCache.set(segmenter, { version, body });
  return body;
}

function segment(
  deps: PlaybackDeps, res: ServerResponse, head: boolean, url: string,
  route: Extract<PlaybackRoute, { kind: 'segment' }>,
): void {
  const stream = deps.registry.forPlayback(route.playbackKey);
  const segmenter = stream?.streamId === route.streamId ? stream.renditions.get(route.rendition) : undefined;
  const found = segmenter && segmenter.writer.extension === route.extension ? segmenter.window.find(route.sequence) : undefined;
  if (!found) return sendPlaybackError(res, head, 404, url, 'Segment not found', 'not_found');
  sendBody(res, head, 200, SEGMENT_TYPES[route.extension] ?? 'application/octet-stream', SEGMENT_CACHE, found.bytes);
}
