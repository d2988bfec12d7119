// The takeover request a publisher makes, IVS's way: a `priority` parameter next to the stream key — after a `?` in
// the RTMP(S) publish name (`rtmps://host:443/app/<key>?priority=2`) and in the SRT stream id
// (`streamid=<key>?priority=2`, or `priority=2` in an access-control `#!::r=<key>,priority=2` id). The value is only
// parsed here; whether it is valid (an integer 1 … 2,147,483,647) and high enough is the publish authorization's call,
// which answers an invalid one with StreamTakeoverInvalidPriority. Input comes from unauthenticated peers: bounded
// scans, no regular expressions over the whole name.

/** A `priority` that is present but not a decimal integer; still a takeover request, refused as invalid. */
export const INVALID_PRIORITY = Number.NaN;

const MAX_DIGITS = 16;

/** The `priority` parameter of an RTMP publish name (`<key>?a=b&priority=2`); undefined when there is none. */
export function priorityOfPublishName(name: string): number | undefined {
  const q = name.indexOf('?');
  return q < 0 ? undefined : priorityOf(name.slice(q + 1).split('&'));
}

/** The `priority` an SRT stream id carries, in its plain (`<key>?priority=2`) or access-control (`#!::`) form. */
export function priorityOfStreamId(streamId: string): number | undefined {
  if (streamId.startsWith('#!::')) return priorityOf(streamId.slice(4).split(','));
  return priorityOfPublishName(streamId);
}

function priorityOf(items: string[]): number | undefined {
  let found: number | undefined;
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq < 0 || item.slice(0, eq) !== 'priority') continue;
    found = parseDecimal(item.slice(eq + 1));
  }
  return found;
}

function parseDecimal(text: string): number {
  if (text.length === 0 || text.length > MAX_DIGITS) return INVALID_PRIORITY;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return INVALID_PRIORITY;
  }
  return Number(text);
}
