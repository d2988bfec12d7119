// AWS CLI smoke pass: the stock `aws ivs …` commands against the server with --endpoint-url, in a
// clean environment (empty HOME, static test credentials). Skipped only when `aws` is not installed.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { useServer } from '../helpers/use-server.js';
import { arnRe, p384PublicKey } from '../helpers/assert.js';

const awsMissing = spawnSync('aws', ['--version'], { encoding: 'utf8' }).error !== undefined;
const SKIP = awsMissing ? 'the AWS CLI (`aws`) is not installed; scripts/install installs it for CI' : false;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('AWS CLI smoke', { skip: SKIP }, () => {
  const { server } = useServer();
  let home: string;
  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'openivs-cli-home-'));
  });
  after(async () => {
    if (home) rmSync(home, { recursive: true, force: true });
  });

  function cliEnv(secret = 'test'): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      LANG: 'C.UTF-8',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: secret,
      AWS_DEFAULT_REGION: 'us-west-2',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
      // A pyenv shim finds its installation through PYENV_ROOT (default ~/.pyenv, i.e. the real HOME).
      PYENV_ROOT: process.env.PYENV_ROOT ?? join(homedir(), '.pyenv'),
    };
    for (const k of ['PYENV_VERSION', 'VIRTUAL_ENV']) if (process.env[k]) env[k] = process.env[k];
    return env;
  }

  function aws(...args: string[]): Promise<CliResult> {
    const env = cliEnv();
    return new Promise((resolve) => {
      execFile(
        'aws',
        ['ivs', ...args, '--endpoint-url', server.url, '--output', 'json'],
        { env, timeout: 60_000, encoding: 'utf8' },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  // The CLI's JSON output, read field by field as each command's shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async function ok(...args: string[]): Promise<Record<string, any>> {
    const r = await aws(...args);
    assert.equal(r.code, 0, `aws ivs ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
    return r.stdout.trim() === '' ? {} : JSON.parse(r.stdout);
  }

  let arn = '';

  it('create-channel', async () => {
    const out = await ok('create-channel', '--name', 'cli-smoke', '--latency-mode', 'NORMAL');
    assert.match(out.channel.arn, arnRe('channel'));
    assert.equal(out.channel.name, 'cli-smoke');
    assert.equal(out.channel.latencyMode, 'NORMAL');
    assert.equal(out.channel.ingestEndpoint, '127.0.0.1');
    assert.match(out.streamKey.value, /^sk_us-west-2_[A-Za-z0-9]{12}_[A-Za-z0-9]{30}$/);
    arn = out.channel.arn;
  });

  it('get-channel and list-channels', async () => {
    const got = await ok('get-channel', '--arn', arn);
    assert.equal(got.channel.arn, arn);
    assert.equal(got.channel.type, 'STANDARD');
    const list = await ok('list-channels');
    assert.ok(list.channels.some((c: { arn: string; name: string }) => c.arn === arn && c.name === 'cli-smoke'));
    const filtered = await ok('list-channels', '--filter-by-name', 'cli-smoke');
    assert.equal(filtered.channels.length, 1);
  });

  it('tag-resource, list-tags-for-resource, untag-resource', async () => {
    await ok('tag-resource', '--resource-arn', arn, '--tags', 'team=cli,env=smoke');
    assert.deepEqual((await ok('list-tags-for-resource', '--resource-arn', arn)).tags, { team: 'cli', env: 'smoke' });
    await ok('untag-resource', '--resource-arn', arn, '--tag-keys', 'team');
    assert.deepEqual((await ok('list-tags-for-resource', '--resource-arn', arn)).tags, { env: 'smoke' });
  });

  it('create-recording-configuration and list-recording-configurations', async () => {
    const out = await ok(
      'create-recording-configuration',
      '--name',
      'cli-rc',
      '--destination-configuration',
      's3={bucketName=cli-bucket}',
    );
    assert.match(out.recordingConfiguration.arn, arnRe('recording-configuration'));
    assert.equal(out.recordingConfiguration.destinationConfiguration.s3.bucketName, 'cli-bucket');
    assert.ok(['ACTIVE', 'CREATING'].includes(out.recordingConfiguration.state));
    const list = await ok('list-recording-configurations');
    assert.equal(list.recordingConfigurations.length, 1);
  });

  it('import-playback-key-pair from a file', async () => {
    const pem = join(home, 'key.pem');
    writeFileSync(pem, p384PublicKey());
    const out = await ok('import-playback-key-pair', '--name', 'cli-key', '--public-key-material', `file://${pem}`);
    assert.match(out.keyPair.fingerprint, /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
  });

  it('delete-channel, then get-channel fails with ResourceNotFoundException', async () => {
    const del = await aws('delete-channel', '--arn', arn);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.stdout.trim(), '');
    const get = await aws('get-channel', '--arn', arn);
    assert.notEqual(get.code, 0);
    assert.match(get.stderr, /ResourceNotFoundException/);
  });

  it('a wrong secret is refused', async () => {
    const r = await new Promise<CliResult>((resolve) => {
      execFile(
        'aws',
        ['ivs', 'list-channels', '--endpoint-url', server.url, '--output', 'json'],
        {
          env: cliEnv('nope'),
          encoding: 'utf8',
          timeout: 60_000,
        },
        (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }),
      );
    });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /InvalidSignatureException|signature/i);
  });
});
