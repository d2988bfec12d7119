// Recording lifecycle events (`IVS Recording State Change`), written through the stream session log
// so each one is an outbox row committed with the session's truncatedEvents, like the stream events.
// A recording spanning reconnects reports its last stream in stream_id and all of them in
// recording_session_stream_ids.

import type { Logger } from 'pino';
import { recordingStateChange, type RecordingStatus } from '../../events/envelope.js';
import type { SessionLog } from '../stream-sessions/session-log.js';
import type { RecordingMeta } from './journal.js';

export interface RecordingEventInfo {
  streamId: string;
  streamIds: string[];
  durationMs?: number;
  reason?: string;
}

export class RecordingEvents {
  constructor(
    private readonly sessions: SessionLog,
    private readonly log: Logger,
  ) {}

  /** Never throws: a failed event write is logged (the recording itself is unaffected). */
  async emit(meta: RecordingMeta, status: RecordingStatus, info: RecordingEventInfo): Promise<void> {
    const origin = {
      account: meta.account,
      region: meta.region,
      channelArn: meta.channelArn,
      channelName: meta.channelName,
      streamId: info.streamId,
    };
    const event = recordingStateChange(origin, {
      status,
      reason: info.reason,
      bucketName: meta.bucket,
      keyPrefix: meta.prefix,
      durationMs: info.durationMs,
      sessionId: meta.recordingId,
      sessionStreamIds: info.streamIds,
    });
    try {
      await this.sessions.record(info.streamId, [event]);
    } catch (err) {
      this.log.error({ err, recordingId: meta.recordingId, status }, 'recording: could not record the event');
    }
  }
}
