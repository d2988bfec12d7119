// The immutable media objects behind a media playlist: segments (single byte ranges of complete ones,
// byte-range.ts; a LOW rendition's prefetch segments streamed while they grow, prefetch.ts), LL-HLS
// parts (the part named in the preload hint is held until it completes) and the fMP4 initialization section.

import type { HttpResponse } from '../../http-types.js';
import type { HlsSegmenter } from '../package/segmenter.js';
import type { LiveStream } from '../registry/live-stream.js';
import { planPartRequest, reloadViewOf } from './blocking.js';
import { decideRange } from './byte-range.js';
import { hold } from './hold.js';
import type { PartRoute } from './part-routes.js';
import { isPrefetchSegment, streamPrefetchSegment } from './prefetch.js';
import { PLAYBACK_ERRORS } from './error-codes.js';
import { CACHE, SEGMENT_TYPES, sendMedia, sendPlaybackError, writePlaybackHead } from './responses.js';

export const SEGMENT_CACHE = CACHE.immutable;
const INIT_CACHE = CACHE.init;

const typeOf = (extension: string) => SEGMENT_TYPES[extension] ?? 'application/octet-stream';

export function sendSegment(
  stream: LiveStream,
  segmenter: HlsSegmenter,
  sequence: number,
  extension: string,
  res: HttpResponse,
  head: boolean,
  url: string,
  maxWaiters: number,
  range?: string,
): void {
  const ours = segmenter.writer.extension === extension;
  const found = ours ? segmenter.window.find(sequence) : undefined;
  if (found) return sendSegmentBytes(found.bytes, typeOf(extension), range, res, head, url);
  if (ours && isPrefetchSegment(segmenter, sequence)) {
    const prefetch = { stream, segmenter, sequence, contentType: typeOf(extension), cacheControl: SEGMENT_CACHE, maxWaiters };
    return streamPrefetchSegment(prefetch, res, head, url);
  }
  sendPlaybackError(res, head, url, PLAYBACK_ERRORS.notFound, 'Segment not found');
}

/**
 * A complete segment, or the single byte range asked for (206; 416 with IVS's JSON error body when it lies past
 * the end, like every other playback error).
 */
function sendSegmentBytes(
  bytes: Buffer,
  type: string,
  range: string | undefined,
  res: HttpResponse,
  head: boolean,
  url: string,
): void {
  const decision = decideRange(range, bytes.length);
  if (decision.kind === 'whole') return sendMedia(res, head, type, SEGMENT_CACHE, bytes);
  const exposed = { 'access-control-expose-headers': 'content-length, content-range', 'accept-ranges': 'bytes' };
  if (decision.kind === 'unsatisfiable') {
    res.setHeader('content-range', `bytes */${bytes.length}`);
    res.setHeader('access-control-expose-headers', exposed['access-control-expose-headers']);
    return sendPlaybackError(res, head, url, PLAYBACK_ERRORS.rangeNotSatisfiable, 'Range not satisfiable');
  }
  const { start, end } = decision;
  writePlaybackHead(res, 206, type, SEGMENT_CACHE, {
    ...exposed,
    'content-range': `bytes ${start}-${end}/${bytes.length}`,
    'content-length': String(end - start + 1),
  });
  if (head) res.end();
  else res.end(bytes.subarray(start, end + 1));
}

export function sendInit(segmenter: HlsSegmenter, res: HttpResponse, head: boolean, url: string): void {
  const init = segmenter.writer.initSection();
  if (!init) return sendPlaybackError(res, head, url, PLAYBACK_ERRORS.notFound, 'This rendition has no initialization section');
  sendMedia(res, head, 'video/mp4', INIT_CACHE, init);
}

export async function sendPart(
  stream: LiveStream,
  segmenter: HlsSegmenter,
  route: PartRoute,
  res: HttpResponse,
  head: boolean,
  url: string,
  maxWaiters: number,
): Promise<void> {
  if (segmenter.writer.extension !== route.extension || segmenter.partTargetMs === undefined) {
    return sendPlaybackError(res, head, url, PLAYBACK_ERRORS.notFound, 'Part not found');
  }
  const position = { msn: route.sequence, part: route.index };
  const plan = planPartRequest(
    segmenter.findPart(route.sequence, route.index) !== undefined,
    position,
    segmenter.lowLatencyState()?.nextPart,
    reloadViewOf(segmenter),
  );
  if (plan.action === 'not-found') return sendPlaybackError(res, head, url, PLAYBACK_ERRORS.notFound, 'Part not found');
  if (plan.action === 'block') {
    const target = { msn: plan.target.msn, part: plan.target.part, timeoutMs: plan.timeoutMs };
    if (!(await hold(stream, route.rendition, segmenter, res, head, url, target, maxWaiters))) return;
  }
  const found = segmenter.findPart(route.sequence, route.index);
  if (!found) return sendPlaybackError(res, head, url, PLAYBACK_ERRORS.notFound, 'Part not found');
  sendMedia(res, head, typeOf(route.extension), SEGMENT_CACHE, found.bytes);
}
