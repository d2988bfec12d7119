// Playback key pairs: import of P-384 public keys made here with node:crypto, fingerprints, the
// duplicate conflict, the 3-per-account quota, key-type validation, get, list and delete (200 {}).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DeletePlaybackKeyPairCommand,
  GetPlaybackKeyPairCommand,
  ImportPlaybackKeyPairCommand,
  ListPlaybackKeyPairsCommand,
} from '@aws-sdk/client-ivs';
import { useServer } from '../helpers/use-server.js';
import { ACCOUNT, REGION, arnRe, expectError, p256PublicKey, p384PublicKey, rsaPublicKey } from '../helpers/assert.js';
import { callOperation } from '../helpers/http.js';

const FINGERPRINT = /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/;
const MISSING = `arn:aws:ivs:${REGION}:${ACCOUNT}:playback-key/AbCdEfGh1234`;

describe('playback key pairs', () => {
  const { server, ivs } = useServer();
  const keys = [p384PublicKey(), p384PublicKey(), p384PublicKey(), p384PublicKey()];
  const imported: string[] = [];

  const importKey = (publicKeyMaterial: string, name?: string, tags?: Record<string, string>) =>
    ivs.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial, name, tags }));

  it('ImportPlaybackKeyPair returns the ARN, name, fingerprint and tags', async () => {
    const out = await importKey(keys[0]!, 'first', { owner: 'tests' });
    assert.equal(out.$metadata.httpStatusCode, 200);
    const kp = out.keyPair!;
    assert.match(kp.arn!, arnRe('playback-key'));
    assert.equal(kp.name, 'first');
    assert.match(kp.fingerprint!, FINGERPRINT);
    assert.deepEqual(kp.tags, { owner: 'tests' });
    imported.push(kp.arn!);
  });

  it('different keys have different fingerprints', async () => {
    const out = await importKey(keys[1]!, 'second');
    const first = await ivs.send(new GetPlaybackKeyPairCommand({ arn: imported[0] }));
    assert.match(out.keyPair!.fingerprint!, FINGERPRINT);
    assert.notEqual(out.keyPair!.fingerprint, first.keyPair!.fingerprint);
    imported.push(out.keyPair!.arn!);
  });

  it('importing the same public key twice is ConflictException 409', async () => {
    await expectError(importKey(keys[0]!, 'again'), 'ConflictException', 409);
    // The same key with different PEM line endings is still the same key.
    await expectError(importKey(keys[1]!.replace(/\n/g, '\r\n')), 'ConflictException', 409);
  });

  it('rejects anything but an ECDSA P-384 public key with ValidationException 400', async () => {
    const cases: Array<[string, string]> = [
      ['P-256 key', p256PublicKey()],
      ['RSA key', rsaPublicKey()],
      ['garbage', 'this is not a key'],
      ['truncated PEM', keys[3]!.slice(0, 60)],
      ['empty', ''],
    ];
    for (const [what, material] of cases) {
      await assert.doesNotReject(expectError(importKey(material), 'ValidationException', 400), what);
    }
    await expectError(importKey(keys[3]!, 'bad name!'), 'ValidationException', 400);
    const raw = await callOperation(server, 'ImportPlaybackKeyPair', { name: 'no-material' });
    assert.equal(raw.status, 400, 'publicKeyMaterial is required');
  });

  it('the fourth key pair is ServiceQuotaExceededException 402', async () => {
    const third = await importKey(keys[2]!, 'third');
    imported.push(third.keyPair!.arn!);
    await expectError(importKey(keys[3]!, 'fourth'), 'ServiceQuotaExceededException', 402);
  });

  it('GetPlaybackKeyPair returns the stored pair', async () => {
    const out = await ivs.send(new GetPlaybackKeyPairCommand({ arn: imported[0] }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.equal(out.keyPair!.arn, imported[0]);
    assert.equal(out.keyPair!.name, 'first');
    assert.match(out.keyPair!.fingerprint!, FINGERPRINT);
    assert.deepEqual(out.keyPair!.tags, { owner: 'tests' });
    await expectError(ivs.send(new GetPlaybackKeyPairCommand({ arn: MISSING })), 'ResourceNotFoundException', 404);
    await expectError(ivs.send(new GetPlaybackKeyPairCommand({ arn: 'playback-key/1' })), 'ValidationException', 400);
  });

  it('ListPlaybackKeyPairs lists summaries and paginates', async () => {
    const out = await ivs.send(new ListPlaybackKeyPairsCommand({}));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.deepEqual(out.keyPairs!.map((k) => k.arn).sort(), [...imported].sort());
    const first = out.keyPairs!.find((k) => k.arn === imported[0])!;
    assert.equal(first.name, 'first');
    assert.equal((first as Record<string, unknown>).fingerprint, undefined, 'summaries carry no fingerprint');
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await ivs.send(new ListPlaybackKeyPairsCommand({ maxResults: 2, nextToken: token }));
      assert.ok(page.keyPairs!.length <= 2);
      seen.push(...page.keyPairs!.map((k) => k.arn!));
      token = page.nextToken;
    } while (token);
    assert.deepEqual(seen.sort(), [...imported].sort());
  });

  it('DeletePlaybackKeyPair answers 200; the slot and the key become free again', async () => {
    const out = await ivs.send(new DeletePlaybackKeyPairCommand({ arn: imported[0] }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    await expectError(ivs.send(new GetPlaybackKeyPairCommand({ arn: imported[0] })), 'ResourceNotFoundException', 404);
    await expectError(ivs.send(new DeletePlaybackKeyPairCommand({ arn: imported[0] })), 'ResourceNotFoundException', 404);
    // The quota has room again, and the deleted public key may be imported anew.
    const again = await importKey(keys[0]!, 'reimported');
    assert.notEqual(again.keyPair!.arn, imported[0]);
    const raw = await callOperation(server, 'DeletePlaybackKeyPair', { arn: again.keyPair!.arn });
    assert.equal(raw.status, 200);
    assert.deepEqual(raw.json(), {});
  });
});
