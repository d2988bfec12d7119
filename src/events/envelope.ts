// IVS events in Amazon EventBridge's envelope format, built exactly as IVS emits them so rules and
// consumers written for AWS work unchanged: `source` is `aws.ivs`, `resources` holds the channel
// ARN, `time` is ISO-8601 to the second, and the detail uses IVS's snake_case field names.

import { randomUUID } from 'node:crypto';
import type { StreamEventRecord } from '../storage/store-events.js';

export type IvsDetailType =
  'IVS Stream State Change' | 'IVS Stream Health Change' | 'IVS Limit Breach' | 'IVS Recording State Change';

export interface IvsEventEnvelope<D extends object = Record<string, unknown>> {
  version: '0';
  id: string;
  'detail-type': IvsDetailType;
  source: 'aws.ivs';
  account: string;
  /** ISO-8601 UTC without milliseconds, e.g. 2026-11-26T09:33:17Z. */
  time: string;
  region: string;
  resources: string[];
  detail: D;
}

/** Where and when an event happened; id and time default to a fresh UUID and now. */
export interface EventOrigin {
  account: string;
  region: string;
  channelArn: string;
  /** The channel's name ('' when unnamed, as IVS sends it). */
  channelName: string;
  streamId: string;
  time?: Date;
  id?: string;
}

export type StreamStateEventName =
  | 'Session Created'
  | 'Stream Start'
  | 'Stream End'
  | 'Session Ended'
  | 'Stream Failure'
  | 'Stream Takeover'
  | 'Stream Takeover Failure';

/** Why a takeover was refused (StreamEvent.code in the model). */
export type StreamTakeoverFailureCode =
  'StreamTakeoverInvalidPriority' | 'StreamTakeoverMediaMismatch' | 'StreamTakeoverLimitBreached';

export interface StreamStateDetail {
  event_name: StreamStateEventName;
  channel_name: string;
  stream_id: string;
  /** Only on Stream Failure. */
  reason?: string;
  /** Only on Stream Takeover Failure. */
  code?: StreamTakeoverFailureCode;
}

export interface StreamHealthDetail {
  event_name: 'Starvation Start' | 'Starvation End';
  channel_name: string;
  stream_id: string;
}

export type LimitName = 'Ingest Bitrate' | 'Ingest Resolution' | 'Concurrent Broadcasts' | 'Concurrent Viewers';

export interface LimitBreachDetail {
  limit_name: LimitName;
  limit_value: number;
  exceeded_by: number;
  limit_unit: string;
  channel_name: string;
  stream_id: string;
}

export type RecordingStatus = 'Recording Start' | 'Recording End' | 'Recording Start Failure' | 'Recording End Failure';

export interface RecordingStateDetail {
  channel_name: string;
  stream_id: string;
  recording_status: RecordingStatus;
  recording_status_reason: string;
  recording_s3_bucket_name: string;
  recording_s3_key_prefix: string;
  recording_duration_ms: number;
  recording_session_id: string;
  recording_session_stream_ids: string[];
}

/** EventBridge time: ISO-8601 UTC with the milliseconds dropped (IVS never sends them). */
export function eventTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function envelope<D extends object>(origin: EventOrigin, type: IvsDetailType, detail: D): IvsEventEnvelope<D> {
  return {
    version: '0',
    id: origin.id ?? randomUUID(),
    'detail-type': type,
    source: 'aws.ivs',
    account: origin.account,
    time: eventTime(origin.time ?? new Date()),
    region: origin.region,
    resources: [origin.channelArn],
    detail,
  };
}

export function streamStateChange(
  origin: EventOrigin,
  eventName: StreamStateEventName,
  reason?: string,
): IvsEventEnvelope<StreamStateDetail> {
  const detail: StreamStateDetail = { event_name: eventName, channel_name: origin.channelName, stream_id: origin.streamId };
  if (eventName === 'Stream Failure') detail.reason = reason ?? '';
  return envelope(origin, 'IVS Stream State Change', detail);
}

/** A takeover request refused: IVS's `Stream Takeover Failure` with the model's event code. */
export function streamTakeoverFailure(origin: EventOrigin, code: StreamTakeoverFailureCode): IvsEventEnvelope<StreamStateDetail> {
  const detail: StreamStateDetail = {
    event_name: 'Stream Takeover Failure',
    channel_name: origin.channelName,
    stream_id: origin.streamId,
    code,
  };
  return envelope(origin, 'IVS Stream State Change', detail);
}

export function streamHealthChange(
  origin: EventOrigin,
  eventName: StreamHealthDetail['event_name'],
): IvsEventEnvelope<StreamHealthDetail> {
  return envelope(origin, 'IVS Stream Health Change', {
    event_name: eventName,
    channel_name: origin.channelName,
    stream_id: origin.streamId,
  });
}

export function limitBreach(
  origin: EventOrigin,
  limit: { name: LimitName; value: number; exceededBy: number; unit: string },
): IvsEventEnvelope<LimitBreachDetail> {
  return envelope(origin, 'IVS Limit Breach', {
    limit_name: limit.name,
    limit_value: limit.value,
    exceeded_by: limit.exceededBy,
    limit_unit: limit.unit,
    channel_name: origin.channelName,
    stream_id: origin.streamId,
  });
}

export interface RecordingInfo {
  status: RecordingStatus;
  /** '' unless a failure. */
  reason?: string;
  bucketName: string;
  keyPrefix: string;
  /** 0 on Recording Start. */
  durationMs?: number;
  /** Several streams can belong to one recording session when merged (recordingReconnectWindow). */
  sessionId: string;
  sessionStreamIds: string[];
}

export function recordingStateChange(origin: EventOrigin, rec: RecordingInfo): IvsEventEnvelope<RecordingStateDetail> {
  return envelope(origin, 'IVS Recording State Change', {
    channel_name: origin.channelName,
    stream_id: origin.streamId,
    recording_status: rec.status,
    recording_status_reason: rec.reason ?? '',
    recording_s3_bucket_name: rec.bucketName,
    recording_s3_key_prefix: rec.keyPrefix,
    recording_duration_ms: rec.durationMs ?? 0,
    recording_session_id: rec.sessionId,
    recording_session_stream_ids: rec.sessionStreamIds,
  });
}

/**
 * The session-history entry (StreamSession.truncatedEvents) for an envelope: `type` is the
 * detail-type and `name` the event's name within it (event_name, recording_status or limit_name).
 */
export function toStreamEvent(env: IvsEventEnvelope<object>): StreamEventRecord {
  const d = env.detail as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const name = text(d['event_name']) ?? text(d['recording_status']) ?? text(d['limit_name']) ?? env['detail-type'];
  const code = text(d['code']);
  return code === undefined
    ? { name, type: env['detail-type'], eventTime: env.time }
    : { name, type: env['detail-type'], eventTime: env.time, code };
}
