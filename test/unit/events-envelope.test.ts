// Pure parts of event delivery: the IVS EventBridge envelope builders, the session-history mapping,
// backoff, webhook signatures, the PutEvents entry mapping and the SSE wire format.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  backoffDelay,
  eventTime,
  formatSse,
  limitBreach,
  recordingStateChange,
  retryPolicy,
  signWebhook,
  streamHealthChange,
  streamStateChange,
  toPutEventsEntry,
  toStreamEvent,
  verifyWebhookSignature,
  type EventOrigin,
} from '../../src/events/index.js';

const ARN = 'arn:aws:ivs:us-west-2:535011710559:channel/UCGaMPGLCbcE';
const origin: EventOrigin = {
  account: '535011710559',
  region: 'us-west-2',
  channelArn: ARN,
  channelName: '',
  streamId: 'st-1AuTyMDASvHUTSb8p5PvbsO',
  time: new Date('2024-09-09T16:17:26.789Z'),
  id: 'aa5b7a40-36cf-8dc4-5554-32d70e047215',
};

describe('event envelopes', () => {
  it('match the IVS example byte for byte', () => {
    const env = streamStateChange(origin, 'Session Created');
    assert.equal(
      JSON.stringify(env),
      '{"version":"0","id":"aa5b7a40-36cf-8dc4-5554-32d70e047215","detail-type":"IVS Stream State Change","source":"aws.ivs","account":"535011710559","time":"2024-09-09T16:17:26Z","region":"us-west-2","resources":["arn:aws:ivs:us-west-2:535011710559:channel/UCGaMPGLCbcE"],"detail":{"event_name":"Session Created","channel_name":"","stream_id":"st-1AuTyMDASvHUTSb8p5PvbsO"}}',
    );
  });

  it('default to a fresh UUID and the current time without milliseconds', () => {
    const { id: _id, time: _time, ...rest } = origin;
    const a = streamStateChange(rest, 'Stream Start');
    const b = streamStateChange(rest, 'Stream Start');
    assert.match(a.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(a.id, b.id);
    assert.match(a.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(eventTime(new Date('2026-11-26T09:33:17.999Z')), '2026-11-26T09:33:17Z');
  });

  it('carry a reason only on Stream Failure', () => {
    assert.deepEqual(streamStateChange(origin, 'Stream Failure', 'bad codec').detail, {
      event_name: 'Stream Failure',
      channel_name: '',
      stream_id: origin.streamId,
      reason: 'bad codec',
    });
    assert.equal('reason' in streamStateChange(origin, 'Stream End', 'ignored').detail, false);
  });

  it('build health, limit breach and recording events with IVS field names', () => {
    const named = { ...origin, channelName: 'mine' };
    const health = streamHealthChange(named, 'Starvation Start');
    assert.equal(health['detail-type'], 'IVS Stream Health Change');
    assert.deepEqual(health.detail, { event_name: 'Starvation Start', channel_name: 'mine', stream_id: origin.streamId });
    const breach = limitBreach(named, { name: 'Ingest Bitrate', value: 8.5, exceededBy: 1.5, unit: 'Mbps' });
    assert.equal(breach['detail-type'], 'IVS Limit Breach');
    assert.deepEqual(breach.detail, {
      limit_name: 'Ingest Bitrate',
      limit_value: 8.5,
      exceeded_by: 1.5,
      limit_unit: 'Mbps',
      channel_name: 'mine',
      stream_id: origin.streamId,
    });
    const rec = recordingStateChange(named, {
      status: 'Recording End',
      bucketName: 'b',
      keyPrefix: 'ivs/v1/x',
      durationMs: 4200,
      sessionId: 'rs',
      sessionStreamIds: ['st-1', 'st-2'],
    });
    assert.equal(rec['detail-type'], 'IVS Recording State Change');
    assert.deepEqual(rec.detail, {
      channel_name: 'mine',
      stream_id: origin.streamId,
      recording_status: 'Recording End',
      recording_status_reason: '',
      recording_s3_bucket_name: 'b',
      recording_s3_key_prefix: 'ivs/v1/x',
      recording_duration_ms: 4200,
      recording_session_id: 'rs',
      recording_session_stream_ids: ['st-1', 'st-2'],
    });
    assert.deepEqual(toStreamEvent(rec), { name: 'Recording End', type: 'IVS Recording State Change', eventTime: rec.time });
    assert.equal(toStreamEvent(breach).name, 'Ingest Bitrate');
    assert.deepEqual(toStreamEvent(streamStateChange(origin, 'Stream Start')), {
      name: 'Stream Start',
      type: 'IVS Stream State Change',
      eventTime: '2024-09-09T16:17:26Z',
    });
  });

  it('map onto a PutEvents entry and an SSE message', () => {
    const env = streamStateChange(origin, 'Stream End');
    assert.deepEqual(toPutEventsEntry(env, 'bus'), {
      Source: 'aws.ivs',
      DetailType: 'IVS Stream State Change',
      Detail: JSON.stringify(env.detail),
      Resources: [ARN],
      Time: new Date('2024-09-09T16:17:26Z'),
      EventBusName: 'bus',
    });
    assert.equal(toPutEventsEntry(env, 'bus', 'openivs.ivs').Source, 'openivs.ivs');
    assert.equal(formatSse(env), `id: ${env.id}\nevent: IVS Stream State Change\ndata: ${JSON.stringify(env)}\n\n`);
  });
});

describe('retry backoff', () => {
  it('doubles from 1 s up to 5 min, reduced by at most the jitter fraction', () => {
    const p = retryPolicy({ jitter: 0 });
    assert.deepEqual(
      [1, 2, 3, 4, 9, 10, 1000].map((n) => backoffDelay(p, n)),
      [1000, 2000, 4000, 8000, 256_000, 300_000, 300_000],
    );
    const j = retryPolicy({ jitter: 0.2 });
    assert.equal(
      backoffDelay(j, 3, () => 0),
      4000,
    );
    assert.equal(
      backoffDelay(j, 3, () => 1),
      3200,
    );
    assert.throws(() => retryPolicy({ jitter: 2 }), /invalid retry policy/);
  });
});

describe('webhook signatures', () => {
  it('are HMAC-SHA256 over "<timestamp>.<body>" and verify only when untampered and fresh', () => {
    const body = '{"a":1}';
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = signWebhook('s3cret', ts, body);
    assert.equal(sig, `sha256=${createHmac('sha256', 's3cret').update(`${ts}.${body}`).digest('hex')}`);
    assert.equal(verifyWebhookSignature('s3cret', { timestamp: ts, signature: sig }, body), true);
    assert.equal(verifyWebhookSignature('s3cret', { timestamp: ts, signature: sig }, '{"a":2}'), false);
    assert.equal(verifyWebhookSignature('other', { timestamp: ts, signature: sig }, body), false);
    assert.equal(verifyWebhookSignature('s3cret', { timestamp: ts, signature: undefined }, body), false);
    const old = String(Number(ts) - 3600);
    assert.equal(verifyWebhookSignature('s3cret', { timestamp: old, signature: signWebhook('s3cret', old, body) }, body), false);
  });
});
