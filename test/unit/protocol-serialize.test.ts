// Serialization of outputs (status, timestamps, header members) and encoding of errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeError, loadServiceModel, ProtocolEngine, serializeOutput } from '../../src/api/protocol/index.js';
import { notBroadcasting, quotaExceeded, ServiceError } from '../../src/domain/errors.js';

const model = loadServiceModel();
const CHANNEL_ARN = 'arn:aws:ivs:us-west-2:000000000000:channel/abcDEF123456';

describe('serializeOutput', () => {
  it('answers 204 with no body and no content-type', () => {
    assert.deepEqual(serializeOutput(model, 'DeleteChannel', undefined), { status: 204, headers: {}, body: '' });
    assert.deepEqual(serializeOutput(model, 'PutMetadata', {}), { status: 204, headers: {}, body: '' });
  });

  it('answers 200 with {} for empty outputs', () => {
    const res = serializeOutput(model, 'StopStream', {});
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.body, '{}');
    assert.equal(serializeOutput(model, 'DeletePlaybackKeyPair', undefined).body, '{}');
  });

  it('drops undefined members', () => {
    const res = serializeOutput(model, 'ListChannels', { channels: [], nextToken: undefined });
    assert.equal(res.body, '{"channels":[]}');
  });

  it('renders nested timestamps as ISO-8601 without milliseconds', () => {
    const output = {
      streamSession: {
        streamId: 'st-1',
        startTime: new Date('2026-11-26T09:33:17.456Z'),
        endTime: undefined,
        truncatedEvents: [{ name: 'Stream Start', eventTime: '2026-11-26T09:33:18.001Z' }],
        channel: { arn: CHANNEL_ARN, tags: { a: 'b' } },
      },
    };
    const body = JSON.parse(serializeOutput(model, 'GetStreamSession', output).body);
    assert.deepEqual(body, {
      streamSession: {
        streamId: 'st-1',
        startTime: '2026-11-26T09:33:17Z',
        truncatedEvents: [{ name: 'Stream Start', eventTime: '2026-11-26T09:33:18Z' }],
        channel: { arn: CHANNEL_ARN, tags: { a: 'b' } },
      },
    });
  });

  it('renders timestamps inside lists of summaries', () => {
    const output = { streams: [{ channelArn: CHANNEL_ARN, viewerCount: 3, startTime: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) }] };
    const body = JSON.parse(serializeOutput(model, 'ListStreams', output).body);
    assert.equal(body.streams[0].startTime, '2026-01-02T03:04:05Z');
    assert.equal(body.streams[0].viewerCount, 3);
  });

  it("sends only the output shape's members, at every depth", () => {
    const output = {
      fuzzExtra: 1,
      channel: {
        arn: CHANNEL_ARN,
        name: 'c',
        fuzzExtra: { deep: true },
        multitrackInputConfiguration: { enabled: false, fuzzExtra: 'zzz' },
        tags: { k: 'v', nested: { not: 'a string' } },
      },
    };
    const body = JSON.parse(serializeOutput(model, 'GetChannel', output).body);
    assert.deepEqual(body, {
      channel: { arn: CHANNEL_ARN, name: 'c', multitrackInputConfiguration: { enabled: false }, tags: { k: 'v' } },
    });
  });

  it('leaves out values of the wrong kind instead of passing them on', () => {
    const output = { channels: [{ arn: CHANNEL_ARN, name: { x: 1 } }, 'not a summary', null], nextToken: ['x'] };
    assert.deepEqual(JSON.parse(serializeOutput(model, 'ListChannels', output).body), { channels: [{ arn: CHANNEL_ARN }] });
  });

  it('keeps a __proto__ map key an ordinary key', () => {
    const tags = JSON.parse('{"__proto__":"p","k":"v"}') as Record<string, string>;
    const body = serializeOutput(model, 'ListTagsForResource', { tags }).body;
    assert.equal(body, '{"tags":{"__proto__":"p","k":"v"}}');
  });

  it('moves header members to headers', () => {
    const res = serializeOutput(model, 'BatchGetChannel', { channels: [], errors: [], cacheControl: 'no-store' });
    assert.equal(res.headers['Cache-Control'], 'no-store');
    assert.deepEqual(JSON.parse(res.body), { channels: [], errors: [] });
  });
});

describe('encodeError', () => {
  const decode = (res: { body: string }) => JSON.parse(res.body) as Record<string, unknown>;

  it('uses the model status and AWS headers for service errors', () => {
    const res = encodeError(model, quotaExceeded('too many'), 'req-1');
    assert.equal(res.status, 402);
    assert.equal(res.headers['x-amzn-ErrorType'], 'ServiceQuotaExceededException');
    assert.equal(res.headers['x-amzn-RequestId'], 'req-1');
    assert.equal(res.headers['content-type'], 'application/json');
    assert.deepEqual(decode(res), { exceptionMessage: 'too many', message: 'too many' });
  });

  it('maps ChannelNotBroadcasting to 404', () => {
    const res = encodeError(model, notBroadcasting(CHANNEL_ARN), 'r');
    assert.equal(res.status, 404);
    assert.equal(decode(res).exceptionMessage, `Channel: ${CHANNEL_ARN} is not currently online`);
  });

  it('falls back for generic AWS errors the model does not list', () => {
    assert.equal(encodeError(model, new ServiceError('UnrecognizedClientException', 'bad key'), 'r').status, 403);
    assert.equal(encodeError(model, new ServiceError('SerializationException', 'x'), 'r').status, 400);
  });

  it('includes extra members', () => {
    assert.deepEqual(decode(encodeError(model, new ServiceError('ConflictException', 'c', { reason: 'live' }), 'r')), {
      exceptionMessage: 'c',
      message: 'c',
      reason: 'live',
    });
  });

  it('hides anything that is not a ServiceError behind a generic 500', () => {
    for (const err of [new Error('db password is hunter2'), 'boom', null, { code: 'ValidationException', message: 'spoof' }]) {
      const res = encodeError(model, err, 'r');
      assert.equal(res.status, 500);
      assert.equal(res.headers['x-amzn-ErrorType'], 'InternalServerException');
      assert.ok(!res.body.includes('hunter2') && !res.body.includes('spoof') && !res.body.includes('at '), res.body);
    }
  });
});

describe('ProtocolEngine', () => {
  it('runs route → decode → serialize for one request', () => {
    const engine = ProtocolEngine.load();
    const match = engine.route('DELETE', `/tags/${encodeURIComponent(CHANNEL_ARN)}`);
    assert.ok(match);
    const input = engine.decode(match.operation, {
      labels: match.labels,
      query: new URLSearchParams('tagKeys=a&tagKeys=b'),
      headers: {},
      body: Buffer.alloc(0),
    });
    assert.deepEqual(input, { resourceArn: CHANNEL_ARN, tagKeys: ['a', 'b'] });
    assert.equal(engine.serialize(match.operation, {}).status, 200);
    assert.equal(engine.encodeError(new Error('x'), 'r').status, 500);
  });
});
