// The built-in player page at /_openivs/player: a small HLS player for watching a channel in a browser with nothing
// but openivs (no CDN). The page and its style are constants in page.ts; its script is browser/player.ts, built for
// the browser at `npm run build` (player-script.ts serves the build); hls.js is served from the `hls.js` npm package. No inline script or style, so the Content-Security-Policy needs nothing
// beyond 'self', blob:/data: media (MediaSource URL, hls.js's empty <track>s), and the playback URL's origin.
//   /_openivs/player?url=<playbackUrl>   the page (no-cache); &token=<JWT> plays a private channel
//   /_openivs/player/player.js|.css      its script and style (no-cache: they change with openivs); favicon.svg
//   /_openivs/player/hls.min.js          hls.js, and hls.worker.js its transmuxing worker (max-age=86400)

import type { HttpRequest, HttpResponse } from '../../http-types.js';
import { hlsAsset, type Asset } from './hls-assets.js';
import { PLAYER_CSS, PLAYER_HTML, PLAYER_ICON } from './page.js';
import { playerScript } from './player-script.js';

export const PLAYER_PATH = '/_openivs/player';

const NO_CACHE = 'no-cache';
const LONG_CACHE = 'public, max-age=86400';

export function isPlayerPath(rawPath: string): boolean {
  return rawPath === PLAYER_PATH || rawPath.startsWith(`${PLAYER_PATH}/`);
}

/** Handles a request whose path satisfies isPlayerPath; the caller routes by path. */
export async function handlePlayer(req: HttpRequest, res: HttpResponse, rawPath: string, rawQuery: string): Promise<void> {
  const head = req.method === 'HEAD';
  if (req.method !== 'GET' && !head) {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-length': 0 });
    res.end();
    return;
  }
  switch (rawPath.slice(PLAYER_PATH.length)) {
    case '':
      return send(
        res,
        head,
        200,
        {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': NO_CACHE,
          'content-security-policy': contentSecurityPolicy(playbackOrigin(rawQuery)),
          'referrer-policy': 'no-referrer',
        },
        PLAYER_HTML,
      );
    case '/player.js':
      return send(
        res,
        head,
        200,
        { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': NO_CACHE },
        await playerScript(),
      );
    case '/player.css':
      return send(res, head, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': NO_CACHE }, PLAYER_CSS);
    case '/favicon.svg':
      return send(res, head, 200, { 'content-type': 'image/svg+xml', 'cache-control': LONG_CACHE }, PLAYER_ICON);
    case '/hls.min.js':
      return sendAsset(req, res, head, await hlsAsset('hls.min.js'));
    case '/hls.worker.js':
      return sendAsset(req, res, head, await hlsAsset('hls.worker.js'));
    default:
      return send(res, head, 404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': NO_CACHE }, 'Not found\n');
  }
}

/**
 * The policy of the page. connect-src and media-src also name the origin of `?url=` when it is another origin than
 * openivs's own (say the playbackUrl says 127.0.0.1 and the page was opened as localhost); the text box submits as a
 * navigation to ?url=, so a URL typed there gets the same treatment. blob: is the MediaSource object URL of <video>;
 * data: is the empty 'data:,WEBVTT' src hls.js gives the <track> elements it adds for ID3 metadata and captions.
 */
export function contentSecurityPolicy(extraOrigin?: string): string {
  const extra = extraOrigin ? ` ${extraOrigin}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src 'self'${extra}`,
    `media-src 'self' blob: data:${extra}`,
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

/** The http(s) origin of the `url` query parameter, if any (URL.origin never holds a space, ';' or ','). */
export function playbackOrigin(rawQuery: string): string | undefined {
  const value = new URLSearchParams(rawQuery).get('url');
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

const COMMON = { 'x-content-type-options': 'nosniff' };

function send(res: HttpResponse, head: boolean, status: number, headers: Record<string, string>, body: string | Buffer): void {
  res.writeHead(status, { ...COMMON, ...headers, 'content-length': Buffer.byteLength(body) });
  if (head) res.end();
  else res.end(body);
}

function sendAsset(req: HttpRequest, res: HttpResponse, head: boolean, asset: Asset): void {
  const headers: Record<string, string | number> = {
    ...COMMON,
    'content-type': 'text/javascript; charset=utf-8',
    'cache-control': LONG_CACHE,
    etag: asset.etag,
    vary: 'accept-encoding',
  };
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? asset.gzip : asset.bytes;
  if (gzip) headers['content-encoding'] = 'gzip';
  res.writeHead(200, { ...headers, 'content-length': body.length });
  if (head) res.end();
  else res.end(body);
}
