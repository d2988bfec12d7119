// Unit tests for configuration errors: every invalid flag, variable and config-file value yields a one-line
// ConfigError that names the option.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'openivs-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function rejects(argv: string[], env: NodeJS.ProcessEnv, pattern: RegExp): void {
  assert.throws(
    () => loadConfig(argv, env),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, `ConfigError, got ${String(error)}`);
      assert.match(error.message, pattern);
      assert.ok(!error.message.includes('\n'), 'one line');
      return true;
    },
  );
}

describe('flag errors', () => {
  it('unknown flags, positionals and missing values', () => {
    rejects(['--nope'], {}, /^--nope: unknown option/);
    rejects(['-x'], {}, /^-x: unknown option/);
    rejects(['start'], {}, /unexpected argument "start"/);
    rejects(['--http-port'], {}, /^--http-port: missing value/);
    rejects(['--http-port', '--rtmp-port', '1'], {}, /^--http-port: missing value/);
    rejects(['--default-credentials=maybe'], {}, /^--default-credentials: expected true or false/);
  });

  it('ports', () => {
    rejects(['--http-port', 'abc'], {}, /^--http-port: expected an integer 0-65535, got "abc"$/);
    for (const bad of ['-1', '65536', '80.5', '0x50', '']) {
      rejects(['--rtmp-port', bad], {}, /^--rtmp-port: expected an integer 0-65535/);
    }
    rejects(['--rtmps-port', 'on'], {}, /^--rtmps-port: expected an integer 0-65535 or "off"/);
    rejects([], { OPENIVS_HTTP_PORT: '99999' }, /^OPENIVS_HTTP_PORT: expected an integer 0-65535, got "99999"/);
  });

  it('host, bind, playback base URL, region, log level', () => {
    for (const bad of ['http://example.com', 'example.com:8080', 'example.com/x', 'a b', '-bad.com', '']) {
      rejects(['--host', bad], {}, /^--host: expected a bare host name or IP address/);
    }
    rejects(['--bind', '1.2.3.4:80'], {}, /^--bind: expected an IP address or host name/);
    rejects(['--playback-base-url', 'ftp://x'], {}, /^--playback-base-url: expected an http\(s\) URL/);
    rejects(['--playback-base-url', 'not a url'], {}, /^--playback-base-url: expected an http\(s\) URL/);
    rejects(['--playback-base-url', 'https://x/?a=1'], {}, /^--playback-base-url: must not have a query/);
    rejects(['--playback-base-url', 'https://x/#f'], {}, /^--playback-base-url: must not have a query or fragment/);
    rejects(['--playback-base-url', 'https://u:p@x/'], {}, /^--playback-base-url: must not contain user info$/);
    for (const bad of ['mars', 'US-WEST-2', 'us-west', 'uswest-2']) {
      rejects(['--region', bad], {}, /^--region: expected a region name/);
    }
    rejects([], { OPENIVS_LOG_LEVEL: 'verbose' }, /^OPENIVS_LOG_LEVEL: expected one of fatal, error/);
  });

  it('a PostgreSQL database needs a cluster secret of at least 32 characters', () => {
    const url = 'postgres://u:p@127.0.0.1:5432/db';
    rejects(
      [],
      { OPENIVS_DATABASE_URL: url },
      /^OPENIVS_DATABASE_URL: a PostgreSQL database is shared by a cluster; set OPENIVS_CLUSTER_SECRET/,
    );
    rejects(['--database-url', url], {}, /^--database-url: a PostgreSQL database is shared by a cluster/);
    rejects(
      [],
      { OPENIVS_DATABASE_URL: url, OPENIVS_CLUSTER_SECRET: 'short' },
      /^OPENIVS_CLUSTER_SECRET: must be at least 32 characters/,
    );
    const secret = 'x'.repeat(32);
    assert.equal(loadConfig([], { OPENIVS_DATABASE_URL: url, OPENIVS_CLUSTER_SECRET: secret }).clusterSecret, secret);
    assert.equal(loadConfig([], {}).clusterSecret, undefined, 'SQLite needs none');
  });

  it('quotas must be positive integers', () => {
    rejects(['--quota-channels', '0'], {}, /^--quota-channels: expected a positive integer, got "0"/);
    rejects([], { OPENIVS_QUOTA_CONCURRENT_VIEWERS: '1.5' }, /^OPENIVS_QUOTA_CONCURRENT_VIEWERS: expected a positive/);
    rejects(['--quota-playback-key-pairs', '4'], {}, /^--quota-playback-key-pairs: unknown option/);
  });

  it('--max-transcodes takes 0 (a node that never transcodes itself) but no negative or fractional count', () => {
    assert.equal(loadConfig(['--max-transcodes', '0'], {}).maxTranscodes, 0);
    rejects(['--max-transcodes', '-1'], {}, /^--max-transcodes: expected an integer 0 or more, got "-1"/);
    rejects([], { OPENIVS_MAX_TRANSCODES: '1.5' }, /^OPENIVS_MAX_TRANSCODES: expected an integer 0 or more/);
  });

  it('an OPENIVS_ variable that looks like a typo', () => {
    rejects([], { OPENIVS_HTTP_PROT: '1' }, /^OPENIVS_HTTP_PROT: unknown variable; did you mean OPENIVS_HTTP_PORT\?/);
  });
});

describe('config file errors', () => {
  it('missing file, bad JSON, wrong top-level type', () => {
    rejects(['--config', join(dir, 'missing.json')], {}, /^--config: cannot read config file .*ENOENT/);
    rejects([], { OPENIVS_CONFIG: join(dir, 'missing.json') }, /^OPENIVS_CONFIG: cannot read config file/);
    rejects(['--config', file('bad.json', '{\n  "httpPort": 1,\n}')], {}, /invalid JSON at line 3, column 1/);
    rejects(['--config', file('empty.json', '')], {}, /invalid JSON \(file is empty\)/);
    rejects(['--config', file('array.json', [])], {}, /expected a JSON object at the top level/);
  });

  it('unknown and fixed keys, wrong types', () => {
    rejects(['--config', file('k1.json', { httpport: 1 })], {}, /: unknown key "httpport"$/);
    rejects(['--config', file('k2.json', { quotas: { chanels: 1 } })], {}, /: unknown key "quotas.chanels"$/);
    rejects(['--config', file('k3.json', { quotas: { playbackKeyPairs: 5 } })], {}, /playbackKeyPairs: fixed at 3/);
    rejects(['--config', file('k4.json', { maxBodyBytes: 5 })], {}, /maxBodyBytes: fixed at 1048576/);
    rejects(['--config', file('k5.json', { quotas: 5 })], {}, /quotas: expected an object/);
    rejects(['--config', file('k6.json', { httpPort: '80x' })], {}, /k6\.json: httpPort: expected an integer 0-65535/);
    rejects(['--config', file('k7.json', { httpPort: 1.5 })], {}, /httpPort: expected an integer 0-65535, got 1.5/);
    rejects(['--config', file('k8.json', { defaultCredentials: 'perhaps' })], {}, /defaultCredentials: expected true/);
    rejects(['--config', file('k9.json', { config: 'x.json' })], {}, /unknown key "config"/);
  });
});
