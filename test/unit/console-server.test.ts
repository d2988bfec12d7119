// Pure parts of the console's server side: media capability tokens (mint, verify, expiry, tampering), byte ranges,
// and the account-scoped event feed (scoping, filters, Last-Event-ID replay, bounded ring).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaTokens } from '../../src/console-api/recordings/media-token.js';
import { parseRange, RangeNotSatisfiable } from '../../src/console-api/recordings/objects.js';
import { EventFeed, type Envelope } from '../../src/console-api/events/event-feed.js';

describe('console media tokens', () => {
  const secret = Buffer.alloc(32, 7);
  let now = 1_800_000_000_000;
  const tokens = new MediaTokens(secret, () => now);

  it('grant exactly what was minted until they expire', () => {
    const { token, expiresAt } = tokens.mint('bucket-a', 'ivs/v1/000000000000/ch/2026/1/2/3/4/rec', 60_000);
    assert.match(token, /^m1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.deepEqual(tokens.verify(token), { bucket: 'bucket-a', prefix: 'ivs/v1/000000000000/ch/2026/1/2/3/4/rec', expiresAt });
    now += 59_000;
    assert.ok(tokens.verify(token));
    now += 1_000;
    assert.equal(tokens.verify(token), undefined, 'expired');
  });

  it('refuse tampered, foreign and malformed tokens', () => {
    const { token } = tokens.mint('bucket-a', 'p');
    const [v, payload, mac] = token.split('.');
    const other = Buffer.from(JSON.stringify({ b: 'bucket-b', p: 'p', x: 9_999_999_999 })).toString('base64url');
    assert.equal(tokens.verify(`${v}.${other}.${mac}`), undefined);
    assert.equal(tokens.verify(`${v}.${payload}.${mac!.slice(0, -1)}${mac!.endsWith('A') ? 'B' : 'A'}`), undefined);
    assert.equal(new MediaTokens(Buffer.alloc(32, 8), () => now).verify(token), undefined);
    for (const bad of ['', 'm1', 'm1..', `m2.${payload}.${mac}`, `${token}.extra`, 'x'.repeat(5000)])
      assert.equal(tokens.verify(bad), undefined, bad);
  });
});

describe('console byte ranges', () => {
  it('parses single bytes ranges and refuses unsatisfiable ones', () => {
    assert.equal(parseRange(undefined, 100), undefined);
    assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
    assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-1000', 100), { start: 0, end: 99 });
    assert.deepEqual(parseRange('bytes=50-1000', 100), { start: 50, end: 99 });
    assert.equal(parseRange('bytes=0-1,5-6', 100), undefined, 'several ranges: the whole object');
    assert.equal(parseRange('items=0-1', 100), undefined);
    assert.throws(() => parseRange('bytes=100-', 100), RangeNotSatisfiable);
    assert.throws(() => parseRange('bytes=5-4', 100), RangeNotSatisfiable);
    assert.throws(() => parseRange('bytes=-0', 100), RangeNotSatisfiable);
  });
});

describe('console event feed', () => {
  const envelope = (n: number, account: string, channelArn: string, type = 'IVS Stream State Change'): Envelope => ({
    version: '0',
    id: `id-${n}`,
    'detail-type': type as Envelope['detail-type'],
    source: 'aws.ivs',
    account,
    region: 'us-west-2',
    time: '2026-01-01T00:00:00Z',
    resources: [channelArn],
    detail: {},
  });

  it('delivers to the account and region of each subscriber, with filters, and replays after an id', () => {
    let publish!: (e: Envelope) => void;
    const feed = new EventFeed({ subscribe: (l) => ((publish = l), () => undefined) }, 3);
    const a: string[] = [];
    const b: string[] = [];
    const filtered: string[] = [];
    feed.subscribe({ account: '1', region: 'us-west-2' }, (e) => a.push(e.id));
    feed.subscribe({ account: '2', region: 'us-west-2' }, (e) => b.push(e.id));
    feed.subscribe({ account: '1', region: 'eu-west-1' }, () => assert.fail('another region'));
    feed.subscribe({ account: '1', region: 'us-west-2', channelArn: 'arn:x', detailType: 'IVS Limit Breach' }, (e) =>
      filtered.push(e.id),
    );
    publish(envelope(1, '1', 'arn:x'));
    publish(envelope(2, '2', 'arn:y'));
    publish(envelope(3, '1', 'arn:x', 'IVS Limit Breach'));
    publish(envelope(4, '1', 'arn:z', 'IVS Limit Breach'));
    assert.deepEqual(a, ['id-1', 'id-3', 'id-4']);
    assert.deepEqual(b, ['id-2']);
    assert.deepEqual(filtered, ['id-3']);
    assert.equal(feed.countFor('1'), 3);
    // The ring keeps the last 3: id-2, id-3, id-4.
    assert.deepEqual(
      feed.replay({ account: '1', region: 'us-west-2' }, 'id-3').map((e) => e.id),
      ['id-4'],
    );
    assert.deepEqual(
      feed.replay({ account: '1', region: 'us-west-2' }, 'id-1').map((e) => e.id),
      ['id-3', 'id-4'],
      'an id gone from the ring replays all',
    );
  });
});
