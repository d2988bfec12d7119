// Where the playback-session credential sits in private-channel URLs: one path segment right after the stream id,
//   /api/video/v1/<key>/<streamId>/a.<payload>.<mac>/<rendition>.m3u8        (and …/<rendition>/<n>.ts, parts, init)
// so the relative URIs inside a media playlist (segments, parts, init, rendition reports) resolve under the same
// credential. splitCredential takes it out, leaving the public channel's path for the ordinary route parsers.
// Also the reading of `?token=` from the multivariant playlist's query.

const WITH_CREDENTIAL = /^(\/api\/video\/v1\/[^/]+\/st-[A-Za-z0-9]+\/)(a\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\/(.+)$/;

export function splitCredential(rawPath: string): { path: string; credential: string } | undefined {
  // Cheap guard first: public playback paths never contain `/a.` (regions, stream ids and renditions don't start so).
  if (!rawPath.includes('/a.')) return undefined;
  const m = WITH_CREDENTIAL.exec(rawPath);
  return m ? { path: `${m[1]}${m[3]}`, credential: m[2]! } : undefined;
}

/** Relative URI of a private session's media playlist, as written in the multivariant playlist. */
export const privateMediaPlaylistUri = (
  playbackKey: string,
  streamId: string,
  credential: string,
  rendition: string,
  viewerSession: string,
) => `${playbackKey}/${streamId}/${credential}/${rendition}.m3u8?vs=${viewerSession}`;

/** One query parameter (the playback token), without URLSearchParams's cost on the hot path; undefined if absent. */
export function queryParam(rawQuery: string, name: string): string | undefined {
  const prefix = `${name}=`;
  let at = rawQuery.startsWith(prefix) ? 0 : rawQuery.indexOf(`&${prefix}`) + 1;
  if (at === 0 && !rawQuery.startsWith(prefix)) return undefined;
  at += prefix.length;
  const end = rawQuery.indexOf('&', at);
  const value = rawQuery.slice(at, end === -1 ? undefined : end);
  if (!value.includes('%') && !value.includes('+')) return value;
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
