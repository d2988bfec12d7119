// What deciding a playback request needs to know of a live stream: which channel and stream it is, whether the
// channel is private, and its playback restriction policy, as snapshotted when the broadcast started. The owner node
// reads it from its LiveStream; a node serving the stream for its owner (origin pull) asks the owner once and keeps
// the answer a few seconds (remote-access.ts), so both decide from the same snapshot. The wire form is JSON.

import type { PlaybackRestriction } from '../registry/playback-restriction.js';

export interface StreamAccess {
  playbackKey: string;
  streamId: string;
  channel: {
    arn: string;
    account: string;
    region: string;
    authorized: boolean;
    restriction: PlaybackRestriction | undefined;
  };
}

/** The JSON form sent between nodes (a restriction's country set as a list). */
export interface StreamAccessWire {
  playbackKey: string;
  streamId: string;
  channel: {
    arn: string;
    account: string;
    region: string;
    authorized: boolean;
    restriction?: { arn: string; origins?: string[]; strictOrigin: boolean; countries?: string[] };
  };
}

export function accessToWire(access: StreamAccess): StreamAccessWire {
  const { channel } = access;
  const r = channel.restriction;
  return {
    playbackKey: access.playbackKey,
    streamId: access.streamId,
    channel: {
      arn: channel.arn,
      account: channel.account,
      region: channel.region,
      authorized: channel.authorized,
      ...(r && {
        restriction: {
          arn: r.arn,
          strictOrigin: r.strictOrigin,
          ...(r.origins && { origins: [...r.origins] }),
          ...(r.countries && { countries: [...r.countries] }),
        },
      }),
    },
  };
}

const isString = (v: unknown): v is string => typeof v === 'string';
const stringList = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every(isString) ? v : undefined);

/** Checks a peer's answer field by field (a signed peer is still input); undefined when it does not parse. */
export function accessFromWire(value: unknown): StreamAccess | undefined {
  const w = value as Partial<StreamAccessWire> | null;
  const c = w?.channel;
  if (!w || !c || !isString(w.playbackKey) || !isString(w.streamId)) return undefined;
  if (!isString(c.arn) || !isString(c.account) || !isString(c.region) || typeof c.authorized !== 'boolean') return undefined;
  let restriction: PlaybackRestriction | undefined;
  if (c.restriction !== undefined) {
    const r = c.restriction;
    const origins = r.origins === undefined ? undefined : stringList(r.origins);
    const countries = r.countries === undefined ? undefined : stringList(r.countries);
    if (!isString(r.arn) || typeof r.strictOrigin !== 'boolean') return undefined;
    if ((r.origins !== undefined && !origins) || (r.countries !== undefined && !countries)) return undefined;
    restriction = { arn: r.arn, origins, strictOrigin: r.strictOrigin, countries: countries && new Set(countries) };
  }
  return {
    playbackKey: w.playbackKey,
    streamId: w.streamId,
    channel: { arn: c.arn, account: c.account, region: c.region, authorized: c.authorized, restriction },
  };
}
