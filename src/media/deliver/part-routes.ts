// LL-HLS additions to the playback URL layout (routes.ts), next to the segment URLs:
//   /api/video/v1/<region>.<account>.channel.<id>/<streamId>/<rendition>/<msn>.<part>.ts   partial segment
// Parts are immutable once complete, like segments; only the one being written is answered late (held until it
// completes). Rendition reports name sibling media playlists relative to the current one.

import { KEY, PLAYBACK_PREFIX, RENDITION, STREAM_ID } from './routes.js';

export interface PartRoute {
  kind: 'part';
  playbackKey: string;
  streamId: string;
  rendition: string;
  sequence: number;
  index: number;
  extension: string;
}

const PART = new RegExp(`^${KEY}/${STREAM_ID}/${RENDITION}/([0-9]{1,9})\\.([0-9]{1,4})\\.(ts|m4s)$`);

export function parsePartPath(rawPath: string): PartRoute | undefined {
  if (!rawPath.startsWith(PLAYBACK_PREFIX)) return undefined;
  const m = PART.exec(rawPath.slice(PLAYBACK_PREFIX.length));
  if (!m) return undefined;
  return {
    kind: 'part',
    playbackKey: m[1]!,
    streamId: m[2]!,
    rendition: m[3]!,
    sequence: Number(m[4]),
    index: Number(m[5]),
    extension: m[6]!,
  };
}

/** Relative URI of a part, as written in its media playlist (EXT-X-PART, EXT-X-PRELOAD-HINT). */
export const partUri = (rendition: string, sequence: number, index: number, extension: string) =>
  `${rendition}/${sequence}.${index}.${extension}`;

/** URI of a sibling media playlist in EXT-X-RENDITION-REPORT, relative to the current media playlist. */
export const renditionReportUri = (rendition: string) => `${rendition}.m3u8`;
