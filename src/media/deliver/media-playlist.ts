// Media playlists: plain HLS for NORMAL channels (rendered once per change and shared by every
// viewer), LL-HLS for LOW channels (parts, preload hint, rendition reports, delta updates and
// blocking reload via _HLS_msn/_HLS_part) plus the two prefetch segments Amazon's IVS player streams
// (prefetch.ts): the same playlist serves both kinds of low-latency player.

import type { HttpResponse } from '../../http-types.js';
import { renderLowLatencyPlaylist, renditionReportFor, type RenditionReport } from '../package/ll-playlist.js';
import type { LowLatencyPlaylistState } from '../package/parts.js';
import { renderMediaPlaylist } from '../package/playlists.js';
import type { HlsSegmenter } from '../package/segmenter.js';
import type { LiveStream } from '../registry/live-stream.js';
import { parseDeliveryDirectives, planPlaylistReload, reloadViewOf, type SkipDirective } from './blocking.js';
import { hold } from './hold.js';
import { partUri, renditionReportUri } from './part-routes.js';
import { PLAYBACK_ERRORS } from './error-codes.js';
import { CACHE, PLAYLIST_TYPE, sendBody, sendPlaybackError } from './responses.js';
import { initUri, segmentUri } from './routes.js';

/** A rendering and the segmenter revision it was made at (NORMAL: the rendition's own). */
const playlistCache = new WeakMap<HlsSegmenter, { revision: number; body: Buffer }>();

const mapUriFor = (segmenter: HlsSegmenter, rendition: string) =>
  segmenter.writer.initSection() === undefined ? undefined : initUri(rendition);

/** NORMAL: a playlist only changes when a segment is added or the stream ends (the segmenter's revision). */
function normalPlaylist(segmenter: HlsSegmenter, rendition: string): Buffer {
  const cached = playlistCache.get(segmenter);
  if (cached?.revision === segmenter.revision) return cached.body;
  const revision = segmenter.revision;
  const extension = segmenter.writer.extension;
  const text = renderMediaPlaylist(
    { ...segmenter.playlistState(), independentSegments: true, mapUri: mapUriFor(segmenter, rendition) },
    (s) => segmentUri(rendition, s.sequence, extension),
  );
  const body = Buffer.from(text);
  playlistCache.set(segmenter, { revision, body });
  return body;
}

/**
 * The version of an ended rendition's playlist that first listed its final part and segment: end() publishes them
 * (waking held requests) and adds EXT-X-ENDLIST in the same tick, and a request held for that part is owed the
 * playlist update that contains it (6.2.5.2), not a later one. That version has no open segment and hints part 0 of
 * the next segment, which is never published (its request gets 404, 6.2.6). The difference matters: a client that
 * learns of the final part and the end in one update may never load that part (hls.js treats the partly loaded last
 * segment as done once the playlist is no longer live, and the media never reaches its end). Its next blocking
 * reload is answered at once with the final playlist (the directives are ignored once ENDLIST is there).
 */
function lastLiveVersion(state: LowLatencyPlaylistState): LowLatencyPlaylistState {
  const last = state.segments[state.segments.length - 1];
  const nextMsn = last ? last.sequence + 1 : state.mediaSequence;
  return { ...state, ended: false, pending: undefined, nextPart: { msn: nextMsn, part: 0 } };
}

/**
 * LL-HLS renderings are shared like NORMAL ones: a playlist only changes when this rendition publishes a part or ends,
 * or a sibling publishes one (its rendition report), i.e. when the revision of one of the stream's renditions grows,
 * or the renditions themselves change. A rendering keeps the renditions and revisions it was made from; comparing
 * them costs a few loads, against ~30 µs to render and far less than building a version string per request.
 */
interface LowLatencyRendering {
  renditions: HlsSegmenter[];
  revisions: number[];
  body: Buffer;
}

/** Per rendition, its renderings by variant (variantIndex). */
const lowLatencyCache = new WeakMap<HlsSegmenter, (LowLatencyRendering | undefined)[]>();

/** One slot per _HLS_skip (none, YES, v2) and beforeEnd. */
const variantIndex = (skip: SkipDirective | undefined, beforeEnd: boolean) =>
  (skip === undefined ? 0 : skip === 'YES' ? 2 : 4) + (beforeEnd ? 1 : 0);

function isCurrent(rendering: LowLatencyRendering, stream: LiveStream): boolean {
  let i = 0;
  for (const segmenter of stream.renditions.values()) {
    if (rendering.renditions[i] !== segmenter || rendering.revisions[i] !== segmenter.revision) return false;
    i++;
  }
  return i === rendering.renditions.length;
}

function cachedLowLatencyPlaylist(
  stream: LiveStream,
  segmenter: HlsSegmenter,
  rendition: string,
  skip: SkipDirective | undefined,
  beforeEnd: boolean,
): Buffer {
  let variants = lowLatencyCache.get(segmenter);
  if (!variants) lowLatencyCache.set(segmenter, (variants = []));
  const index = variantIndex(skip, beforeEnd);
  const cached = variants[index];
  if (cached && isCurrent(cached, stream)) return cached.body;
  const renditions = [...stream.renditions.values()];
  const revisions = renditions.map((r) => r.revision);
  const body = Buffer.from(lowLatencyPlaylist(stream, segmenter, rendition, skip, beforeEnd));
  variants[index] = { renditions, revisions, body };
  return body;
}

function lowLatencyPlaylist(
  stream: LiveStream,
  segmenter: HlsSegmenter,
  rendition: string,
  skip?: SkipDirective,
  beforeEnd = false,
): string {
  const extension = segmenter.writer.extension;
  const renditionReports: RenditionReport[] = [];
  for (const [name, sibling] of stream.renditions) {
    const report = name === rendition ? undefined : renditionReportFor(renditionReportUri(name), sibling);
    if (report) renditionReports.push(report);
  }
  const state = segmenter.lowLatencyState()!;
  return renderLowLatencyPlaylist(
    beforeEnd && state.ended ? lastLiveVersion(state) : state,
    {
      segment: (s) => segmentUri(rendition, s.sequence, extension),
      part: (msn, index) => partUri(rendition, msn, index, extension),
      prefetch: (msn) => segmentUri(rendition, msn, extension),
    },
    {
      skip,
      renditionReports,
      independentSegments: true,
      mapUri: mapUriFor(segmenter, rendition),
    },
  );
}

/**
 * Answers a media playlist request: at once (a promise only when the request is held, a blocking reload), since a
 * playlist reload is the request a live server answers most often.
 */
export function sendMediaPlaylist(
  stream: LiveStream,
  segmenter: HlsSegmenter,
  rendition: string,
  res: HttpResponse,
  head: boolean,
  url: string,
  rawQuery: string,
  maxWaiters: number,
): Promise<void> | undefined {
  if (segmenter.partTargetMs === undefined) {
    sendBody(res, head, 200, PLAYLIST_TYPE, CACHE.playlist, normalPlaylist(segmenter, rendition));
    return undefined;
  }
  const parsed = parseDeliveryDirectives(rawQuery);
  if (!parsed.ok) return void sendPlaybackError(res, head, url, PLAYBACK_ERRORS.badRequest, parsed.error);
  const { directives } = parsed;
  if (directives.msn !== undefined) {
    const plan = planPlaylistReload(directives, reloadViewOf(segmenter));
    if (plan.action === 'reject') return void sendPlaybackError(res, head, url, PLAYBACK_ERRORS.badRequest, plan.error);
    if (plan.action === 'block') {
      const target = { msn: plan.target.msn, part: plan.target.part, timeoutMs: plan.timeoutMs };
      return hold(stream, rendition, segmenter, res, head, url, target, maxWaiters).then((released) => {
        // Released 'ready' but ended: the awaited part came with the final flush, in the same tick as the end
        // (hold() resumes within that tick's microtasks, so nothing else can have happened in between).
        if (released)
          sendLowLatency(stream, segmenter, rendition, res, head, directives.skip, released === 'ready' && segmenter.ended);
      });
    }
  }
  sendLowLatency(stream, segmenter, rendition, res, head, directives.skip, false);
  return undefined;
}

function sendLowLatency(
  stream: LiveStream,
  segmenter: HlsSegmenter,
  rendition: string,
  res: HttpResponse,
  head: boolean,
  skip: SkipDirective | undefined,
  beforeEnd: boolean,
): void {
  const body = cachedLowLatencyPlaylist(stream, segmenter, rendition, skip, beforeEnd);
  // The same bytes for every viewer asking the same directives (only the viewer session `vs=` differs in their URLs,
  // which the shipped edge leaves out of its key): a shared cache answers them all with one request here.
  sendBody(res, head, 200, PLAYLIST_TYPE, CACHE.playlist, body);
}
