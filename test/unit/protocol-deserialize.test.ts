// Deserialization: members come from labels, query, headers and the JSON body as the model places them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  deserializeInput,
  loadServiceModel,
  ProtocolEngine,
  ServiceModel,
  type RequestParts,
} from '../../src/api/protocol/index.js';
import { MAX_JSON_DEPTH, MAX_JSON_VALUES } from '../../src/api/protocol/json-limits.js';
import { ServiceError } from '../../src/domain/errors.js';

const model = loadServiceModel();
const ARN = 'arn:aws:ivs:us-west-2:000000000000:channel/abcDEF123456';

function parts(over: Partial<RequestParts> = {}): RequestParts {
  return { labels: {}, query: new URLSearchParams(), headers: {}, body: Buffer.alloc(0), ...over };
}

function assertCode(fn: () => unknown, code: string, messagePart?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ServiceError);
    assert.equal(err.code, code);
    if (messagePart) assert.ok(err.message.includes(messagePart), err.message);
    return true;
  });
}

describe('deserializeInput', () => {
  it('reads body members from JSON', () => {
    const body = Buffer.from(JSON.stringify({ name: 'x', latencyMode: 'LOW', tags: { a: 'b' }, unknown: 1 }));
    const input = deserializeInput(model, 'CreateChannel', parts({ body }));
    assert.deepEqual(input, { name: 'x', latencyMode: 'LOW', tags: { a: 'b' } });
  });

  it('treats an empty or blank body as {}', () => {
    assert.deepEqual(deserializeInput(model, 'ListChannels', parts()), {});
    assert.deepEqual(deserializeInput(model, 'ListChannels', parts({ body: Buffer.from(' \n') })), {});
  });

  it('drops top-level JSON nulls', () => {
    const input = deserializeInput(model, 'ListChannels', parts({ body: Buffer.from('{"nextToken":null}') }));
    assert.deepEqual(input, {});
  });

  it('takes the URI label and repeated query parameters as a list', () => {
    const input = deserializeInput(
      model,
      'UntagResource',
      parts({
        labels: { resourceArn: ARN },
        query: new URLSearchParams('tagKeys=a&tagKeys=b%20c&other=1'),
      }),
    );
    assert.deepEqual(input, { resourceArn: ARN, tagKeys: ['a', 'b c'] });
  });

  it('takes a single query parameter as a one-element list', () => {
    const input = deserializeInput(
      model,
      'UntagResource',
      parts({ labels: { resourceArn: ARN }, query: new URLSearchParams('tagKeys=a') }),
    );
    assert.deepEqual(input.tagKeys, ['a']);
  });

  it('takes the label together with the JSON body (TagResource)', () => {
    const input = deserializeInput(
      model,
      'TagResource',
      parts({ labels: { resourceArn: ARN }, body: Buffer.from('{"tags":{"k":"v"}}') }),
    );
    assert.deepEqual(input, { resourceArn: ARN, tags: { k: 'v' } });
  });

  it('ignores a body on an operation without body members', () => {
    const input = deserializeInput(
      model,
      'ListTagsForResource',
      parts({ labels: { resourceArn: ARN }, body: Buffer.from('not json') }),
    );
    assert.deepEqual(input, { resourceArn: ARN });
  });

  it('rejects malformed JSON with SerializationException', () => {
    assertCode(
      () => deserializeInput(model, 'CreateChannel', parts({ body: Buffer.from('{"name":') })),
      'SerializationException',
      'Unable to parse request body: ',
    );
  });

  it('rejects JSON that is not an object', () => {
    for (const text of ['[]', '"x"', '12', 'null', 'true']) {
      assertCode(() => deserializeInput(model, 'CreateChannel', parts({ body: Buffer.from(text) })), 'SerializationException');
    }
  });

  it('leaves __proto__ keys inert; decoding (deserialize + validate) drops them without touching prototypes', () => {
    const text = '{"name":"x","__proto__":{"polluted":1},"tags":{"__proto__":"p","\\u005f_proto__":"q","k":"v"}}';
    const raw = deserializeInput(model, 'CreateChannel', parts({ body: Buffer.from(text) }));
    assert.equal(Object.getPrototypeOf(raw.tags), Object.prototype, 'an own property, not a prototype');
    const input = new ProtocolEngine(model).decode('CreateChannel', parts({ body: Buffer.from(text) }));
    assert.deepEqual(input, { name: 'x', tags: { k: 'v' } });
    const copy = Object.assign({}, input.tags as object) as Record<string, unknown>;
    assert.equal(copy.polluted, undefined);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(input.tags), Object.prototype);
  });

  it('bounds nesting depth and value count before parsing (SerializationException)', () => {
    const deep = (n: number) => `{"a":${'['.repeat(n)}${']'.repeat(n)}}`;
    assert.deepEqual(deserializeInput(model, 'CreateChannel', parts({ body: Buffer.from(deep(MAX_JSON_DEPTH - 1)) })), {});
    assertCode(
      () => deserializeInput(model, 'CreateChannel', parts({ body: Buffer.from(deep(MAX_JSON_DEPTH)) })),
      'SerializationException',
      `nesting deeper than ${MAX_JSON_DEPTH}`,
    );
    const many = `{"a":[${Array(MAX_JSON_VALUES + 1)
      .fill('1')
      .join(',')}]}`;
    assertCode(
      () => deserializeInput(model, 'CreateChannel', parts({ body: Buffer.from(many) })),
      'SerializationException',
      `more than ${MAX_JSON_VALUES}`,
    );
    // Brackets and commas inside strings (escaped quotes too) are text, not structure.
    const text = JSON.stringify({ name: `\\"${'[,'.repeat(MAX_JSON_VALUES)}` });
    assert.equal(
      (deserializeInput(model, 'CreateChannel', parts({ body: Buffer.from(text) })).name as string).length,
      2 * MAX_JSON_VALUES + 2,
    );
  });

  it('does not echo the body in a JSON syntax error', () => {
    assert.throws(
      () => deserializeInput(model, 'CreateChannel', parts({ body: Buffer.from('{"secretish": zzz}') })),
      (err: unknown) =>
        err instanceof ServiceError && err.code === 'SerializationException' && !err.message.includes('secretish'),
    );
  });

  it('accepts a UTF-8 BOM', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"name":"x"}')]);
    assert.deepEqual(deserializeInput(model, 'CreateChannel', parts({ body })), { name: 'x' });
  });
});

describe('deserializeInput with typed query and header members', () => {
  const synthetic = new ServiceModel({
    operations: {
      ListThings: {
        http: { method: 'GET', requestUri: '/things/{id}' },
        input: { shape: 'ListThingsRequest' },
      },
    },
    shapes: {
      ListThingsRequest: {
        type: 'structure',
        members: {
          id: { shape: 'Str', location: 'uri', locationName: 'id' },
          max: { shape: 'Int', location: 'querystring', locationName: 'maxResults' },
          flag: { shape: 'Bool', location: 'querystring', locationName: 'flag' },
          trace: { shape: 'Str', location: 'header', locationName: 'X-Trace-Id' },
        },
      },
      Str: { type: 'string' },
      Int: { type: 'integer' },
      Bool: { type: 'boolean' },
    },
  });

  it('parses integers and booleans from text and reads headers case-insensitively', () => {
    const input = deserializeInput(
      synthetic,
      'ListThings',
      parts({
        labels: { id: 'a/b' },
        query: new URLSearchParams('maxResults=25&flag=true'),
        headers: { 'x-trace-id': 'abc' },
      }),
    );
    assert.deepEqual(input, { id: 'a/b', max: 25, flag: true, trace: 'abc' });
  });

  it('rejects garbage numbers and booleans with ValidationException', () => {
    for (const q of ['maxResults=abc', 'maxResults=1.5', 'maxResults=', 'maxResults=99999999999999999999', 'flag=yes']) {
      assertCode(
        () => deserializeInput(synthetic, 'ListThings', parts({ query: new URLSearchParams(q) })),
        'ValidationException',
        'failed to satisfy constraint',
      );
    }
  });
});
