// StreamSessionRepository over Kysely (dialect-neutral). Read-modify-write operations (update with a
// doc merge, appendEvent) run in a transaction of their own unless the caller already holds one, so
// two writers never lose each other's events.

import type { Kysely, Selectable } from 'kysely';
import type { Database, StreamSessionsTable } from '../schema.js';
import {
  isErrorEvent,
  MAX_SESSION_EVENTS,
  type NewStreamSessionRow,
  type StreamEventRecord,
  type StreamSessionDoc,
  type StreamSessionPatch,
  type StreamSessionRepository,
  type StreamSessionRow,
} from '../store-events.js';
import { inTransaction, reserve } from './sequence.js';

type RawSession = Selectable<StreamSessionsTable>;

export class KyselySessionRepository implements StreamSessionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: NewStreamSessionRow): Promise<StreamSessionRow> {
    const doc = normalizeDoc(row.doc ?? {});
    const stored: Omit<StreamSessionRow, 'seq'> = {
      streamId: row.streamId,
      account: row.account,
      region: row.region,
      channelArn: row.channelArn,
      startTime: row.startTime,
      endTime: row.endTime ?? null,
      hasErrorEvent: row.hasErrorEvent ?? doc.truncatedEvents.some(isErrorEvent),
      doc,
    };
    return inTransaction(this.db, async (db) => {
      const seq = await reserve(db, 'stream_sessions');
      await db
        .insertInto('stream_sessions')
        .values({
          stream_id: stored.streamId,
          account: stored.account,
          region: stored.region,
          channel_arn: stored.channelArn,
          start_time: stored.startTime,
          end_time: stored.endTime,
          has_error_event: stored.hasErrorEvent ? 1 : 0,
          seq,
          doc: JSON.stringify(stored.doc),
        })
        .execute();
      return { ...stored, seq };
    });
  }

  async get(streamId: string): Promise<StreamSessionRow | undefined> {
    const raw = await this.db.selectFrom('stream_sessions').selectAll().where('stream_id', '=', streamId).executeTakeFirst();
    return raw === undefined ? undefined : decode(raw);
  }

  async latest(channelArn: string): Promise<StreamSessionRow | undefined> {
    return (await this.list(channelArn, 0, 1))[0];
  }

  async list(channelArn: string, offset: number, limit: number): Promise<StreamSessionRow[]> {
    const rows = await this.db
      .selectFrom('stream_sessions')
      .selectAll()
      .where('channel_arn', '=', channelArn)
      .orderBy('seq', 'desc')
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map(decode);
  }

  update(streamId: string, patch: StreamSessionPatch): Promise<boolean> {
    return inTransaction(this.db, async (db) => {
      const current = await new KyselySessionRepository(db).get(streamId);
      if (current === undefined) return false;
      const doc = patch.doc === undefined ? current.doc : normalizeDoc({ ...current.doc, ...patch.doc });
      await db
        .updateTable('stream_sessions')
        .set({
          end_time: patch.endTime === undefined ? current.endTime : patch.endTime,
          has_error_event: (patch.hasErrorEvent ?? current.hasErrorEvent) ? 1 : 0,
          doc: JSON.stringify(doc),
        })
        .where('stream_id', '=', streamId)
        .execute();
      return true;
    });
  }

  appendEvent(streamId: string, event: StreamEventRecord): Promise<boolean> {
    return inTransaction(this.db, async (db) => {
      const current = await new KyselySessionRepository(db).get(streamId);
      if (current === undefined) return false;
      const record: StreamEventRecord = { name: event.name, type: event.type, eventTime: event.eventTime };
      if (event.code !== undefined) record.code = event.code;
      const truncatedEvents = [record, ...current.doc.truncatedEvents].slice(0, MAX_SESSION_EVENTS);
      await db
        .updateTable('stream_sessions')
        .set({
          // Sticky: once a session saw an error it keeps the flag even after the event scrolls out.
          has_error_event: current.hasErrorEvent || isErrorEvent(event) ? 1 : 0,
          doc: JSON.stringify({ ...current.doc, truncatedEvents }),
        })
        .where('stream_id', '=', streamId)
        .execute();
      return true;
    });
  }

  async listOpen(): Promise<StreamSessionRow[]> {
    const rows = await this.db
      .selectFrom('stream_sessions')
      .selectAll()
      .where('end_time', 'is', null)
      .orderBy('seq', 'asc')
      .execute();
    return rows.map(decode);
  }
}

/** Fills a missing event list and enforces the cap, whatever the caller passed. */
function normalizeDoc(doc: Partial<StreamSessionDoc>): StreamSessionDoc {
  const events = doc.truncatedEvents ?? [];
  return { ...doc, truncatedEvents: events.slice(0, MAX_SESSION_EVENTS) };
}

function decode(raw: RawSession): StreamSessionRow {
  return {
    streamId: raw.stream_id,
    account: raw.account,
    region: raw.region,
    channelArn: raw.channel_arn,
    startTime: raw.start_time,
    endTime: raw.end_time,
    // Number(): PostgreSQL drivers may return integers as strings.
    hasErrorEvent: Number(raw.has_error_event) !== 0,
    seq: Number(raw.seq),
    doc: JSON.parse(raw.doc) as StreamSessionDoc,
  };
}
