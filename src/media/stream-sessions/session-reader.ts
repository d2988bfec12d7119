// The StreamSessions port over the store: GetStreamSession and ListStreamSessions read the persisted
// sessions, shaped as the model's StreamSession and StreamSessionSummary.

import type { StreamSessions, StreamSessionSummaryView } from '../../domain/ports.js';
import type { Store } from '../../storage/store.js';
import type { StreamSessionRow } from '../../storage/store-events.js';

function ingestConfigurations(ingest: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!ingest) return undefined;
  return {
    videoConfigurations: ingest.video ? [ingest.video] : [],
    audioConfigurations: ingest.audio ? [ingest.audio] : [],
  };
}

function toSession(row: StreamSessionRow): Record<string, unknown> {
  const ingest = row.doc.ingestConfiguration;
  return {
    streamId: row.streamId,
    startTime: row.startTime,
    endTime: row.endTime ?? undefined,
    channel: row.doc.channel,
    ingestConfiguration: ingest,
    ingestConfigurations: row.doc.ingestConfigurations ?? ingestConfigurations(ingest),
    recordingConfiguration: row.doc.recordingConfiguration,
    truncatedEvents: row.doc.truncatedEvents,
  };
}

export function storeStreamSessions(store: Store): StreamSessions {
  return {
    async list(channelArn, offset, limit): Promise<StreamSessionSummaryView[]> {
      const rows = await store.sessions.list(channelArn, offset, limit);
      return rows.map((r) => ({
        streamId: r.streamId,
        startTime: new Date(r.startTime),
        endTime: r.endTime ? new Date(r.endTime) : undefined,
        hasErrorEvent: r.hasErrorEvent,
      }));
    },
    async get(channelArn, streamId) {
      const row = streamId ? await store.sessions.get(streamId) : await store.sessions.latest(channelArn);
      return row && row.channelArn === channelArn ? toSession(row) : undefined;
    },
  };
}
