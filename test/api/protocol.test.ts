// Protocol robustness with raw signed requests the SDK would never send: malformed JSON, wrong
// types, oversized bodies, unknown operations, CORS preflight, prototype-pollution keys. The
// server must answer each with a 4xx (never a 500) and keep serving.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateChannelCommand, ListChannelsCommand } from '@aws-sdk/client-ivs';
import { useServer } from '../helpers/use-server.js';
import { expectRawError } from '../helpers/assert.js';
import { callOperation, sendRaw, sendSigned, type RawRequest, type RawResponse } from '../helpers/http.js';

describe('protocol robustness', () => {
  const { server, ivs } = useServer();
  const statuses: number[] = [];

  const op = async (operation: string, body: string | Buffer): Promise<RawResponse> => {
    const res = await sendSigned(server, { path: `/${operation}`, body });
    statuses.push(res.status);
    return res;
  };

  it('malformed JSON is SerializationException 400', async () => {
    for (const body of ['{"name":', '{name: "x"}', 'not json', '{"a":1}}']) {
      expectRawError(await op('CreateChannel', body), 'SerializationException', 400);
    }
  });

  it('a JSON body that is not an object is a 400', async () => {
    for (const body of ['[]', '[{"name":"x"}]', '"a string"', '42', 'null', 'true']) {
      const res = await op('CreateChannel', body);
      assert.equal(res.status, 400, `${body}: ${res.status} ${res.text}`);
      assert.ok(['SerializationException', 'ValidationException'].includes(String(res.headers['x-amzn-errortype'])), body);
    }
  });

  it('wrong member types are ValidationException 400', async () => {
    const cases: Array<[string, unknown]> = [
      ['CreateChannel', { name: 5 }],
      ['CreateChannel', { authorized: 'yes' }],
      ['CreateChannel', { tags: ['a', 'b'] }],
      ['CreateChannel', { tags: { a: 1 } }],
      ['CreateChannel', { multitrackInputConfiguration: 'on' }],
      ['ListChannels', { maxResults: '3' }],
      ['ListChannels', { maxResults: 3.5 }],
      ['BatchGetChannel', { arns: 'arn:aws:ivs:us-west-2:000000000000:channel/AbCdEfGh1234' }],
      ['GetChannel', { arn: { nested: true } }],
    ];
    for (const [operation, body] of cases) {
      expectRawError(await op(operation, JSON.stringify(body)), 'ValidationException', 400);
    }
  });

  it('invalid UTF-8 and deeply nested JSON are 4xx', async () => {
    const badUtf8 = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
    const res = await op('CreateChannel', badUtf8);
    assert.ok(res.status >= 400 && res.status < 500, `invalid UTF-8: ${res.status} ${res.text}`);
    const deep = `{"tags":{"a":${'['.repeat(20000)}${']'.repeat(20000)}}}`;
    const res2 = await op('CreateChannel', deep);
    assert.equal(res2.status, 400, `deep nesting: ${res2.status} ${res2.text.slice(0, 200)}`);
  });

  it('an empty body is an empty input; unknown members are ignored', async () => {
    const empty = await sendSigned(server, { path: '/CreateChannel' });
    assert.equal(empty.status, 200, empty.text);
    assert.equal(empty.json().channel.latencyMode, 'LOW');
    const extra = await op('CreateChannel', JSON.stringify({ name: 'extra-members', somethingNew: { x: 1 } }));
    assert.equal(extra.status, 200, extra.text);
    assert.equal(extra.json().channel.name, 'extra-members');
    assert.equal(extra.json().channel.somethingNew, undefined);
  });

  it('a body over 1 MiB is 413, and the server keeps working', async () => {
    const body = JSON.stringify({ name: 'a'.repeat(1024 * 1024 + 16) });
    const res = await op('CreateChannel', body);
    assert.equal(res.status, 413, res.text);
    const list = await ivs.send(new ListChannelsCommand({}));
    assert.equal(list.$metadata.httpStatusCode, 200);
    assert.ok(!list.channels!.some((c) => (c.name ?? '').length > 128));
  });

  it('a chunked body over 1 MiB is 413; a small chunked body is served', async () => {
    const big = await sendSigned(server, {
      path: '/CreateChannel',
      body: JSON.stringify({ name: 'b'.repeat(2 * 1024 * 1024) }),
      chunked: true,
    });
    statuses.push(big.status);
    assert.equal(big.status, 413, big.text.slice(0, 200));
    const small = await sendSigned(server, { path: '/CreateChannel', body: '{"name":"chunked"}', chunked: true });
    statuses.push(small.status);
    assert.equal(small.status, 200, small.text);
    assert.equal(small.json().channel.name, 'chunked');
  });

  it('odd paths and methods are 4xx', async () => {
    const cases: RawRequest[] = [
      { method: 'GET', path: '/' },
      { method: 'POST', path: '/', body: '{}' },
      { method: 'POST', path: '/tags/', body: '{"tags":{}}' },
      { method: 'GET', path: '/tags/..%2F..%2Fetc%2Fpasswd' },
      { method: 'DELETE', path: `/tags/${encodeURIComponent('arn:aws:ivs:us-west-2:000000000000:channel/AbCdEfGh1234')}` },
      { method: 'POST', path: '/CreateChannel/extra', body: '{}' },
      { method: 'POST', path: '/createchannel', body: '{}' },
      { method: 'POST', path: '/%E0%A4%A', body: '{}' },
    ];
    for (const req of cases) {
      const res = await sendSigned(server, req);
      statuses.push(res.status);
      assert.ok(res.status >= 400 && res.status < 500, `${req.method} ${req.path}: ${res.status} ${res.text.slice(0, 200)}`);
      assert.ok(res.headers['x-amzn-errortype'], `${req.method} ${req.path}: error type header`);
    }
  });

  it('an unknown operation is UnknownOperationException (4xx, not 500)', async () => {
    const res = await op('NoSuchOperation', '{}');
    assert.ok(res.status >= 400 && res.status < 500, `${res.status}`);
    expectRawError(res, 'UnknownOperationException');
    const wrongMethod = await sendSigned(server, { method: 'GET', path: '/CreateChannel' });
    statuses.push(wrongMethod.status);
    assert.ok(wrongMethod.status >= 400 && wrongMethod.status < 500, `GET /CreateChannel: ${wrongMethod.status}`);
    const put = await sendSigned(server, { method: 'PUT', path: '/tags/x', body: '{}' });
    statuses.push(put.status);
    assert.ok(put.status >= 400 && put.status < 500, `PUT /tags/x: ${put.status}`);
  });

  it('OPTIONS preflight answers with CORS headers, unauthenticated', async () => {
    const res = await sendRaw(server, {
      method: 'OPTIONS',
      path: '/CreateChannel',
      headers: {
        origin: 'https://console.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-amz-date,x-amz-content-sha256',
      },
    });
    assert.ok(res.status === 200 || res.status === 204, `preflight status ${res.status}`);
    assert.ok(res.headers['access-control-allow-origin'], 'access-control-allow-origin');
    assert.match(String(res.headers['access-control-allow-methods']), /POST/);
    const allowHeaders = String(res.headers['access-control-allow-headers']).toLowerCase();
    assert.ok(allowHeaders === '*' || allowHeaders.includes('authorization'), allowHeaders);
  });

  it('actual responses carry CORS headers and expose the request id', async () => {
    const res = await sendSigned(server, {
      path: '/ListChannels',
      body: '{}',
      headers: { origin: 'https://console.example' },
    });
    assert.equal(res.status, 200);
    assert.ok(res.headers['access-control-allow-origin']);
    assert.match(String(res.headers['access-control-expose-headers']).toLowerCase(), /x-amzn-requestid/);
  });

  it('__proto__ and constructor keys are harmless', async () => {
    const bodies = [
      '{"name":"proto1","__proto__":{"authorized":true,"polluted":"yes"}}',
      '{"name":"proto2","constructor":{"prototype":{"polluted":"yes"}}}',
      '{"name":"proto3","tags":{"__proto__":{"polluted":"yes"}}}',
      '{"name":"proto4","multitrackInputConfiguration":{"__proto__":{"enabled":true}}}',
    ];
    for (const body of bodies) {
      const res = await op('CreateChannel', body);
      assert.ok(res.status === 200 || res.status === 400, `${body}: ${res.status} ${res.text}`);
      if (res.status === 200) {
        const ch = res.json().channel;
        assert.equal(ch.authorized, false, body);
        assert.equal(ch.polluted, undefined, body);
        assert.equal(ch.multitrackInputConfiguration.enabled, false, body);
      }
    }
    const tagged = await op('CreateChannel', '{"name":"proto5","tags":{"__proto__":"x","constructor":"y"}}');
    assert.ok(tagged.status === 200 || tagged.status === 400, tagged.text);
    if (tagged.status === 200) {
      // The server may keep or drop a `__proto__` tag key (it strips such keys on input), but must not
      // turn it into a prototype, and the `constructor` tag is an ordinary tag.
      const tags = tagged.json().channel.tags;
      assert.equal(tags.constructor, 'y');
      assert.ok(
        Object.keys(tags).every((k) => k === '__proto__' || k === 'constructor'),
        JSON.stringify(tags),
      );
    }
    const fresh = await ivs.send(new CreateChannelCommand({ name: 'after-proto' }));
    assert.equal(fresh.channel!.authorized, false);
    assert.deepEqual(fresh.channel!.tags, {});
    assert.equal((fresh.channel as Record<string, unknown>).polluted, undefined);
    const get = await callOperation(server, 'GetChannel', { arn: fresh.channel!.arn });
    assert.ok(!get.text.includes('polluted'));
  });

  it('never answered 500 and still serves', async () => {
    assert.ok(statuses.length > 20);
    assert.deepEqual(
      statuses.filter((s) => s >= 500),
      [],
    );
    const list = await ivs.send(new ListChannelsCommand({}));
    assert.equal(list.$metadata.httpStatusCode, 200);
    const health = await fetch(`${server.url}/_openivs/health`);
    assert.equal(health.status, 200);
    await health.arrayBuffer();
  });
});
