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

const AMPERSAND = 0x26;
const EQUALS = 0x3d;

/** One query parameter (the playback token), without URLSearchParams's cost on the hot path; undefined if absent. */
export function queryParam(rawQuery: string, name: string): string | undefined {
  // The first `name=` at the start or after an `&`, found without building the `name=` strings (a media playlist
  // reload reads its `vs=` this way).
  if (name === '') return undefined; // (and indexOf('') would find it everywhere, forever)
  let at = -1;
  for (let i = rawQuery.indexOf(name); i !== -1; i = rawQuery.indexOf(name, i + 1)) {
    if ((i === 0 || rawQuery.charCodeAt(i - 1) === AMPERSAND) && rawQuery.charCodeAt(i + name.length) === EQUALS) {
      at = i + name.length + 1;
      break;
    }
  }
  if (at === -1) return undefined;
  const end = rawQuery.indexOf('&', at);
  const value = rawQuery.slice(at, end === -1 ? undefined : end);
  if (!value.includes('%') && !value.includes('+')) return value;
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
