// InsertAdBreak on a live stream: the rules IVS states (a TS channel, one break at a time) and the mark every
// rendition's segmenter signals from its next segment boundary (package/ad-markers.ts). The SCTE-35 splice_event_id
// is derived from the adBreakId so the OUT and the IN of one break, in every rendition, carry the same event.

import { createHash } from 'node:crypto';
import { conflict, validation } from '../../domain/errors.js';
import type { AdBreakRequest } from '../../domain/ports.js';
import type { AdBreakMark } from '../package/ad-markers.js';
import type { LiveStream } from './live-stream.js';

/** When the last accepted break of a stream ends (epoch ms), to refuse one that would overlap it. */
const breakEnds = new WeakMap<LiveStream, number>();

export function insertAdBreakInto(stream: LiveStream, adBreak: AdBreakRequest, now: Date): void {
  if (stream.channel.containerFormat !== 'TS') {
    throw validation(`Ad breaks need a channel with containerFormat TS; ${stream.channel.arn} streams FRAGMENTED_MP4`);
  }
  const runningUntil = breakEnds.get(stream);
  if (runningUntil !== undefined && now.getTime() < runningUntil) {
    throw conflict(`An ad break is already in progress on channel ${stream.channel.arn}`);
  }
  const durationMs = adBreak.durationSeconds * 1000;
  breakEnds.set(stream, now.getTime() + durationMs);
  const mark: AdBreakMark = {
    id: adBreak.adBreakId,
    eventId: createHash('sha256').update(adBreak.adBreakId).digest().readUInt32BE(0),
    requestedAt: now,
    durationMs,
  };
  for (const rendition of stream.renditions.values()) rendition.insertAdBreak(mark);
}
