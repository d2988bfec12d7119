// Playback responses: content types, cache policy and IVS's JSON error body (an array of
// {url, error, error_code, type}). Playlists are short-lived; segments never change.

import type { ServerResponse } from 'node:http';

export const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
export const SEGMENT_TYPES: Record<string, string> = { ts: 'video/mp2t', m4s: 'video/iso.segment', mp4: 'video/mp4' };

const CORS = { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'content-length' };

export function sendBody(
  res: ServerResponse, head: boolean, status: number, contentType: string, cacheControl: string, body: Buffer | string,
): void {
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  // Header array form: node skips per-name validation and lower-casing work of the object form.
  res.writeHead(status, [
    'access-control-allow-origin', '*', 'access-control-expose-headers', 'content-length',
    'content-type', contentType, 'cache-control', cacheControl, 'content-length', String(length),
  ]);
  res.end(head ? undefined : body);
}

export function sendPlaybackError(
  res: ServerResponse, head: boolean, status: number, url: string, error: string, errorCode: string,
): void {
  const body = JSON.stringify([{ url, error, error_code: errorCode, type: 'error' }]);
  sendBody(res, head, status, 'application/json', 'no-cache', body);
}

export function answerPlaybackPreflight(res: ServerResponse): void {
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
