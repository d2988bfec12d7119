// Unit tests for loadConfig: defaults, precedence (config file < environment < flags), help, derived values.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  HELP_TEXT, HelpRequested, isLoopbackAddress, loadConfig, securityWarning, withListeningPorts,
} from '../../src/config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'openivs-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('loadConfig defaults', () => {
  it('uses the documented defaults', () => {
    const c = loadConfig([], {}, '/srv/openivs');
    assert.equal(c.dataDir, '/srv/openivs/data');
    assert.equal(c.bindAddress, '0.0.0.0');
    assert.equal(c.httpPort, 8080);
    assert.equal(c.rtmpPort, 1935);
    assert.equal(c.rtmpsPort, undefined);
    assert.equal(c.host, 'localhost');
    assert.equal(c.playbackBaseUrl, 'http://localhost:8080');
    assert.equal(c.region, 'us-west-2');
    assert.deepEqual(c.credentials, [{ accessKeyId: 'test', secretAccessKey: 'test', accountId: '000000000000' }]);
    assert.equal(c.defaultCredentialsActive, true);
    assert.deepEqual(c.quotas, {
      channels: 5000, concurrentBroadcasts: 100, concurrentViewers: 15000, recordingConfigurations: 20,
      playbackKeyPairs: 3, playbackRestrictionPolicies: 20,
    });
    assert.equal(c.logLevel, 'info');
    assert.equal(c.maxBodyBytes, 1048576);
  });

  it('defaults playbackBaseUrl from host and http port', () => {
    const c = loadConfig(['--host', 'Media.Example.com', '--http-port', '9000'], {});
    assert.equal(c.host, 'media.example.com');
    assert.equal(c.playbackBaseUrl, 'http://media.example.com:9000');
    assert.equal(loadConfig(['--host', '::1'], {}).playbackBaseUrl, 'http://[::1]:8080');
  });

  it('resolves a relative data dir against the working directory', () => {
    assert.equal(loadConfig(['--data-dir', 'x/y'], {}, '/base').dataDir, '/base/x/y');
    assert.equal(loadConfig([], { OPENIVS_DATA_DIR: '/abs' }, '/base').dataDir, '/abs');
  });

  it('ignores empty environment variables and unrelated OPENIVS_ ones', () => {
    const c = loadConfig([], { OPENIVS_HTTP_PORT: '', OPENIVS_SOMETHING_ELSE_ENTIRELY: 'x', PATH: '/bin' });
    assert.equal(c.httpPort, 8080);
  });

  it('accepts --name=value, port 0 and rtmps off', () => {
    const c = loadConfig(['--http-port=0', '--rtmps-port', '1936', '--rtmp-port=0'], {});
    assert.equal(c.httpPort, 0);
    assert.equal(c.rtmpPort, 0);
    assert.equal(c.rtmpsPort, 1936);
    assert.equal(loadConfig(['--rtmps-port', 'off'], { OPENIVS_RTMPS_PORT: '443' }).rtmpsPort, undefined);
  });
});

describe('loadConfig precedence', () => {
  const file = configFile('all.json', {
    httpPort: 1001, rtmpPort: 1002, region: 'eu-west-1', logLevel: 'warn', dataDir: 'd',
    quotas: { channels: 7, concurrentViewers: 8 }, rtmpsPort: 1003,
  });

  it('reads the file named by --config, relative paths against the file', () => {
    const c = loadConfig(['--config', file], {});
    assert.equal(c.httpPort, 1001);
    assert.equal(c.rtmpPort, 1002);
    assert.equal(c.rtmpsPort, 1003);
    assert.equal(c.region, 'eu-west-1');
    assert.equal(c.logLevel, 'warn');
    assert.equal(c.dataDir, join(dir, 'd'));
    assert.equal(c.quotas.channels, 7);
    assert.equal(c.quotas.concurrentViewers, 8);
    assert.equal(c.quotas.concurrentBroadcasts, 100);
  });

  it('environment overrides the file, flags override both', () => {
    const env = { OPENIVS_CONFIG: file, OPENIVS_HTTP_PORT: '2001', OPENIVS_RTMP_PORT: '2002', OPENIVS_QUOTA_CHANNELS: '9' };
    const c = loadConfig(['--http-port', '3001', '--quota-concurrent-viewers', '10'], env);
    assert.equal(c.httpPort, 3001);
    assert.equal(c.rtmpPort, 2002);
    assert.equal(c.region, 'eu-west-1');
    assert.equal(c.quotas.channels, 9);
    assert.equal(c.quotas.concurrentViewers, 10);
  });

  it('--config overrides OPENIVS_CONFIG', () => {
    const other = configFile('other.json', { httpPort: 4001 });
    assert.equal(loadConfig(['--config', other], { OPENIVS_CONFIG: file }).httpPort, 4001);
  });

  it('file null turns rtmps off; environment can turn it back on', () => {
    const off = configFile('off.json', { rtmpsPort: null });
    assert.equal(loadConfig(['--config', off], {}).rtmpsPort, undefined);
    assert.equal(loadConfig(['--config', off], { OPENIVS_RTMPS_PORT: '1937' }).rtmpsPort, 1937);
  });

  it('the last repeated flag wins', () => {
    assert.equal(loadConfig(['--http-port', '1', '--http-port', '2'], {}).httpPort, 2);
  });
});

describe('help, loopback and derived values', () => {
  it('throws HelpRequested for --help and -h, even next to bad options', () => {
    assert.throws(() => loadConfig(['--help'], {}), HelpRequested);
    assert.throws(() => loadConfig(['--bogus', '-h'], {}), HelpRequested);
  });

  it('HELP_TEXT lists every flag with its variable and default', () => {
    for (const s of ['--data-dir', 'OPENIVS_DATA_DIR', '--http-port', '8080', '--rtmp-port', '1935', '--rtmps-port',
      '--bind', 'OPENIVS_BIND', '--host', '--playback-base-url', '--region', 'us-west-2', 'OPENIVS_CREDENTIALS',
      '--default-credentials', '--quota-channels', 'OPENIVS_QUOTA_PLAYBACK_RESTRICTION_POLICIES', '--log-level',
      '--config', 'OPENIVS_CONFIG']) {
      assert.ok(HELP_TEXT.includes(s), `HELP_TEXT mentions ${s}`);
    }
  });

  it('isLoopbackAddress', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', '0:0:0:0:0:0:0:1', 'localhost', '::ffff:127.0.0.1']) {
      assert.equal(isLoopbackAddress(a), true, a);
    }
    for (const a of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.1', 'example.com', '::10', '1::', '128.0.0.1']) {
      assert.equal(isLoopbackAddress(a), false, a);
    }
  });

  it('securityWarning fires only for default credentials on a non-loopback bind', () => {
    assert.match(securityWarning(loadConfig([], {})) ?? '', /default credentials/);
    assert.equal(securityWarning(loadConfig(['--bind', '127.0.0.1'], {})), undefined);
    assert.equal(securityWarning(loadConfig([], { OPENIVS_CREDENTIALS: 'AK1:s3cr3t:111111111111' })), undefined);
  });

  it('withListeningPorts fills in ports chosen by the system', () => {
    const c = withListeningPorts(loadConfig(['--http-port', '0'], {}), { httpPort: 41234, rtmpPort: 41235 });
    assert.equal(c.httpPort, 41234);
    assert.equal(c.rtmpPort, 41235);
    assert.equal(c.playbackBaseUrl, 'http://localhost:41234');
    const cdn = loadConfig(['--http-port', '0', '--playback-base-url', 'https://cdn.example.com/'], {});
    assert.equal(withListeningPorts(cdn, { httpPort: 5 }).playbackBaseUrl, 'https://cdn.example.com');
  });
});
