// Playback over HTTP, served from memory (never the database): the multivariant playlist at the
// channel's playbackUrl, media playlists (HLS or LL-HLS), segments, parts and fMP4 init sections
// behind it. Offline or unknown channels get a 404 with IVS's JSON error body; over the
// concurrent-viewers quota the multivariant playlist is 429.

import type { HttpRequest, HttpResponse } from '../../http/types.js';
import type { QuotaConfig } from '../../config-types.js';
import { randomAlphanumeric } from '../../domain/ids.js';
import { renderMultivariantPlaylist } from '../package/playlists.js';
import { renditionEntry } from '../package/rendition-entry.js';
import type { LiveRegistry } from '../registry/registry.js';
import { sendInit, sendPart, sendSegment } from './media-objects.js';
import { sendMediaPlaylist } from './media-playlist.js';
import { parsePartPath } from './part-routes.js';
import { answerPlaybackPreflight, PLAYLIST_TYPE, sendBody, sendPlaybackError } from './responses.js';
import { mediaPlaylistUri, parsePlaybackPath, scopeOfKey } from './routes.js';

export interface PlaybackDeps {
  registry: LiveRegistry;
  quotas: QuotaConfig;
  now?: () => number;
}

/** Each LL-HLS viewer holds about two requests per rendition (playlist reload and hinted part). */
const maxWaiters = (deps: PlaybackDeps) => 4 * deps.quotas.concurrentViewers;

/** Handles a request under /api/video/v1/; the caller routes by prefix. */
export function handlePlayback(deps: PlaybackDeps, req: HttpRequest, res: HttpResponse, rawPath: string, rawQuery: string): void {
  const head = req.method === 'HEAD';
  if (req.method === 'OPTIONS') return answerPlaybackPreflight(res);
  if (req.method !== 'GET' && !head) {
    res.writeHead(405, { allow: 'GET, HEAD, OPTIONS', 'content-length': 0 });
    res.end();
    return;
  }
  const failed = () => {
    if (!res.headersSent) sendPlaybackError(res, head, 500, rawPath, 'Internal error', 'internal_error');
  };
  const part = parsePartPath(rawPath);
  if (part) {
    const found = lookup(deps, part.playbackKey, part.streamId, part.rendition);
    if (!found) return sendPlaybackError(res, head, 404, rawPath, 'Part not found', 'not_found');
    sendPart(found.stream, found.segmenter, part, res, head, rawPath, maxWaiters(deps)).catch(failed);
    return;
  }
  const route = parsePlaybackPath(rawPath);
  if (!route) return sendPlaybackError(res, head, 404, rawPath, 'Not found', 'not_found');
  if (route.kind === 'multivariant') return multivariant(deps, res, head, rawPath, route.playbackKey);
  const found = lookup(deps, route.playbackKey, route.streamId, route.rendition);
  if (!found) return sendPlaybackError(res, head, 404, rawPath, 'Stream or rendition not found', 'not_found');
  switch (route.kind) {
    case 'media':
      countViewer(deps, found.stream, rawQuery);
      sendMediaPlaylist(found.stream, found.segmenter, route.rendition, res, head, rawPath, rawQuery, maxWaiters(deps))
        .catch(failed);
      return;
    case 'segment': return sendSegment(found.segmenter, route.sequence, route.extension, res, head, rawPath);
    case 'init': return sendInit(found.segmenter, res, head, rawPath);
  }
}

function lookup(deps: PlaybackDeps, playbackKey: string, streamId: string, rendition: string) {
  const stream = deps.registry.forPlayback(playbackKey);
  const segmenter = stream?.streamId === streamId ? stream.renditions.get(rendition) : undefined;
  return stream && segmenter ? { stream, segmenter } : undefined;
}

function countViewer(deps: PlaybackDeps, stream: { viewers: { seen(id: string, now: number): void } }, rawQuery: string): void {
  if (!rawQuery.includes('vs=')) return;
  const viewerSession = new URLSearchParams(rawQuery).get('vs');
  if (viewerSession && /^[A-Za-z0-9]{16}$/.test(viewerSession)) stream.viewers.seen(viewerSession, (deps.now ?? Date.now)());
}

function multivariant(deps: PlaybackDeps, res: HttpResponse, head: boolean, url: string, playbackKey: string): void {
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
  // A rung of the ladder is listed once it has a segment, so players never pick an empty playlist.
  const renditions = [...stream.renditions.entries()]
    .filter(([, segmenter]) => segmenter.window.last !== undefined)
    .map(([name, segmenter]) => renditionEntry(segmenter, mediaPlaylistUri(playbackKey, stream.streamId, name, viewerSession)));
  const body = renderMultivariantPlaylist({ renditions, independentSegments: true });
  sendBody(res, head, 200, PLAYLIST_TYPE, 'no-cache', body);
}
