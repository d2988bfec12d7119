// The public addresses IVS hands out for a channel: `ingestEndpoint` is a bare host name, and
// `playbackUrl` keeps IVS's path under openivs's own configurable base URL.

import type { Scope } from './context.js';

export interface PublicEndpoints {
  /** Host name broadcasters connect to (no scheme, port or path). */
  host: string;
  /** Base URL of playback, without a trailing slash. */
  playbackBaseUrl: string;
}

export const playbackPath = (scope: Scope, channelId: string): string =>
  `/api/video/v1/${scope.region}.${scope.account}.channel.${channelId}.m3u8`;

export const playbackUrl = (endpoints: PublicEndpoints, scope: Scope, channelId: string): string =>
  `${endpoints.playbackBaseUrl}${playbackPath(scope, channelId)}`;
