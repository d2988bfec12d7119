// Validation against the model: required members, types, lengths, patterns, enums, ranges, sizes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadServiceModel, ServiceModel, validateInput } from '../../src/api/protocol/index.js';
import { ServiceError } from '../../src/domain/errors.js';

const model = loadServiceModel();
const CHANNEL_ARN = 'arn:aws:ivs:us-west-2:000000000000:channel/abcDEF123456';

function rejects(operation: string, input: Record<string, unknown>, expected?: string | RegExp): string {
  let message = '';
  assert.throws(
    () => validateInput(model, operation, input),
    (err: unknown) => {
      assert.ok(err instanceof ServiceError);
      assert.equal(err.code, 'ValidationException');
      message = err.message;
      if (typeof expected === 'string') assert.equal(err.message, expected);
      else if (expected) assert.match(err.message, expected);
      return true;
    },
  );
  return message;
}

const accepts = (operation: string, input: Record<string, unknown>) => validateInput(model, operation, input);

const arns = (n: number) => Array.from({ length: n }, (_, i) => `${CHANNEL_ARN.slice(0, -2)}${String(i).padStart(2, '0')}`);
const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));

describe('validateInput: required members', () => {
  it('reports a missing top-level member exactly as the real service', () => {
    rejects('CreateStreamKey', {}, 'CreateStreamKey.channelArn is a required attribute');
    rejects('PutMetadata', { metadata: 'x' }, 'PutMetadata.channelArn is a required attribute');
  });

  it('treats JSON null as missing and leaves nulls out of the decoded input', () => {
    rejects('CreateStreamKey', { channelArn: null }, 'CreateStreamKey.channelArn is a required attribute');
    const input: Record<string, unknown> = { name: null, latencyMode: 'LOW' };
    assert.deepEqual(accepts('CreateChannel', input), { latencyMode: 'LOW' });
    assert.deepEqual(input, { name: null, latencyMode: 'LOW' }, "the caller's object is not modified");
  });

  it('uses the dotted path for nested required members', () => {
    rejects(
      'CreateRecordingConfiguration',
      { destinationConfiguration: { s3: {} } },
      'CreateRecordingConfiguration.destinationConfiguration.s3.bucketName is a required attribute',
    );
  });

  it('accepts a valid nested structure and ignores unknown members', () => {
    accepts('CreateRecordingConfiguration', { destinationConfiguration: { s3: { bucketName: 'my-bucket' } }, extra: { x: 1 } });
  });
});

describe('validateInput: the decoded input holds only model members', () => {
  /** An unknown member that throws if anything reads it: validation must never look into it. */
  const trap = () =>
    Object.defineProperty({}, 'fuzzExtra', {
      enumerable: true,
      get() {
        throw new Error('an unknown member was read');
      },
    });

  it('drops unknown members at every depth, without reading them', () => {
    const input = Object.assign(trap(), {
      name: 'n',
      multitrackInputConfiguration: Object.assign(trap(), { enabled: false }),
      tags: { k: 'v' },
    });
    assert.deepEqual(accepts('CreateChannel', input), {
      name: 'n',
      multitrackInputConfiguration: { enabled: false },
      tags: { k: 'v' },
    });
    const batch = accepts('BatchStartViewerSessionRevocation', {
      viewerSessions: [Object.assign(trap(), { channelArn: CHANNEL_ARN, viewerId: 'v' })],
    });
    assert.deepEqual(batch, { viewerSessions: [{ channelArn: CHANNEL_ARN, viewerId: 'v' }] });
    const rec = accepts('CreateRecordingConfiguration', {
      destinationConfiguration: Object.assign(trap(), { s3: Object.assign(trap(), { bucketName: 'b-1' }) }),
      thumbnailConfiguration: Object.assign(trap(), { storage: ['LATEST'] }),
    });
    assert.deepEqual(rec, {
      destinationConfiguration: { s3: { bucketName: 'b-1' } },
      thumbnailConfiguration: { storage: ['LATEST'] },
    });
  });

  it('returns fresh containers, so later changes to the request object cannot reach the handler', () => {
    const tags = { k: 'v' };
    const decoded = accepts('CreateChannel', { tags });
    tags.k = 'changed';
    assert.deepEqual(decoded.tags, { k: 'v' });
  });

  it('drops a __proto__ map key and never sets a prototype', () => {
    const tags = JSON.parse('{"__proto__":"x","k":"v"}') as Record<string, unknown>;
    const decoded = accepts('TagResource', { resourceArn: CHANNEL_ARN, tags });
    assert.deepEqual(Object.keys(decoded.tags as object), ['k']);
    assert.equal(Object.getPrototypeOf(decoded.tags), Object.prototype);
  });

  it('does not echo the contents of an object that is in the wrong place', () => {
    const message = rejects('CreateChannel', { name: { fuzzExtra: 'zzz' }, tags: [{ fuzzExtra: 1 }] });
    assert.ok(!message.includes('fuzzExtra'), message);
    assert.match(message, /Value '\{\.\.\.\}' at 'name'/);
  });
});

describe('validateInput: types', () => {
  it('rejects wrong scalar types', () => {
    rejects(
      'CreateChannel',
      { name: 5 },
      "1 validation error detected: Value '5' at 'name' failed to satisfy constraint: Member must be a string",
    );
    rejects('CreateChannel', { authorized: 'true' }, /at 'authorized' failed to satisfy constraint: Member must be a boolean/);
    rejects('ListChannels', { maxResults: '10' }, /Member must be an integer/);
    rejects('ListChannels', { maxResults: 1.5 }, /Member must be an integer/);
  });

  it('rejects wrong container types', () => {
    rejects('BatchGetChannel', { arns: CHANNEL_ARN }, /at 'arns' failed to satisfy constraint: Member must be a list/);
    rejects('CreateChannel', { tags: ['a'] }, /at 'tags' failed to satisfy constraint: Member must be a map/);
    rejects('CreateRecordingConfiguration', { destinationConfiguration: 'x' }, /Member must be a structure/);
  });
});

describe('validateInput: strings', () => {
  it('rejects a channel name with a space (pattern is a full match)', () => {
    rejects(
      'CreateChannel',
      { name: 'a b' },
      "1 validation error detected: Value 'a b' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]*",
    );
    accepts('CreateChannel', { name: 'my-channel_1' });
    accepts('CreateChannel', { name: '' });
  });

  it('checks lengths in code points and reports every broken rule', () => {
    rejects(
      'CreateChannel',
      { name: 'a'.repeat(129) },
      `1 validation error detected: Value '${'a'.repeat(100)}...' at 'name' failed to satisfy constraint: Member must have length less than or equal to 128`,
    );
    const message = rejects('CreateChannel', { name: ' '.repeat(200) });
    assert.match(message, /^2 validation errors detected: .*length less than or equal to 128; .*regular expression pattern/);
    accepts('TagResource', { resourceArn: CHANNEL_ARN, tags: { ['𠀀'.repeat(128)]: 'v' } }); // 256 UTF-16 units, 128 code points
    rejects(
      'TagResource',
      { resourceArn: CHANNEL_ARN, tags: { ['𠀀'.repeat(129)]: 'v' } },
      /Map keys must satisfy constraint: \[Member must have length less than or equal to 128/,
    );
  });

  it('accepts valid ARNs and rejects others', () => {
    accepts('GetChannel', { arn: CHANNEL_ARN });
    rejects('GetChannel', { arn: 'arn:aws:ivs:us-west-2:000000000000:stream-key/abc' }, /regular expression pattern/);
    rejects('GetChannel', { arn: '' }, /length greater than or equal to 1/);
  });

  it('applies the real-ARN override for ResourceArn', () => {
    for (const type of ['channel', 'stream-key', 'playback-key', 'recording-configuration', 'playback-restriction-policy']) {
      accepts('ListTagsForResource', { resourceArn: `arn:aws:ivs:us-west-2:000000000000:${type}/abcDEF123456` });
    }
    rejects('ListTagsForResource', { resourceArn: 'arn:aws:ivs:us-west-2:000000000000:c/abc' }, /regular expression pattern/);
    rejects('ListTagsForResource', { resourceArn: 'arn:aws:s3:::bucket' }, /regular expression pattern/);
  });

  it('checks enums', () => {
    rejects(
      'CreateChannel',
      { latencyMode: 'FAST' },
      "1 validation error detected: Value 'FAST' at 'latencyMode' failed to satisfy constraint: Member must satisfy enum value set: [NORMAL, LOW]",
    );
    accepts('CreateChannel', { latencyMode: 'NORMAL', type: 'BASIC' });
  });

  it('does not echo sensitive values', () => {
    rejects(
      'PutMetadata',
      { channelArn: CHANNEL_ARN, metadata: '' },
      "1 validation error detected: Value at 'metadata' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });
});

describe('validateInput: numbers, lists and maps', () => {
  it('holds integer members to int32 and long members to the safe-integer range', () => {
    const revoke = (v: number) => ({ channelArn: CHANNEL_ARN, viewerId: 'v', viewerSessionVersionsLessThanOrEqualTo: v });
    accepts('StartViewerSessionRevocation', revoke(2147483647));
    for (const v of [2147483648, 2 ** 53 + 2, 2 ** 64, 1e308]) {
      rejects(
        'StartViewerSessionRevocation',
        revoke(v),
        /at 'viewerSessionVersionsLessThanOrEqualTo' failed to satisfy constraint: Member must have value less than or equal to 2147483647/,
      );
    }
    rejects('StartViewerSessionRevocation', revoke(-1), /greater than or equal to 0/);
    rejects('StartViewerSessionRevocation', revoke(0.5), /Member must be an integer/);
    for (const v of [Infinity, NaN]) rejects('StartViewerSessionRevocation', revoke(v), /Member must be an integer/);
    rejects(
      'BatchStartViewerSessionRevocation',
      { viewerSessions: [revoke(2 ** 31)] },
      /at 'viewerSessions.1.member.viewerSessionVersionsLessThanOrEqualTo'/,
    );
    // TargetIntervalSeconds is a `long` bounded by the model (1-60).
    const thumbs = (v: number) => ({
      destinationConfiguration: { s3: { bucketName: 'b-1' } },
      thumbnailConfiguration: { targetIntervalSeconds: v },
    });
    accepts('CreateRecordingConfiguration', thumbs(60));
    rejects('CreateRecordingConfiguration', thumbs(2 ** 53 + 2), /less than or equal to 60/);
    assert.equal(Object.is(accepts('ListChannels', { maxResults: 1 }).maxResults, 1), true);
  });

  it('checks integer ranges', () => {
    rejects(
      'ListChannels',
      { maxResults: 0 },
      /Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1/,
    );
    rejects('ListChannels', { maxResults: 101 }, /Member must have value less than or equal to 100/);
    accepts('ListChannels', { maxResults: 1 });
    accepts('ListChannels', { maxResults: 100 });
  });

  it('checks list sizes (BatchGetChannel takes 1 to 50 ARNs) and list members', () => {
    rejects(
      'BatchGetChannel',
      { arns: [] },
      /at 'arns' failed to satisfy constraint: Member must have length greater than or equal to 1/,
    );
    rejects(
      'BatchGetChannel',
      { arns: arns(51) },
      /at 'arns' failed to satisfy constraint: Member must have length less than or equal to 50/,
    );
    accepts('BatchGetChannel', { arns: arns(50) });
    rejects('BatchGetChannel', { arns: [CHANNEL_ARN, 'nope'] }, /Value 'nope' at 'arns.2.member' failed to satisfy constraint/);
    rejects(
      'BatchGetChannel',
      { arns: [null] },
      /Value null at 'arns.1.member' failed to satisfy constraint: Member must not be null/,
    );
  });

  it('checks map sizes (at most 50 tags)', () => {
    accepts('TagResource', { resourceArn: CHANNEL_ARN, tags: tags(50) });
    rejects(
      'TagResource',
      { resourceArn: CHANNEL_ARN, tags: tags(51) },
      /at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50/,
    );
  });

  it('checks tag keys (1-128) and values (0-256)', () => {
    accepts('TagResource', { resourceArn: CHANNEL_ARN, tags: { ['k'.repeat(128)]: 'v'.repeat(256), 'é n:/=+-@_.': '' } });
    rejects(
      'TagResource',
      { resourceArn: CHANNEL_ARN, tags: { '': 'v' } },
      /Map keys must satisfy constraint: \[Member must have length greater than or equal to 1/,
    );
    rejects(
      'TagResource',
      { resourceArn: CHANNEL_ARN, tags: { k: 'v'.repeat(257) } },
      /at 'tags.k' failed to satisfy constraint: Member must have length less than or equal to 256/,
    );
    rejects(
      'TagResource',
      { resourceArn: CHANNEL_ARN, tags: { 'a*b': 'v' } },
      /Map keys must satisfy constraint: \[Member must satisfy regular expression pattern/,
    );
    rejects(
      'TagResource',
      { resourceArn: CHANNEL_ARN, tags: { k: 7 } },
      /at 'tags.k' failed to satisfy constraint: Member must be a string/,
    );
    rejects('UntagResource', { resourceArn: CHANNEL_ARN, tagKeys: ['ok', 'k'.repeat(129)] }, /at 'tagKeys.2.member'/);
  });

  it('collects several errors and caps how much of a value is echoed', () => {
    const message = rejects('CreateChannel', { name: 'x'.repeat(5000), latencyMode: 'X', type: 'Y', authorized: 1 });
    assert.match(message, /^4 validation errors detected: /);
    assert.ok(message.length < 1000, `message too long: ${message.length}`);
  });

  it('caps the number of reported errors', () => {
    const message = rejects('BatchGetChannel', { arns: Array.from({ length: 40 }, () => 'bad') });
    assert.match(message, /^10 validation errors detected: /);
  });
});

describe('validateInput: numeric types without model bounds', () => {
  const synthetic = new ServiceModel({
    operations: { Op: { http: { method: 'POST', requestUri: '/Op' }, input: { shape: 'In' } } },
    shapes: {
      In: { type: 'structure', members: { big: { shape: 'Big' }, small: { shape: 'Small' }, ratio: { shape: 'Ratio' } } },
      Big: { type: 'long' },
      Small: { type: 'integer' },
      Ratio: { type: 'double' },
    },
  });
  const check = (input: Record<string, unknown>) => validateInput(synthetic, 'Op', input);

  it('a long holds what a double counts exactly: ±(2^53 - 1)', () => {
    check({ big: Number.MAX_SAFE_INTEGER, small: -2147483648 });
    check({ big: Number.MIN_SAFE_INTEGER });
    assert.throws(() => check({ big: 2 ** 53 }), /Member must have value less than or equal to 9007199254740991/);
    assert.throws(() => check({ big: -(2 ** 53) }), /Member must have value greater than or equal to -9007199254740991/);
    assert.throws(() => check({ small: -2147483649 }), /greater than or equal to -2147483648/);
  });

  it('a double is any finite number', () => {
    check({ ratio: 1e308 });
    check({ ratio: -0.5 });
    assert.throws(() => check({ ratio: Infinity }), /Member must be a number/);
    assert.throws(() => check({ ratio: '1' }), /Member must be a number/);
  });
});
