// Store port, part two: stream sessions (GetStreamSession/ListStreamSessions) and the event outbox.
// Kept apart from store.ts so each file stays about one thing; store.ts re-exports these types.
//
// Both repositories are reachable from a transaction store (`store.transaction(tx => tx.sessions…,
// tx.outbox…)`), which is how a state change and the events describing it commit together.

import type { LaneLease } from './store-cluster.js';

/** One entry of a session's truncatedEvents, as the API returns it. */
export interface StreamEventRecord {
  name: string;
  /** The event's group, e.g. `IVS Stream State Change`. */
  type: string;
  /** ISO-8601 UTC. */
  eventTime: string;
  code?: string;
}

/** IVS keeps at most this many events per session (newest first). */
export const MAX_SESSION_EVENTS = 500;

/** The JSON part of a session; shapes follow the IVS model (StreamSession). */
export interface StreamSessionDoc {
  /** The channel as it was when the session started. */
  channel?: Record<string, unknown>;
  ingestConfiguration?: Record<string, unknown>;
  ingestConfigurations?: Record<string, unknown>;
  recordingConfiguration?: Record<string, unknown>;
  /** Newest first, at most MAX_SESSION_EVENTS. */
  truncatedEvents: StreamEventRecord[];
}

export interface StreamSessionRow {
  streamId: string;
  account: string;
  region: string;
  channelArn: string;
  /** ISO-8601 UTC text (e.g. new Date().toISOString()). */
  startTime: string;
  /** ISO-8601 UTC text; null while live. */
  endTime: string | null;
  hasErrorEvent: boolean;
  /** Insertion order, assigned by the store. */
  seq: number;
  doc: StreamSessionDoc;
}

export type NewStreamSessionRow = Omit<StreamSessionRow, 'seq' | 'hasErrorEvent' | 'endTime' | 'doc'> & {
  endTime?: string | null;
  hasErrorEvent?: boolean;
  doc?: Partial<StreamSessionDoc>;
};

export interface StreamSessionPatch {
  endTime?: string | null;
  hasErrorEvent?: boolean;
  /** Shallow-merged into the stored doc (top-level keys replace); truncatedEvents is re-capped. */
  doc?: Partial<StreamSessionDoc>;
}

export interface StreamSessionRepository {
  insert(row: NewStreamSessionRow): Promise<StreamSessionRow>;
  get(streamId: string): Promise<StreamSessionRow | undefined>;
  /** The channel's most recent session (GetStreamSession without streamId). */
  latest(channelArn: string): Promise<StreamSessionRow | undefined>;
  /** Newest first. */
  list(channelArn: string, offset: number, limit: number): Promise<StreamSessionRow[]>;
  /** Returns false when the session does not exist. */
  update(streamId: string, patch: StreamSessionPatch): Promise<boolean>;
  /**
   * Prepends event to truncatedEvents (capped at MAX_SESSION_EVENTS) and sets hasErrorEvent when the
   * event is an error (see isErrorEvent). Returns false when the session does not exist.
   */
  appendEvent(streamId: string, event: StreamEventRecord): Promise<boolean>;
  /** Sessions without an endTime, oldest first: after a crash these are closed on start. */
  listOpen(): Promise<StreamSessionRow[]>;
}

/** Failures and limit breaches flag a session (StreamSessionSummary.hasErrorEvent). */
export function isErrorEvent(event: Pick<StreamEventRecord, 'name' | 'type'>): boolean {
  return event.type === 'IVS Limit Breach' || /Failure$/.test(event.name);
}

export interface OutboxRow {
  id: number;
  eventId: string;
  /** The sink's stable name, e.g. `webhook:<hash>`. */
  sink: string;
  /** JSON text of the full envelope. */
  payload: string;
  createdAt: number;
  attempts: number;
  /** Epoch ms before which the row must not be tried. */
  nextAttemptAt: number;
  deliveredAt: number | null;
  abandonedAt: number | null;
  lastError: string | null;
}

/** Anything with an id (the envelope's event id); it is stored as JSON. */
export interface OutboxEvent {
  id: string;
}

export interface OutboxRepository {
  /**
   * One row per event × sink; ids ascend in the order given (events outer, sinks inner), so each
   * sink sees the events in order. Returns the number of rows written.
   */
  enqueue(events: readonly OutboxEvent[], sinks: readonly string[], nowMs?: number): Promise<number>;
  /** Pending (not delivered, not abandoned) rows with nextAttemptAt <= nowMs, by id. */
  due(nowMs: number, limit: number): Promise<OutboxRow[]>;
  /** The oldest pending rows of one sink, due or not (the head of its FIFO). */
  pendingFor(sink: string, limit: number): Promise<OutboxRow[]>;
  /** Distinct sinks that still have pending rows. */
  pendingSinks(): Promise<string[]>;
  /**
   * The mark* methods take the dispatcher's lane grant on a shared database: they change nothing (and
   * return false) once that grant is no longer current, so a dispatcher that lost its lane cannot
   * overwrite the work of the one that took it over. They return false also when the row is gone.
   */
  markDelivered(id: number, nowMs: number, lane?: LaneLease): Promise<boolean>;
  /** Counts the attempt, records the error and schedules the next one. */
  markFailed(id: number, nextAttemptAtMs: number, error: string, lane?: LaneLease): Promise<boolean>;
  /** Gives up on a row (counts the attempt): it stops being pending and is pruned like a delivered one. */
  abandon(id: number, nowMs: number, error: string, lane?: LaneLease): Promise<boolean>;
  pendingCount(sink?: string): Promise<number>;
  /** Deletes delivered/abandoned rows finished before olderThanMs; returns how many. */
  prune(olderThanMs: number): Promise<number>;
}
