// Prefetch segments (the "LHLS" scheme of Periscope and Twitch, which Amazon's IVS player uses for low latency instead
// of LL-HLS parts): a LOW rendition's playlist lists the segment being written and the next one (ll-playlist.ts) at
// the URIs they will have once complete, and a request for one is answered at once with the parts already in memory,
// then each new part as the packager cuts it, chunked, ending when the segment closes. The bytes are exactly the
// complete segment's, so a CDN that caches the response stores what a later request for the finished segment gets
// (same URL, same immutable cache policy). A segment that ends without completing (the stream ended) ends its
// response cleanly; one that never started answers 404. Held responses count against the stream's waiter budget
// (blocking.ts) like blocking playlist reloads, and one listener per rendition fans the packager's events out to them.

import type { HttpResponse } from '../../http-types.js';
import { pin } from '../package/buffer-pins.js';
import { PREFETCH_SEGMENTS } from '../package/ll-playlist.js';
import type { Part } from '../package/parts.js';
import type { HlsSegmenter } from '../package/segmenter.js';
import type { Segment } from '../package/types.js';
import { blockTimeoutMs, reloadViewOf, streamWaiters } from './blocking.js';
import { PLAYBACK_ERRORS } from './error-codes.js';
import { sendPlaybackError, writePlaybackHead } from './responses.js';

/** Whether a LOW rendition lists segment `sequence` as a prefetch segment right now. */
export function isPrefetchSegment(segmenter: HlsSegmenter, sequence: number): boolean {
  if (segmenter.partTargetMs === undefined || segmenter.ended) return false;
  const open = segmenter.openSequence;
  return open !== undefined && sequence >= open && sequence < open + PREFETCH_SEGMENTS;
}

/** One held response, fed by its rendition's RenditionFeeds. */
interface Feed {
  readonly sequence: number;
  /** A part of the awaited segment was completed. */
  progress(): void;
  /** The awaited segment is complete. */
  completed(segment: Segment): void;
  /** The stream ended. */
  ended(): void;
}

/** The held prefetch responses of one rendition: one set of packager listeners for all of them. */
class RenditionFeeds {
  private readonly feeds = new Set<Feed>();
  private readonly onPart = (p: Part) => {
    for (const f of [...this.feeds]) if (f.sequence === p.sequence) f.progress();
  };
  private readonly onSegment = (s: Segment) => {
    for (const f of [...this.feeds]) if (f.sequence === s.sequence) f.completed(s);
  };
  private readonly onEnd = () => {
    for (const f of [...this.feeds]) f.ended();
  };

  constructor(private readonly segmenter: HlsSegmenter) {
    segmenter.on('part', this.onPart);
    segmenter.on('segment', this.onSegment);
    segmenter.on('end', this.onEnd);
  }

  get size(): number {
    return this.feeds.size;
  }

  add(feed: Feed): void {
    this.feeds.add(feed);
  }

  remove(feed: Feed): void {
    this.feeds.delete(feed);
    if (this.feeds.size > 0) return;
    // Nothing held: stop listening until the next request (the packager emits a part every third of a second).
    this.segmenter.off('part', this.onPart);
    this.segmenter.off('segment', this.onSegment);
    this.segmenter.off('end', this.onEnd);
    byRendition.delete(this.segmenter);
  }
}

const byRendition = new WeakMap<HlsSegmenter, RenditionFeeds>();

/** res.write on either response type (their overloads do not unify). Slow readers buffer at most a segment. */
const write = (res: HttpResponse, chunk: Buffer) => (res as { write(chunk: Buffer): boolean }).write(chunk);

function feedsOf(segmenter: HlsSegmenter): RenditionFeeds {
  let feeds = byRendition.get(segmenter);
  if (!feeds) byRendition.set(segmenter, (feeds = new RenditionFeeds(segmenter)));
  return feeds;
}

/** Held prefetch responses of a rendition right now (tests, metrics). */
export function heldPrefetches(segmenter: HlsSegmenter): number {
  return byRendition.get(segmenter)?.size ?? 0;
}

export interface PrefetchResponse {
  /** The stream object the waiter budget belongs to (a LiveStream). */
  stream: object;
  segmenter: HlsSegmenter;
  sequence: number;
  contentType: string;
  cacheControl: string;
  /** Held requests per stream (the budget shared with blocking reloads). */
  maxWaiters: number;
}

/**
 * Streams prefetch segment `sequence` (isPrefetchSegment) on `res`. Headers go out with the first part, so a segment
 * that never starts can still be answered 404; a response without progress for three target durations is answered
 * 503 before its first byte and aborted after it (a cache then stores nothing).
 */
export function streamPrefetchSegment(p: PrefetchResponse, res: HttpResponse, head: boolean, url: string): void {
  const { segmenter, sequence } = p;
  const budget = streamWaiters(p.stream, { maxWaiters: p.maxWaiters }).budget;
  if (!budget.tryAcquire()) {
    return sendPlaybackError(res, head, url, PLAYBACK_ERRORS.unavailable, 'Too many requests held for this stream');
  }
  const feeds = feedsOf(segmenter);
  // The open segment's parts are views of the packager's working buffer: pinned until this response closes.
  const releases: (() => void)[] = [];
  const pinPart = (bytes: Buffer) => {
    const release = pin(bytes);
    if (release === undefined) return;
    if (releases.length === 0) res.once('close', () => releases.forEach((r) => r()));
    releases.push(release);
  };
  let index = 0;
  let written = 0;
  let started = false;
  let done = false;

  const finish = (respond: () => void) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    res.off('close', onClose);
    feeds.remove(feed);
    budget.release();
    respond();
  };
  const start = () => {
    if (started) return;
    started = true;
    writePlaybackHead(res, 200, p.contentType, p.cacheControl);
  };
  const pump = () => {
    for (let part = segmenter.findPart(sequence, index); part; part = segmenter.findPart(sequence, ++index)) {
      start();
      if (!head && part.bytes.length > 0) {
        pinPart(part.bytes);
        write(res, part.bytes);
      }
      written += part.bytes.length;
    }
    if (started) timer.refresh();
  };
  const feed: Feed = {
    sequence,
    progress: pump,
    completed: (segment) => {
      pump();
      finish(() => {
        // Parts are slices of the segment, so what was sent is its prefix; anything else must not look complete.
        if (written > segment.bytes.length) return void res.destroy();
        start();
        if (!head && written < segment.bytes.length) write(res, segment.bytes.subarray(written));
        res.end();
      });
    },
    ended: () =>
      finish(() => (started ? res.end() : sendPlaybackError(res, head, url, PLAYBACK_ERRORS.notFound, 'Segment not found'))),
  };
  const onClose = () => finish(() => undefined);
  const timer = setTimeout(
    () =>
      finish(() => {
        if (started) res.destroy();
        else sendPlaybackError(res, head, url, PLAYBACK_ERRORS.unavailable, 'The requested segment is not available yet');
      }),
    blockTimeoutMs(reloadViewOf(segmenter)),
  );
  res.once('close', onClose);
  feeds.add(feed);
  pump();
}
