// Unit tests for the live-streaming options: ingest (RTMPS certificate pair, insecure ingest) and
// event sinks (repeatable webhooks, webhook secret, EventBridge).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.js';

describe('live options', () => {
  it('defaults: no sinks, secure ingest only, generated certificate', () => {
    const c = loadConfig([], {}, '/srv');
    assert.deepEqual(c.eventWebhooks, []);
    assert.equal(c.eventWebhookSecret, undefined);
    assert.equal(c.eventbridge, undefined);
    assert.equal(c.allowInsecureIngest, false);
    assert.equal(c.rtmpsCert, undefined);
  });

  it('--event-webhook repeats and accumulates; the environment takes a comma-separated list', () => {
    const flags = loadConfig(['--event-webhook', 'http://a.test/x', '--event-webhook', 'https://b.test/y'], {}, '/srv');
    assert.deepEqual(flags.eventWebhooks, ['http://a.test/x', 'https://b.test/y']);
    const env = loadConfig([], { OPENIVS_EVENT_WEBHOOKS: 'http://a.test/1, http://a.test/2' }, '/srv');
    assert.deepEqual(env.eventWebhooks, ['http://a.test/1', 'http://a.test/2']);
  });

  it('rejects a webhook that is not an http(s) URL', () => {
    assert.throws(() => loadConfig(['--event-webhook', 'ftp://x'], {}, '/srv'), ConfigError);
  });

  it('the webhook secret comes only from the environment or file, never echoed', () => {
    const c = loadConfig([], { OPENIVS_EVENT_WEBHOOK_SECRET: 's3cret' }, '/srv');
    assert.equal(c.eventWebhookSecret, 's3cret');
    assert.throws(() => loadConfig(['--event-webhook-secret', 's3cret'], {}, '/srv'), (err: Error) =>
      err instanceof ConfigError && !err.message.includes('s3cret'));
  });

  it('EventBridge: endpoint turns the sink on, bus and region default', () => {
    const c = loadConfig(['--eventbridge-endpoint', 'http://127.0.0.1:4010', '--region', 'eu-west-1'], {}, '/srv');
    assert.deepEqual(c.eventbridge, { endpoint: 'http://127.0.0.1:4010', bus: 'default', region: 'eu-west-1' });
  });

  it('--rtmps-cert and --rtmps-key go together', () => {
    assert.throws(() => loadConfig(['--rtmps-cert', 'c.pem'], {}, '/srv'), /both --rtmps-cert and --rtmps-key/);
    const c = loadConfig(['--rtmps-cert', 'c.pem', '--rtmps-key', 'k.pem'], {}, '/srv');
    assert.equal(c.rtmpsCert, '/srv/c.pem');
    assert.equal(c.rtmpsKey, '/srv/k.pem');
  });

  it('--allow-insecure-ingest is a boolean flag', () => {
    assert.equal(loadConfig(['--allow-insecure-ingest'], {}, '/srv').allowInsecureIngest, true);
    assert.equal(loadConfig([], { OPENIVS_ALLOW_INSECURE_INGEST: 'false' }, '/srv').allowInsecureIngest, false);
  });
});
