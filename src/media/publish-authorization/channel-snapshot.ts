// The channel as it is when a stream starts, as the API would return it: streams and sessions keep
// this snapshot, so UpdateChannel only affects the next stream. The same holds for the playback restriction policy
// the channel references, read by the caller (publish-authorizer.ts) and kept here.

import type { ResourceRow } from '../../storage/store.js';
import { playbackUrl, type PublicEndpoints } from '../../domain/urls.js';
import type { ChannelSnapshot } from '../registry/live-stream.js';
import type { PlaybackRestriction } from '../registry/playback-restriction.js';

/** A text setting of the stored channel (the API validated it), or the default when it has none. */
const textOf = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);

export function snapshotChannel(
  row: ResourceRow<Record<string, unknown>>,
  endpoints: PublicEndpoints,
  restriction?: PlaybackRestriction,
): ChannelSnapshot {
  const url = playbackUrl(endpoints, row, row.id);
  const doc = { ...row.doc, ingestEndpoint: endpoints.host, playbackUrl: url };
  return {
    arn: row.arn,
    id: row.id,
    name: textOf(row.doc.name, ''),
    account: row.account,
    region: row.region,
    type: textOf(row.doc.type, 'STANDARD'),
    latencyMode: textOf(row.doc.latencyMode, 'LOW'),
    containerFormat: textOf(row.doc.containerFormat, 'TS'),
    authorized: row.doc.authorized === true,
    // Always present (undefined when none), so every snapshot has one shape for the playback hot path.
    restriction,
    playbackUrl: url,
    doc,
  };
}
