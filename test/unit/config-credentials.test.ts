// Unit tests for credential configuration: parsing, combining with the test/test defaults, duplicate detection,
// and that no error message ever contains a secret.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'openivs-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLEKEY';
const TEST = { accessKeyId: 'test', secretAccessKey: 'test', accountId: '000000000000' };

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** Asserts a ConfigError matching pattern whose message does not contain the secret. */
function rejectsQuietly(argv: string[], env: NodeJS.ProcessEnv, pattern: RegExp, secret = SECRET): void {
  assert.throws(() => loadConfig(argv, env), (error: unknown) => {
    assert.ok(error instanceof ConfigError, String(error));
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes(secret), `secret leaked in: ${error.message}`);
    return true;
  });
}

describe('credentials', () => {
  it('parses OPENIVS_CREDENTIALS and drops the defaults', () => {
    const c = loadConfig([], { OPENIVS_CREDENTIALS: ` AKIA1:${SECRET}:123456789012 , AKIA2:s:210987654321,` });
    assert.deepEqual(c.credentials, [
      { accessKeyId: 'AKIA1', secretAccessKey: SECRET, accountId: '123456789012' },
      { accessKeyId: 'AKIA2', secretAccessKey: 's', accountId: '210987654321' },
    ]);
    assert.equal(c.defaultCredentialsActive, false);
  });

  it('allows colons inside a secret', () => {
    const c = loadConfig([], { OPENIVS_CREDENTIALS: 'AK:a:b:c:123456789012' });
    assert.equal(c.credentials[0]?.secretAccessKey, 'a:b:c');
  });

  it('adds the defaults with --default-credentials / OPENIVS_DEFAULT_CREDENTIALS', () => {
    const env = { OPENIVS_CREDENTIALS: `AK:${SECRET}:123456789012` };
    assert.deepEqual(loadConfig(['--default-credentials'], env).credentials.at(-1), TEST);
    assert.equal(loadConfig([], { ...env, OPENIVS_DEFAULT_CREDENTIALS: 'true' }).defaultCredentialsActive, true);
    assert.equal(loadConfig(['--default-credentials=false'], { ...env, OPENIVS_DEFAULT_CREDENTIALS: 'true' })
      .defaultCredentialsActive, false);
    const same = loadConfig(['--default-credentials'], { OPENIVS_CREDENTIALS: 'test:test:000000000000' });
    assert.deepEqual(same.credentials, [TEST]);
  });

  it('reads the config file array; the environment replaces it', () => {
    const path = file('creds.json', { credentials: [{ accessKeyId: 'F1', secretAccessKey: SECRET, accountId: '111111111111' }] });
    const c = loadConfig(['--config', path], {});
    assert.deepEqual(c.credentials, [{ accessKeyId: 'F1', secretAccessKey: SECRET, accountId: '111111111111' }]);
    assert.equal(c.defaultCredentialsActive, false);
    const e = loadConfig(['--config', path], { OPENIVS_CREDENTIALS: 'E1:x:222222222222' });
    assert.deepEqual(e.credentials.map((x) => x.accessKeyId), ['E1']);
  });

  it('rejects malformed entries without echoing secrets', () => {
    rejectsQuietly([], { OPENIVS_CREDENTIALS: `AK${SECRET}` }, /^OPENIVS_CREDENTIALS: entry 1: expected accessKeyId:/);
    rejectsQuietly([], { OPENIVS_CREDENTIALS: `AK:${SECRET}` }, /^OPENIVS_CREDENTIALS: entry 1: expected/);
    rejectsQuietly([], { OPENIVS_CREDENTIALS: `ok:x:123456789012,AK:${SECRET}` }, /entry 2: expected/);
    rejectsQuietly([], { OPENIVS_CREDENTIALS: `AK:${SECRET}:12345` }, /accountId of "AK": expected 12 digits/);
    rejectsQuietly([], { OPENIVS_CREDENTIALS: `A/K:${SECRET}:123456789012` }, /accessKeyId: expected 1-128 letters/);
    rejectsQuietly([], { OPENIVS_CREDENTIALS: 'AK::123456789012' }, /secretAccessKey of "AK": expected/);
    rejectsQuietly([], { OPENIVS_CREDENTIALS: ' , ' }, /expected at least one/);
  });

  it('rejects duplicates and a conflicting "test" key', () => {
    const dup = `AK:${SECRET}:123456789012,AK:other:123456789012`;
    rejectsQuietly([], { OPENIVS_CREDENTIALS: dup }, /^OPENIVS_CREDENTIALS: duplicate access key id "AK"$/);
    rejectsQuietly(['--default-credentials'], { OPENIVS_CREDENTIALS: `test:${SECRET}:123456789012` },
      /access key id "test" is also a default credential/);
  });

  it('rejects bad config-file credentials without echoing secrets', () => {
    const bad = (name: string, credentials: unknown, pattern: RegExp): void =>
      rejectsQuietly(['--config', file(name, { credentials })], {}, pattern);
    bad('c1.json', [], /credentials: expected a non-empty array/);
    bad('c2.json', [SECRET], /credentials\[0\]: expected an object/);
    bad('c3.json', [{ accessKeyId: 'AK', secretAccessKey: SECRET, accountId: 1 }], /accountId of "AK": expected 12 digits/);
    bad('c4.json', [{ accessKeyId: 'AK', secretAccessKey: SECRET, accountId: '123456789012', x: 1 }], /unknown key "x"/);
    bad('c5.json', [{ accessKeyId: 'AK', secretAccessKey: ` ${SECRET}`, accountId: '123456789012' }], /secretAccessKey of/);
  });

  it('does not quote file content (secrets) in JSON syntax errors', () => {
    const path = file('leak.json', `{"credentials": [{"accessKeyId": "AK", "secretAccessKey": ${SECRET}}]}`);
    rejectsQuietly(['--config', path], {}, /leak\.json: invalid JSON/);
  });

  it('errors when the defaults are off and nothing else is configured', () => {
    rejectsQuietly([], { OPENIVS_DEFAULT_CREDENTIALS: 'false' }, /^OPENIVS_DEFAULT_CREDENTIALS: default credentials are off/);
  });
});
