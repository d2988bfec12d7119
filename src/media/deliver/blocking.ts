// LL-HLS delivery directives (RFC 8216bis 6.2.5) for media playlist requests: parsing and validating _HLS_msn,
// _HLS_part and _HLS_skip, deciding whether a request is answered now, held (blocking playlist reload) or refused,
// and the waiter registry that holds requests until the awaited part or segment exists. The same waiters hold
// requests for a hinted part (EXT-X-PRELOAD-HINT) until it is complete (6.2.6).
//
// Waiters are per rendition (RenditionWaiters, woken by the segmenter's 'part' and 'segment' events, all released
// with 'ended' on its 'end'), counted against a per-stream bound (StreamWaiters), so a flood of held requests cannot
// grow memory or timers without limit.

import { comparePositions, type PartPosition } from '../package/parts.js';
import type { HlsSegmenter } from '../package/segmenter.js';

export type SkipDirective = 'YES' | 'v2';

export interface DeliveryDirectives {
  msn?: number;
  part?: number;
  skip?: SkipDirective;
}

export type DirectivesResult = { ok: true; directives: DeliveryDirectives } | { ok: false; error: string };

const DECIMAL = /^[0-9]{1,15}$/; // decimal-integer, within Number's exact range

const NO_DIRECTIVES: DirectivesResult = Object.freeze({ ok: true, directives: Object.freeze({}) });
const DIRECTIVE_NAMES = ['_HLS_msn', '_HLS_part', '_HLS_skip'] as const;
type DirectiveName = (typeof DIRECTIVE_NAMES)[number];

/**
 * The values of the three directives in a raw query, in order, as URLSearchParams would decode them. Most queries
 * carry no escapes, and are split by hand: a playlist reload is the most frequent request a server answers, and
 * URLSearchParams was a tenth of its JavaScript (bench:playback's profile).
 */
function directiveValues(rawQuery: string): Record<DirectiveName, string[]> {
  const values: Record<DirectiveName, string[]> = { _HLS_msn: [], _HLS_part: [], _HLS_skip: [] };
  if (rawQuery.includes('%') || rawQuery.includes('+')) {
    const params = new URLSearchParams(rawQuery);
    for (const name of DIRECTIVE_NAMES) values[name] = params.getAll(name);
    return values;
  }
  const query = rawQuery.startsWith('?') ? rawQuery.slice(1) : rawQuery; // as URLSearchParams does
  for (let start = 0; start <= query.length;) {
    let end = query.indexOf('&', start);
    if (end === -1) end = query.length;
    if (query.startsWith('_HLS_', start)) {
      const eq = query.indexOf('=', start);
      const nameEnd = eq === -1 || eq > end ? end : eq;
      const name = query.slice(start, nameEnd);
      if (name === '_HLS_msn' || name === '_HLS_part' || name === '_HLS_skip')
        values[name].push(nameEnd === end ? '' : query.slice(nameEnd + 1, end));
    }
    start = end + 1;
  }
  return values;
}

/**
 * Reads the delivery directives of a playlist request's raw query string. Other parameters (e.g. `vs`) and unknown
 * `_HLS_` ones are ignored. Errors (→ 400): a malformed or repeated value, `_HLS_part` without `_HLS_msn`
 * (6.2.5.2), an `_HLS_skip` other than YES or v2.
 */
export function parseDeliveryDirectives(rawQuery: string): DirectivesResult {
  const query = rawQuery.startsWith('?') ? rawQuery.slice(1) : rawQuery;
  // Escaped names (`%5FHLS_msn`) decode to directives too, so only a query without `_HLS` and `%` has none.
  if (!query.includes('_HLS') && !query.includes('%')) return NO_DIRECTIVES;
  const values = directiveValues(query);
  const directives: DeliveryDirectives = {};
  for (const [name, key] of [
    ['_HLS_msn', 'msn'],
    ['_HLS_part', 'part'],
  ] as const) {
    const given = values[name];
    if (given.length === 0) continue;
    if (given.length > 1) return { ok: false, error: `${name} given more than once` };
    if (!DECIMAL.test(given[0]!)) return { ok: false, error: `${name} must be a decimal integer` };
    directives[key] = Number(given[0]);
  }
  if (directives.part !== undefined && directives.msn === undefined) {
    return { ok: false, error: '_HLS_part requires _HLS_msn' };
  }
  const skip = values._HLS_skip;
  if (skip.length > 1) return { ok: false, error: '_HLS_skip given more than once' };
  if (skip.length === 1) {
    if (skip[0] !== 'YES' && skip[0] !== 'v2') return { ok: false, error: '_HLS_skip must be YES or v2' };
    directives.skip = skip[0];
  }
  return { ok: true, directives };
}

/** What blocking decisions need to know about a rendition, as of now. */
export interface ReloadView {
  ended: boolean;
  /** Media sequence number of the last complete segment. */
  lastSegment?: number;
  /** The latest completed part (LL-HLS renditions only). */
  lastPart?: PartPosition;
  /** Part target (ms); undefined for renditions without parts. */
  partTargetMs?: number;
  /** EXT-X-TARGETDURATION of the playlist (s). */
  targetDurationS: number;
}

export function reloadViewOf(segmenter: HlsSegmenter): ReloadView {
  return {
    ended: segmenter.ended,
    lastSegment: segmenter.window.last?.sequence,
    lastPart: segmenter.lastPartPosition(),
    partTargetMs: segmenter.partTargetMs,
    targetDurationS: segmenter.targetDurationS,
  };
}

export interface WaitTarget {
  msn: number;
  part?: number;
}

/**
 * The playlist contains what the target names (6.2.5.2): segment `msn` or a later one; with a part, part `part` of
 * segment `msn` or any later part. Comparing positions in (msn, part) order also covers a part index past a
 * segment's final part, which counts as part 0 of the next segment.
 */
export function isSatisfied(target: WaitTarget, view: ReloadView): boolean {
  const last = view.lastSegment ?? -1;
  if (target.part === undefined || view.partTargetMs === undefined) return last >= target.msn;
  if (last > target.msn) return true; // a later segment is complete, so is part 0 of the one after `msn`
  return view.lastPart !== undefined && comparePositions(view.lastPart, { msn: target.msn, part: target.part }) >= 0;
}

/** How far ahead a part may be asked for (6.2.5.2): 3 / PART-TARGET(s) below 1 s, else 3. */
export function advancePartLimit(partTargetMs: number): number {
  return partTargetMs < 1000 ? Math.floor(3000 / partTargetMs) : 3;
}

/** How long to hold a request before giving up with 503: three target durations (6.2.5.2). */
export function blockTimeoutMs(view: Pick<ReloadView, 'targetDurationS'>): number {
  return 3 * view.targetDurationS * 1000;
}

export type ReloadPlan =
  | { action: 'respond' }
  | { action: 'block'; target: WaitTarget; timeoutMs: number }
  | { action: 'reject'; status: 400; error: string };

/**
 * Decides a media playlist request carrying delivery directives: respond now (no _HLS_msn, already satisfied, or
 * the playlist has ENDLIST, which makes _HLS_msn/_HLS_part moot), block until the target exists, or refuse (400)
 * a request too far ahead: _HLS_msn beyond the last segment (in progress included) plus two, or _HLS_part beyond
 * the last part by more than the Advance Part Limit. Renditions without parts ignore _HLS_part.
 */
export function planPlaylistReload(directives: DeliveryDirectives, view: ReloadView): ReloadPlan {
  if (directives.msn === undefined || view.ended) return { action: 'respond' };
  const target: WaitTarget = { msn: directives.msn };
  if (directives.part !== undefined && view.partTargetMs !== undefined) target.part = directives.part;
  if (isSatisfied(target, view)) return { action: 'respond' };
  const lastMsn = Math.max(view.lastSegment ?? -1, view.lastPart?.msn ?? -1);
  if (target.msn > lastMsn + 2) {
    return {
      action: 'reject',
      status: 400,
      error: `_HLS_msn ${target.msn} is more than two beyond the last segment (${lastMsn})`,
    };
  }
  if (target.part !== undefined) {
    const limit = advancePartLimit(view.partTargetMs!);
    const last = view.lastPart;
    // Parts ahead of the last one: exact within its segment; for a later segment at least its index + 1.
    const ahead = last && last.msn === target.msn ? target.part - last.part : target.part + 1;
    if (ahead > limit) {
      return { action: 'reject', status: 400, error: `_HLS_part ${target.part} is more than ${limit} parts ahead` };
    }
  }
  return { action: 'block', target, timeoutMs: blockTimeoutMs(view) };
}

export type PartPlan =
  { action: 'serve' } | { action: 'block'; target: Required<WaitTarget>; timeoutMs: number } | { action: 'not-found' };

/**
 * Decides a part request: serve a completed part; hold the one being written (the EXT-X-PRELOAD-HINT, which must be
 * requestable as soon as it is listed, 6.2.6) until it completes; 404 anything else (6.2.6: not found and not
 * hinted). `nextPart` is the segmenter's lowLatencyState().nextPart.
 */
export function planPartRequest(
  available: boolean,
  position: PartPosition,
  nextPart: PartPosition | undefined,
  view: Pick<ReloadView, 'targetDurationS'>,
): PartPlan {
  if (available) return { action: 'serve' };
  if (nextPart && comparePositions(position, nextPart) === 0) {
    return { action: 'block', target: { msn: position.msn, part: position.part }, timeoutMs: blockTimeoutMs(view) };
  }
  return { action: 'not-found' };
}

/**
 * ready: the target exists (or an earlier waiter's wake found it); timeout: not within timeoutMs (→ 503 for a
 * playlist, 404 for a part); ended: the stream ended first (serve the final playlist, it has ENDLIST; a part may
 * now exist or not); busy: the stream's waiter bound is reached (→ 503, not held); aborted: the signal fired
 * (client went away).
 */
export type WaitResult = 'ready' | 'timeout' | 'ended' | 'busy' | 'aborted';

interface Waiter {
  target: WaitTarget;
  resolve: (result: WaitResult) => void;
}

/** A shared count of held requests with an upper bound (one per stream). */
export class WaiterBudget {
  used = 0;
  constructor(readonly max: number) {}

  tryAcquire(): boolean {
    if (this.used >= this.max) return false;
    this.used++;
    return true;
  }

  release(): void {
    this.used = Math.max(0, this.used - 1);
  }
}

/** Held requests of one rendition, woken by its segmenter. */
export class RenditionWaiters {
  private readonly waiters = new Set<Waiter>();
  private closed = false;
  private readonly onProgress = () => this.wake();
  private readonly onEnd = () => this.close();

  constructor(
    readonly segmenter: HlsSegmenter,
    private readonly budget: WaiterBudget = new WaiterBudget(1000),
  ) {
    segmenter.on('part', this.onProgress);
    segmenter.on('segment', this.onProgress);
    segmenter.on('end', this.onEnd);
    if (segmenter.ended) this.close();
  }

  /** Held requests right now. */
  get size(): number {
    return this.waiters.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Resolves when segment `msn` (or a later one) is complete, or, with `part`, when part `part` of segment `msn` (or
   * a later part) is; at once when that is already so.
   */
  waitFor(msn: number, part: number | undefined, timeoutMs: number, signal?: AbortSignal): Promise<WaitResult> {
    const target: WaitTarget = part === undefined ? { msn } : { msn, part };
    if (isSatisfied(target, reloadViewOf(this.segmenter))) return Promise.resolve('ready');
    if (this.closed) return Promise.resolve('ended');
    if (signal?.aborted) return Promise.resolve('aborted');
    if (!this.budget.tryAcquire()) return Promise.resolve('busy');
    return new Promise<WaitResult>((resolve) => {
      const waiter: Waiter = {
        target,
        resolve: (result) => {
          if (!this.waiters.delete(waiter)) return;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          this.budget.release();
          resolve(result);
        },
      };
      const onAbort = () => waiter.resolve('aborted');
      const timer = setTimeout(() => waiter.resolve('timeout'), Math.max(0, timeoutMs));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** Releases every held request with 'ended' and stops listening; later waits answer at once. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.segmenter.off('part', this.onProgress);
    this.segmenter.off('segment', this.onProgress);
    this.segmenter.off('end', this.onEnd);
    for (const w of [...this.waiters]) w.resolve('ended');
  }

  private wake(): void {
    if (this.waiters.size === 0) return;
    const view = reloadViewOf(this.segmenter);
    for (const w of [...this.waiters]) if (isSatisfied(w.target, view)) w.resolve('ready');
  }
}

export interface StreamWaitersOptions {
  /** Held requests per stream, all renditions together (playlist reloads and hinted parts). */
  maxWaiters?: number;
}

export const DEFAULT_MAX_WAITERS = 10_000;

/** The waiter registries of one live stream's renditions, sharing one bound. */
export class StreamWaiters {
  private readonly renditions = new Map<string, RenditionWaiters>();
  readonly budget: WaiterBudget;

  constructor(options: StreamWaitersOptions = {}) {
    this.budget = new WaiterBudget(options.maxWaiters ?? DEFAULT_MAX_WAITERS);
  }

  /** The registry of a rendition, created on first use; follows its segmenter until that ends. */
  rendition(name: string, segmenter: HlsSegmenter): RenditionWaiters {
    let waiters = this.renditions.get(name);
    if (!waiters || waiters.segmenter !== segmenter) {
      waiters?.close();
      waiters = new RenditionWaiters(segmenter, this.budget);
      this.renditions.set(name, waiters);
    }
    return waiters;
  }

  /** Held requests across renditions. */
  get size(): number {
    let n = 0;
    for (const w of this.renditions.values()) n += w.size;
    return n;
  }

  /** Releases everything held ('ended'); each segmenter's 'end' does this for its rendition anyway. */
  close(): void {
    for (const w of this.renditions.values()) w.close();
  }
}

const byStream = new WeakMap<object, StreamWaiters>();

/** The StreamWaiters of a live stream object (e.g. a LiveStream), created on first use and collected with it. */
export function streamWaiters(stream: object, options?: StreamWaitersOptions): StreamWaiters {
  let waiters = byStream.get(stream);
  if (!waiters) {
    waiters = new StreamWaiters(options);
    byStream.set(stream, waiters);
  }
  return waiters;
}
