// Playback responses: content types, cache policy and IVS's JSON error body (an array of {url, error, error_code, type},
// its codes and their statuses catalogued in error-codes.ts), which never carries a session credential. The cache
// policy of every kind of response is here (CACHE), written for a shared cache in front (README, "Serving viewers
// through a CDN"): segments, parts and init sections are the same for every viewer and immutable (the stream id in
// their URL makes them unique for all time); media playlists are the same for every viewer and live until the next
// part or segment; the multivariant playlist carries per-viewer state (the viewer session, a private session's
// credential) and is never stored; errors are never stored (a part that is not there yet will be).

import { Http2ServerResponse } from 'node:http2';
import type { HttpResponse } from '../../http-types.js';
import { pinUntilClosed } from '../package/buffer-pins.js';
import type { PlaybackError } from './error-codes.js';
import { countStatus } from './request-counting.js';

export const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
export const SEGMENT_TYPES: Record<string, string> = { ts: 'video/mp2t', m4s: 'video/iso.segment', mp4: 'video/mp4' };

export const CACHE = {
  multivariant: 'private, no-store',
  /**
   * Media playlists, a second (the shortest Cache-Control can say): a blocking reload's answer stays right for its URL
   * (it lists the part asked for); a plain reload a second old is a part or two behind, which the player's next
   * blocking reload catches up at once (LL-HLS) or half a target duration (NORMAL).
   */
  playlist: 'public, max-age=1',
  immutable: 'public, max-age=604800, immutable',
  /** fMP4 init sections change when the publisher's tracks do (same URL): a minute. */
  init: 'public, max-age=60',
  error: 'no-store',
} as const;

const CORS = { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'content-length' };
const CORS_HEADERS = Object.entries(CORS).flat();

// Private-channel responses reflect the viewer's allowed origin instead of `*` (null: no CORS header at all). A
// symbol property on the response rather than a WeakMap: no identity hash or ephemeron entry per request.
const ALLOW_ORIGIN = Symbol('openivs.playback.allowOrigin');
// Request headers the answer depends on besides the URL (a restriction policy's country header): a shared cache keys
// its copies by them (`vary`), so a viewer from another country misses and is checked here.
const VARY = Symbol('openivs.playback.vary');
type WithAllowOrigin = HttpResponse & { [ALLOW_ORIGIN]?: string | null; [VARY]?: string };

/** Every later sendBody on `res` sends `allowOrigin` (and `vary: origin`) instead of `*`. */
export function setPlaybackCors(res: HttpResponse, allowOrigin: string | null): void {
  (res as WithAllowOrigin)[ALLOW_ORIGIN] = allowOrigin;
}

/** Every later response on `res` names `header` in `vary` (with `origin` when CORS is reflected). */
export function setPlaybackVary(res: HttpResponse, header: string): void {
  (res as WithAllowOrigin)[VARY] = header;
}

function varyOf(res: HttpResponse, reflected: boolean): string | undefined {
  const extra = (res as WithAllowOrigin)[VARY];
  if (!reflected) return extra;
  return extra === undefined ? 'origin' : `origin, ${extra}`;
}

export function sendBody(
  res: HttpResponse,
  head: boolean,
  status: number,
  contentType: string,
  cacheControl: string,
  body: Buffer | string,
): void {
  countStatus(res, status);
  const length = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  const allowOrigin = (res as WithAllowOrigin)[ALLOW_ORIGIN];
  const vary = varyOf(res, allowOrigin !== undefined);
  if (allowOrigin !== undefined || vary !== undefined) {
    const headers = ['content-type', contentType, 'cache-control', cacheControl, 'content-length', length];
    if (vary !== undefined) headers.push('vary', vary);
    if (allowOrigin === undefined) headers.push(...CORS_HEADERS);
    else if (allowOrigin !== null)
      headers.push('access-control-allow-origin', allowOrigin, 'access-control-expose-headers', 'content-length');
    if (res instanceof Http2ServerResponse) {
      const record: Record<string, string> = {};
      for (let i = 0; i < headers.length; i += 2) record[headers[i]!] = headers[i + 1]!;
      res.writeHead(status, record);
    } else {
      res.writeHead(status, headers);
    }
  } else if (res instanceof Http2ServerResponse) {
    // HTTP/2 compat API: the object form (its flat-array support is recent and untyped).
    res.writeHead(status, { ...CORS, 'content-type': contentType, 'cache-control': cacheControl, 'content-length': length });
  } else {
    // Header array form: node skips per-name validation and lower-casing work of the object form.
    res.writeHead(status, [
      'access-control-allow-origin',
      '*',
      'access-control-expose-headers',
      'content-length',
      'content-type',
      contentType,
      'cache-control',
      cacheControl,
      'content-length',
      length,
    ]);
  }
  if (head) return void res.end();
  res.end(body);
}

/** sendBody for media bytes (segments, parts, init sections), which may be views of a packager's working buffer. */
export function sendMedia(res: HttpResponse, head: boolean, contentType: string, cacheControl: string, bytes: Buffer): void {
  // A part of the open segment is a view of the packager's working buffer: not reused until this response closes.
  if (!head) pinUntilClosed(res, bytes);
  sendBody(res, head, 200, contentType, cacheControl, bytes);
}

/**
 * The status and headers of a playback response written by the caller, with the same CORS as sendBody: streamed
 * segments (no content-length: chunked transfer on HTTP/1.1, DATA frames on HTTP/2, prefetch.ts) and byte ranges
 * (`extra`: content-range, content-length, … set last).
 */
export function writePlaybackHead(
  res: HttpResponse,
  status: number,
  contentType: string,
  cacheControl: string,
  extra: Record<string, string> = {},
): void {
  countStatus(res, status);
  const allowOrigin = (res as WithAllowOrigin)[ALLOW_ORIGIN];
  const headers: Record<string, string> = { 'content-type': contentType, 'cache-control': cacheControl };
  const vary = varyOf(res, allowOrigin !== undefined);
  if (vary !== undefined) headers.vary = vary;
  if (allowOrigin === undefined) Object.assign(headers, CORS);
  else {
    if (allowOrigin !== null)
      Object.assign(headers, { 'access-control-allow-origin': allowOrigin, 'access-control-expose-headers': 'content-length' });
  }
  res.writeHead(status, Object.assign(headers, extra));
}

/** Text shaped like a private session's credential (`a.<payload>.<mac>`), wherever a mangled path put it. */
const CREDENTIAL_LIKE = /a\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;

/** IVS's JSON error body for `error` (an entry of PLAYBACK_ERRORS), with `message` saying what went wrong. */
export function sendPlaybackError(res: HttpResponse, head: boolean, url: string, error: PlaybackError, message: string): void {
  // Error bodies name the path without any credential (routes take a well-placed one out; this catches the rest).
  const shown = url.includes('a.') ? url.replace(CREDENTIAL_LIKE, 'a.…') : url;
  const body = JSON.stringify([{ url: shown, error: message, error_code: error.code, type: 'error' }]);
  sendBody(res, head, error.status, 'application/json', CACHE.error, body);
}

export function answerPlaybackPreflight(res: HttpResponse): void {
  res.writeHead(204, {
    ...CORS,
    'access-control-allow-methods': 'GET, HEAD, OPTIONS',
    'access-control-allow-headers': '*',
    // Chromium's Private Network Access: lets a public page's player reach openivs on a LAN address.
    'access-control-allow-private-network': 'true',
    'access-control-max-age': '86400',
  });
  res.end();
}
