// Playback URL layout. The multivariant playlist keeps IVS's path; what sits behind it is openivs's:
//   /api/video/v1/<region>.<account>.channel.<id>.m3u8                        multivariant playlist
//   /api/video/v1/<region>.<account>.channel.<id>/<streamId>/<rendition>.m3u8  media playlist (?vs=<viewer session>)
//   /api/video/v1/<region>.<account>.channel.<id>/<streamId>/<rendition>/<n>.ts segment (.m4s for fMP4)
//   /api/video/v1/<region>.<account>.channel.<id>/<streamId>/<rendition>/init.mp4  fMP4 initialization section
// (LL-HLS parts: see part-routes.ts.)
// The stream id in the path makes every segment URL unique for all time, so segments are immutable
// and cacheable by a CDN; the viewer session rides only on playlist URLs.

export const PLAYBACK_PREFIX = '/api/video/v1/';

export type PlaybackRoute =
  | { kind: 'multivariant'; playbackKey: string }
  | { kind: 'media'; playbackKey: string; streamId: string; rendition: string }
  | { kind: 'segment'; playbackKey: string; streamId: string; rendition: string; sequence: number; extension: string }
  | { kind: 'init'; playbackKey: string; streamId: string; rendition: string };

/** The path syntax every playback URL shares (one capture group each), for the other parsers of playback paths. */
export const KEY = '([a-z0-9-]+\\.[0-9]+\\.channel\\.[A-Za-z0-9]+)';
export const STREAM_ID = '(st-[A-Za-z0-9]+)';
/** `source`, a ladder rung (`480p30`) or `audio_only`. */
export const RENDITION = '([a-z0-9_]+)';
const MULTIVARIANT = new RegExp(`^${KEY}\\.m3u8$`);
const MEDIA = new RegExp(`^${KEY}/${STREAM_ID}/${RENDITION}\\.m3u8$`);
const SEGMENT = new RegExp(`^${KEY}/${STREAM_ID}/${RENDITION}/([0-9]{1,9})\\.(ts|m4s|mp4)$`);
const INIT = new RegExp(`^${KEY}/${STREAM_ID}/${RENDITION}/init\\.mp4$`);

export function parsePlaybackPath(rawPath: string): PlaybackRoute | undefined {
  if (!rawPath.startsWith(PLAYBACK_PREFIX)) return undefined;
  const rest = rawPath.slice(PLAYBACK_PREFIX.length);
  // One expression per request where the shape tells which can match (a media playlist is the most frequent).
  if (!rest.includes('/')) {
    const m = MULTIVARIANT.exec(rest);
    return m ? { kind: 'multivariant', playbackKey: m[1]! } : undefined;
  }
  if (rest.endsWith('.m3u8')) {
    const m = MEDIA.exec(rest);
    return m ? { kind: 'media', playbackKey: m[1]!, streamId: m[2]!, rendition: m[3]! } : undefined;
  }
  let m = SEGMENT.exec(rest);
  if (m) {
    return { kind: 'segment', playbackKey: m[1]!, streamId: m[2]!, rendition: m[3]!, sequence: Number(m[4]), extension: m[5]! };
  }
  m = INIT.exec(rest);
  if (m) return { kind: 'init', playbackKey: m[1]!, streamId: m[2]!, rendition: m[3]! };
  return undefined;
}

/** `<region>.<account>` of a playback key, for quotas. */
export function scopeOfKey(playbackKey: string): { region: string; account: string } {
  const [region, account] = playbackKey.split('.');
  return { region: region!, account: account! };
}

/** Relative URI of a media playlist, as written in the multivariant playlist. */
export const mediaPlaylistUri = (playbackKey: string, streamId: string, rendition: string, viewerSession: string) =>
  `${playbackKey}/${streamId}/${rendition}.m3u8?vs=${viewerSession}`;

/** Relative URI of a segment, as written in its media playlist. */
export const segmentUri = (rendition: string, sequence: number, extension: string) => `${rendition}/${sequence}.${extension}`;

/** Relative URI of an fMP4 initialization section, as written in EXT-X-MAP. */
export const initUri = (rendition: string) => `${rendition}/init.mp4`;
