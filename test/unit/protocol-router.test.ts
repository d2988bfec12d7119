// Model index and router: every operation of the model routes, and the tag routes decode their ARN label.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRouter, loadServiceModel } from '../../src/api/protocol/index.js';

const model = loadServiceModel();
const router = createRouter(model);
const ARN = 'arn:aws:ivs:us-west-2:000000000000:channel/abcDEF123456';

describe('service model', () => {
  it('indexes all 40 operations with their HTTP bindings', () => {
    assert.equal(model.operationNames().length, 40);
    const op = model.operation('DeleteChannel');
    assert.equal(op.method, 'POST');
    assert.equal(op.requestUri, '/DeleteChannel');
    assert.equal(op.responseCode, 204);
    assert.equal(op.inputShape, 'DeleteChannelRequest');
    assert.equal(op.outputShape, undefined);
    assert.ok(op.errors.includes('ConflictException'));
  });

  it('gives error statuses from the error shapes', () => {
    assert.equal(model.errorStatus('ServiceQuotaExceededException'), 402);
    assert.equal(model.errorStatus('ChannelNotBroadcasting'), 404);
    assert.equal(model.errorStatus('UnrecognizedClientException'), undefined);
    assert.equal(model.errorStatus('Channel'), undefined);
  });

  it('returns shapes and rejects unknown names', () => {
    assert.equal(model.shape('ChannelName').type, 'string');
    assert.throws(() => model.shape('NoSuchShape'));
    assert.throws(() => model.operation('NoSuchOperation'));
  });
});

describe('router', () => {
  it('routes every label-free operation of the model', () => {
    let count = 0;
    for (const op of model.operations()) {
      if (op.requestUri.includes('{')) continue;
      const match = router.route(op.method, op.requestUri);
      assert.equal(match?.operation.name, op.name, op.name);
      assert.deepEqual(match?.labels, {});
      count++;
    }
    assert.equal(count, 37);
  });

  it('routes the tag operations with a URL-encoded ARN', () => {
    const path = `/tags/${encodeURIComponent(ARN)}`;
    assert.equal(path, '/tags/arn%3Aaws%3Aivs%3Aus-west-2%3A000000000000%3Achannel%2FabcDEF123456');
    for (const [method, name] of [
      ['GET', 'ListTagsForResource'],
      ['POST', 'TagResource'],
      ['DELETE', 'UntagResource'],
    ]) {
      const match = router.route(method!, path);
      assert.equal(match?.operation.name, name);
      assert.deepEqual(match?.labels, { resourceArn: ARN });
    }
  });

  it('accepts an unencoded slash or colons inside the ARN label', () => {
    assert.deepEqual(router.route('GET', `/tags/${ARN}`)?.labels, { resourceArn: ARN });
    const half = `/tags/${encodeURIComponent('arn:aws:ivs:us-west-2:000000000000:channel')}/abcDEF123456`;
    assert.deepEqual(router.route('GET', half)?.labels, { resourceArn: ARN });
  });

  it('decodes labels exactly once', () => {
    const match = router.route('GET', '/tags/a%252Fb');
    assert.equal(match?.labels.resourceArn, 'a%2Fb');
  });

  it('tolerates a trailing slash and a lower-case method', () => {
    assert.equal(router.route('post', '/CreateChannel/')?.operation.name, 'CreateChannel');
    assert.deepEqual(router.route('GET', `/tags/${encodeURIComponent(ARN)}/`)?.labels, { resourceArn: ARN });
  });

  it('answers undefined for unknown paths, wrong methods and bad encodings', () => {
    assert.equal(router.route('GET', '/CreateChannel'), undefined);
    assert.equal(router.route('POST', '/NoSuchOperation'), undefined);
    assert.equal(router.route('PUT', `/tags/${encodeURIComponent(ARN)}`), undefined);
    assert.equal(router.route('GET', '/tags'), undefined);
    assert.equal(router.route('GET', '/tags/'), undefined);
    assert.equal(router.route('GET', '/tags/%E0%A4%A'), undefined);
    assert.equal(router.route('GET', '/'), undefined);
  });
});
