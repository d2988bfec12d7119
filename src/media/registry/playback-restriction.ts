// The playback restriction policy of a stream, as loaded when the broadcast is accepted: the channel's
// playbackRestrictionPolicyArn is read once per broadcast (like the recording configuration), so playback checks it
// from memory and never touches the database; a changed policy or reference applies from the next broadcast.
// Normalized once here so the per-request check does no parsing: origins lower-cased (origin matching is
// case-insensitive), empty lists turned into "no restriction".

/** undefined members: not restricted. */
export interface PlaybackRestriction {
  arn: string;
  /** Allowed origin patterns (`*` and `*` wildcards as in playback tokens), lower case. */
  origins: readonly string[] | undefined;
  /** Every playback request, not only the multivariant playlist, must carry an allowed Origin. */
  strictOrigin: boolean;
  /** ISO 3166-1 alpha-2 codes, upper case. */
  countries: ReadonlySet<string> | undefined;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

/** From a stored PlaybackRestrictionPolicy document. */
export function restrictionFromDoc(doc: Record<string, unknown>): PlaybackRestriction {
  const origins = strings(doc.allowedOrigins)
    .map((o) => o.trim().toLowerCase())
    .filter((o) => o !== '');
  const countries = strings(doc.allowedCountries)
    .map((c) => c.trim().toUpperCase())
    .filter((c) => c !== '');
  return {
    arn: typeof doc.arn === 'string' ? doc.arn : '',
    origins: origins.length > 0 ? origins : undefined,
    strictOrigin: doc.enableStrictOriginEnforcement === true,
    countries: countries.length > 0 ? new Set(countries) : undefined,
  };
}
