// The console's HTML page as served: Vite's index.html with the server's facts (ingest ports, the default region)
// in a <meta name="openivs-server"> tag the app reads (no inline script under the CSP), and the policy itself:
// everything from 'self', plus the playback origin (when the playback base URL is another origin, say a CDN) for
// hls.js's requests and media; blob: for MediaSource; data:/blob: images for thumbnails drawn in the page.

import type { ServerFacts } from './ports.js';

export function contentSecurityPolicy(playbackBaseUrl: string): string {
  const extra = originOf(playbackBaseUrl);
  const more = extra === undefined ? '' : ` ${extra}`;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    `connect-src 'self'${more}`,
    `media-src 'self' blob: data:${more}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

const escapeAttribute = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function pageWithFacts(indexHtml: string, facts: ServerFacts & { playbackBaseUrl: string }): string {
  const meta = `<meta name="openivs-server" content="${escapeAttribute(JSON.stringify(facts))}">`;
  return indexHtml.includes('</head>') ? indexHtml.replace('</head>', `${meta}\n</head>`) : `${meta}\n${indexHtml}`;
}
