// The channel as it is when a stream starts, as the API would return it: streams and sessions keep
// this snapshot, so UpdateChannel only affects the next stream.

import type { ResourceRow } from '../../storage/store.js';
import { playbackUrl, type PublicEndpoints } from '../../domain/urls.js';
import type { ChannelSnapshot } from './live-stream.js';

export function snapshotChannel(row: ResourceRow<Record<string, unknown>>, endpoints: PublicEndpoints): ChannelSnapshot {
  const url = playbackUrl(endpoints, row, row.id);
  const doc = { ...row.doc, ingestEndpoint: endpoints.host, playbackUrl: url };
  return {
    arn: row.arn,
    id: row.id,
    name: typeof row.doc.name === 'string' ? row.doc.name : '',
    account: row.account,
    region: row.region,
    type: String(row.doc.type ?? 'STANDARD'),
    latencyMode: String(row.doc.latencyMode ?? 'LOW'),
    containerFormat: String(row.doc.containerFormat ?? 'TS'),
    authorized: row.doc.authorized === true,
    playbackUrl: url,
    doc,
  };
}
