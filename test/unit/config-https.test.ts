// Unit tests for the HTTPS options: the listener port (off by default, "off"/null disables it) and its
// certificate pair (both or neither; by default the RTMPS self-signed pair).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, HELP_TEXT, loadConfig, withListeningPorts } from '../../src/config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'openivs-https-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('https options', () => {
  it('defaults: no HTTPS listener, certificate shared with RTMPS', () => {
    const c = loadConfig([], {}, '/srv');
    assert.equal(c.httpsPort, undefined);
    assert.equal(c.tlsCert, undefined);
    assert.equal(c.tlsKey, undefined);
    assert.equal(c.playbackBaseUrl, 'http://localhost:8080', 'the playback base URL stays on the HTTP port');
  });

  it('--https-port from flag, environment and file; "off" and null disable it', () => {
    assert.equal(loadConfig(['--https-port', '8443'], {}, '/srv').httpsPort, 8443);
    assert.equal(loadConfig([], { OPENIVS_HTTPS_PORT: '9443' }, '/srv').httpsPort, 9443);
    assert.equal(loadConfig(['--https-port', 'off'], { OPENIVS_HTTPS_PORT: '9443' }, '/srv').httpsPort, undefined);
    assert.equal(loadConfig(['--https-port', '0'], {}, '/srv').httpsPort, 0);
    const on = join(dir, 'on.json');
    writeFileSync(on, JSON.stringify({ httpsPort: 7443 }));
    assert.equal(loadConfig(['--config', on], {}).httpsPort, 7443);
    const off = join(dir, 'off.json');
    writeFileSync(off, JSON.stringify({ httpsPort: null }));
    assert.equal(loadConfig(['--config', off], {}).httpsPort, undefined);
  });

  it('rejects a bad --https-port, naming the option', () => {
    assert.throws(() => loadConfig(['--https-port', '70000'], {}, '/srv'), (err: Error) =>
      err instanceof ConfigError && err.message.includes('--https-port'));
    assert.throws(() => loadConfig([], { OPENIVS_HTTPS_PORT: 'on' }, '/srv'), (err: Error) =>
      err instanceof ConfigError && err.message.includes('OPENIVS_HTTPS_PORT'));
  });

  it('--tls-cert and --tls-key go together and resolve against the working directory', () => {
    assert.throws(() => loadConfig(['--tls-cert', 'c.pem'], {}, '/srv'), /both --tls-cert and --tls-key/);
    assert.throws(() => loadConfig([], { OPENIVS_TLS_KEY: 'k.pem' }, '/srv'), /both --tls-cert and --tls-key/);
    const c = loadConfig(['--tls-cert', 'c.pem', '--tls-key', 'k.pem'], {}, '/srv');
    assert.equal(c.tlsCert, '/srv/c.pem');
    assert.equal(c.tlsKey, '/srv/k.pem');
    const env = loadConfig([], { OPENIVS_TLS_CERT: '/etc/c.pem', OPENIVS_TLS_KEY: '/etc/k.pem' }, '/srv');
    assert.equal(env.tlsCert, '/etc/c.pem');
    assert.equal(env.tlsKey, '/etc/k.pem');
  });

  it('the TLS pair is independent of the RTMPS pair', () => {
    const c = loadConfig(['--rtmps-cert', 'r.pem', '--rtmps-key', 'rk.pem'], {}, '/srv');
    assert.equal(c.tlsCert, undefined);
    assert.equal(c.rtmpsCert, '/srv/r.pem');
    assert.throws(() => loadConfig(['--rtmps-cert', 'r.pem', '--rtmps-key', 'rk.pem', '--tls-key', 'k.pem'], {}, '/srv'),
      /both --tls-cert and --tls-key/);
  });

  it('withListeningPorts fills in the HTTPS port without touching the playback base URL', () => {
    const c = withListeningPorts(loadConfig(['--https-port', '0'], {}, '/srv'), { httpPort: 8080, httpsPort: 41443 });
    assert.equal(c.httpsPort, 41443);
    assert.equal(c.playbackBaseUrl, 'http://localhost:8080');
  });

  it('the help text lists the HTTPS options and how to point playback at them', () => {
    assert.match(HELP_TEXT, /--https-port PORT\|off/);
    assert.match(HELP_TEXT, /--tls-cert FILE/);
    assert.match(HELP_TEXT, /--tls-key FILE/);
    assert.match(HELP_TEXT, /--playback-base-url\s+https:\/\/<host>:<https-port>/);
  });
});
