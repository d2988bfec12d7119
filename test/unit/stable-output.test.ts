// Outputs rendered once per frozen stored row (src/api/handlers/stable-output.ts) and written once by the serializer
// (stableOutput in src/api/protocol/serialize.ts): kept while the rows are the same frozen objects and the endpoints
// unchanged, rendered again otherwise, never kept for rows that are not frozen.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderedOnce } from '../../src/api/handlers/stable-output.js';
import { loadServiceModel, serializeOutput, stableOutput } from '../../src/api/protocol/index.js';

const model = loadServiceModel();
const ARN = 'arn:aws:ivs:us-west-2:000000000000:channel/abcDEF123456';

describe('renderedOnce', () => {
  const endpoints = { host: 'h.example', playbackBaseUrl: 'https://h.example:1' };
  const counting = () => {
    let renders = 0;
    return { render: () => ({ channel: { arn: ARN, name: `r${++renders}` } }), count: () => renders };
  };

  it('renders once for the same frozen row, dependency and endpoints', () => {
    const row = Object.freeze({ arn: ARN });
    const key = Object.freeze({ k: 1 });
    const { render, count } = counting();
    const first = renderedOnce(row, key, endpoints, render);
    assert.equal(renderedOnce(row, key, endpoints, render), first);
    assert.equal(count(), 1);
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.channel), 'the kept output is deep-frozen');
  });

  it('renders again for another row, another dependency or changed endpoints', () => {
    const row = Object.freeze({ arn: ARN });
    const { render, count } = counting();
    const ep = { ...endpoints };
    renderedOnce(row, undefined, ep, render);
    renderedOnce(Object.freeze({ arn: ARN }), undefined, ep, render);
    assert.equal(count(), 2, 'a new row object (after a write) is rendered');
    renderedOnce(row, Object.freeze({ k: 2 }), ep, render);
    assert.equal(count(), 3, 'a new dependency is rendered');
    ep.playbackBaseUrl = 'https://h.example:2';
    assert.equal(renderedOnce(row, undefined, ep, render).channel.name, 'r4', 'changed endpoints are rendered');
  });

  it('does not keep what is rendered from rows that are not frozen', () => {
    const { render, count } = counting();
    const row = { arn: ARN };
    const out = renderedOnce(row, undefined, endpoints, render);
    renderedOnce(row, undefined, endpoints, render);
    renderedOnce(Object.freeze({ arn: ARN }), { mutable: true }, endpoints, render);
    assert.equal(count(), 3);
    assert.ok(!Object.isFrozen(out));
  });
});

describe('stableOutput', () => {
  it("writes a stable output's body once per operation, the same bytes as for an ordinary output", () => {
    const plain = { channel: { arn: ARN, name: 'n', tags: { a: 'b' } } };
    const stable = stableOutput({ channel: { arn: ARN, name: 'n', tags: { a: 'b' } } });
    const body = serializeOutput(model, 'GetChannel', stable).body;
    assert.equal(body, serializeOutput(model, 'GetChannel', plain).body);
    assert.equal(serializeOutput(model, 'GetChannel', stable).body, body);
    // Another operation with another output shape writes its own body, not the first one's.
    const both = stableOutput({ channel: { arn: ARN }, tags: { a: 'b' } });
    assert.equal(serializeOutput(model, 'GetChannel', both).body, `{"channel":{"arn":"${ARN}"}}`);
    assert.equal(serializeOutput(model, 'ListTagsForResource', both).body, '{"tags":{"a":"b"}}');
    assert.equal(serializeOutput(model, 'GetChannel', both).body, `{"channel":{"arn":"${ARN}"}}`);
  });
});
