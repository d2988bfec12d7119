// Pure helpers of SigV4 verification: credential store, timestamps, query parsing, and the `Date`
// header path checked against a signature computed by hand from the AWS SigV4 specification.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { CredentialStore, SigV4Verifier, parseQuery } from '../../src/api/auth/index.js';
import { parseAmzDate, formatAmzDate } from '../../src/api/auth/amz-date.js';
import { claimFromHeader } from '../../src/api/auth/parse.js';

test('CredentialStore finds keys and rejects duplicates', () => {
  const store = new CredentialStore([
    { accessKeyId: 'a', secretAccessKey: 's1', accountId: '111111111111' },
    { accessKeyId: 'b', secretAccessKey: 's2', accountId: '222222222222' },
  ]);
  assert.equal(store.find('b')?.accountId, '222222222222');
  assert.equal(store.find('c'), undefined);
  assert.throws(
    () =>
      new CredentialStore([
        { accessKeyId: 'a', secretAccessKey: 's1', accountId: '1' },
        { accessKeyId: 'a', secretAccessKey: 's2', accountId: '2' },
      ]),
    /duplicate access key id/,
  );
  assert.throws(
    () => new CredentialStore([{ accessKeyId: 'a', secretAccessKey: '', accountId: '1' }]),
    (e: Error) => !e.message.includes('s1'),
  );
});

test('amz dates parse strictly and round-trip', () => {
  assert.equal(parseAmzDate('20261126T103100Z'), Date.UTC(2026, 10, 26, 10, 31, 0));
  assert.equal(formatAmzDate(Date.UTC(2026, 10, 26, 10, 31, 0)), '20261126T103100Z');
  for (const bad of ['20261131T103100Z', '20261126T253100Z', '2026-11-26T10:31:00Z', '20261126T103100', '2026112xT103100Z']) {
    assert.equal(parseAmzDate(bad), undefined, bad);
  }
});

test('parseAmzDate accepts exactly what survives a round trip through Date (its former definition)', () => {
  const roundTrip = (s: string) => {
    if (!/^[0-9]{8}T[0-9]{6}Z$/.test(s)) return undefined;
    const ms = Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(9, 11), +s.slice(11, 13), +s.slice(13, 15));
    return formatAmzDate(ms) === s ? ms : undefined;
  };
  const cases = [
    '20240229T000000Z',
    '20230229T000000Z',
    '19000229T120000Z',
    '20000229T120000Z',
    '21000229T000000Z',
    '20260430T235959Z',
    '20260431T000000Z',
    '20261231T235959Z',
    '20260100T000000Z',
    '20261301T000000Z',
    '20260000T000000Z',
    '20261126T240000Z',
    '20261126T236000Z',
    '20261126T235960Z',
    '00991231T235959Z',
    '01000101T000000Z',
    '00000101T000000Z',
    '99991231T235959Z',
    '19700101T000000Z',
    '16000229T000000Z',
  ];
  // And random digit strings in the shape: months, days and times out of range included.
  let seed = 17;
  const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  for (let i = 0; i < 5000; i++) {
    cases.push(
      `${pad(next(10000), 4)}${pad(next(14), 2)}${pad(next(33), 2)}T${pad(next(26), 2)}${pad(next(62), 2)}${pad(next(62), 2)}Z`,
    );
  }
  for (const s of cases) assert.equal(parseAmzDate(s), roundTrip(s), s);
});

test('parseQuery decodes, keeps repeats in order, keeps + literal, has no prototype', () => {
  const q = parseQuery('?tagKeys=a%20b&tagKeys=c&x=1+2&flag&__proto__=p&bad=%E0%A4%A');
  assert.deepEqual(q.tagKeys, ['a b', 'c']);
  assert.equal(q.x, '1+2');
  assert.equal(q.flag, '');
  assert.equal(q['__proto__'], 'p');
  assert.equal(q.bad, '%E0%A4%A');
  assert.deepEqual(Object.keys(parseQuery('')), []);
});

test('a request signed with the Date header (spec computed by hand) verifies', async () => {
  const secret = 'secret',
    now = Date.UTC(2026, 10, 26, 10, 31, 0);
  const date = new Date(now).toUTCString(); // Thu, 26 Nov 2026 10:31:00 GMT
  const body = '{"name":"x"}';
  const path = `/tags/${encodeURIComponent('arn:aws:ivs:us-east-1:1:channel/x')}`;
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  const hmac = (k: string | Buffer, s: string) => createHmac('sha256', k).update(s).digest();
  const canonical = ['POST', path.replace(/%/g, '%25'), '', `date:${date}`, 'host:h.example', '', 'date;host', sha(body)].join(
    '\n',
  );
  const scope = '20261126/us-east-1/ivs/aws4_request';
  const toSign = ['AWS4-HMAC-SHA256', '20261126T103100Z', scope, sha(canonical)].join('\n');
  let key: Buffer | string = `AWS4${secret}`;
  for (const part of scope.split('/')) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  const verifier = new SigV4Verifier(new CredentialStore([{ accessKeyId: 'k', secretAccessKey: secret, accountId: '1' }]), {
    service: 'ivs',
    clockSkewMs: 300_000,
    now: () => now + 1000,
  });
  const caller = await verifier.verify({
    method: 'POST',
    rawPath: path,
    rawQuery: '',
    body: Buffer.from(body),
    headers: {
      date,
      host: 'h.example',
      authorization: `AWS4-HMAC-SHA256 Credential=k/${scope},SignedHeaders=date;host,Signature=${signature}`,
    },
  });
  assert.deepEqual(caller, { accessKeyId: 'k', account: '1', region: 'us-east-1' });
});

test('claims parse the same whether their Credential and SignedHeaders texts are new or seen before', () => {
  const header = (credential: string, signedHeaders: string) =>
    `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${signedHeaders}, Signature=${'0'.repeat(64)}`;
  const headers = { 'x-amz-date': '20261206T101010Z' };
  // More distinct texts than the memo keeps, some longer than it keeps, each parsed twice (the second time from the
  // memo when it was kept).
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 150; i++) {
      const key = i % 3 === 0 ? `AK${'X'.repeat(300)}${i}` : `AK${i}`;
      const names = i % 5 === 0 ? `Host;X-Amz-Date;X-Custom-${'h'.repeat(300)}` : `Host;X-Amz-Date;X-N${i}`;
      const claim = claimFromHeader(header(`${key}/20261206/us-west-2/ivs/aws4_request`, names), headers);
      assert.deepEqual(
        [claim.accessKeyId, claim.scopeDate, claim.region, claim.service, claim.terminator],
        [key, '20261206', 'us-west-2', 'ivs', 'aws4_request'],
      );
      assert.deepEqual(claim.signedHeaders, names.toLowerCase().split(';'));
    }
  }
  // A text that fails fails every time: nothing of it is kept.
  for (let round = 0; round < 2; round++) {
    assert.throws(() => claimFromHeader(header('AK1/20261206/us-west-2/ivs', 'host'), headers), /exactly 5/);
    assert.throws(() => claimFromHeader(header('AK1/20261206/us-west-2/ivs/aws4_request', 'x-amz-date'), headers), /'Host'/);
    assert.throws(() => claimFromHeader(header('AK1/20261206/us-west-2/ivs/aws4_request', 'host;;x'), headers), /semicolon/);
  }
  // Claims share the memo's lists: they are frozen, so no claim can change another's.
  const claim = claimFromHeader(header('AK1/20261206/us-west-2/ivs/aws4_request', 'host;x-amz-date'), headers);
  assert.throws(() => (claim.signedHeaders as string[]).push('x'), TypeError);
  assert.deepEqual(claimFromHeader(header('AK1/20261206/us-west-2/ivs/aws4_request', 'host;x-amz-date'), headers).signedHeaders, [
    'host',
    'x-amz-date',
  ]);
});
