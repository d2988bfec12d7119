// Holding a request until a part or segment exists (LL-HLS blocking reload and preload hints), with
// the client's disconnect as an abort signal and 503 when the wait runs out.

import type { HttpResponse } from '../../http-types.js';
import type { HlsSegmenter } from '../package/segmenter.js';
import type { LiveStream } from '../registry/live-stream.js';
import { streamWaiters } from './blocking.js';
import { PLAYBACK_ERRORS } from './error-codes.js';
import { countAbandoned } from './request-counting.js';
import { sendPlaybackError } from './responses.js';

export interface HoldTarget {
  msn: number;
  part?: number;
  timeoutMs: number;
}

/**
 * Resolves with what released the request when the response may be written now: 'ready' (the target exists) or
 * 'ended' (the stream ended without it); undefined when it was answered (503) or abandoned (client went away).
 */
export async function hold(
  stream: LiveStream,
  rendition: string,
  segmenter: HlsSegmenter,
  res: HttpResponse,
  head: boolean,
  url: string,
  target: HoldTarget,
  maxWaiters: number,
): Promise<'ready' | 'ended' | undefined> {
  const abort = new AbortController();
  const onClose = () => abort.abort();
  res.once('close', onClose);
  const result = await streamWaiters(stream, { maxWaiters })
    .rendition(rendition, segmenter)
    .waitFor(target.msn, target.part, target.timeoutMs, abort.signal);
  res.off('close', onClose);
  if (result === 'aborted') {
    countAbandoned(res);
    return undefined;
  }
  if (result === 'timeout' || result === 'busy') {
    sendPlaybackError(res, head, url, PLAYBACK_ERRORS.unavailable, 'The requested part or segment is not available yet');
    return undefined;
  }
  return result;
}
