// Recording destinations against real storage: the local-disk destination in a temp directory, and the S3
// destination against s3rver read back with @aws-sdk/client-s3 (small objects, a multipart file, probes of a
// usable bucket, a missing one and a dead endpoint), plus the choice made from the configuration.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { LocalRecordingDestination } from '../../src/media/record/local-destination.js';
import { S3RecordingDestination } from '../../src/media/record/s3-destination.js';
import { createRecordingDestination } from '../../src/media/record/destinations.js';
import { loadConfig } from '../../src/config/index.js';
import { startS3, type TestS3 } from '../../devtools/s3.js';

const dir = mkdtempSync(join(tmpdir(), 'openivs-dest-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const silent = pino({ level: 'silent' });

describe('local recording destination', () => {
  const root = join(dir, 'recordings');
  const local = new LocalRecordingDestination(root);

  it('writes objects under <root>/<bucket>/<key>, replacing earlier versions, without leftovers', async () => {
    await local.putObject('my-bucket', 'ivs/v1/a/events/x.json', '{"a":1}', 'application/json');
    await local.putObject('my-bucket', 'ivs/v1/a/events/x.json', Buffer.from('{"a":2}'), 'application/json');
    const file = join(root, 'my-bucket', 'ivs', 'v1', 'a', 'events', 'x.json');
    assert.equal(readFileSync(file, 'utf8'), '{"a":2}');
    assert.deepEqual(readdirSync(join(root, 'my-bucket', 'ivs', 'v1', 'a', 'events')), ['x.json']);
  });

  it('copies files', async () => {
    const src = join(dir, 'seg.ts');
    writeFileSync(src, Buffer.alloc(100_000, 7));
    await local.putFile('my-bucket', 'media/hls/160p30/1.ts', src, 'video/mp2t');
    assert.deepEqual(readFileSync(join(root, 'my-bucket', 'media', 'hls', '160p30', '1.ts')), readFileSync(src));
  });

  it('refuses keys and buckets that could leave the directory', async () => {
    for (const key of ['../x', 'a/../../x', '/abs', 'a//b', 'a/./b', 'a\\b', '', 'a\u0000b']) {
      await assert.rejects(local.putObject('my-bucket', key, 'x', 'text/plain'), /invalid object key/, key);
    }
    for (const bucket of ['..', '.', 'a..b', 'UPPER', 'x', '../etc']) {
      await assert.rejects(local.putObject(bucket, 'k', 'x', 'text/plain'), /invalid bucket name/, bucket);
    }
    assert.equal(existsSync(join(dir, 'x')), false);
  });

  it('probe creates the bucket directory, and fails where it cannot write', async () => {
    assert.deepEqual(await local.probe('fresh-bucket'), { ok: true });
    assert.deepEqual(readdirSync(join(root, 'fresh-bucket')), []);
    writeFileSync(join(dir, 'a-file'), 'x');
    const blocked = new LocalRecordingDestination(join(dir, 'a-file'));
    const res = await blocked.probe('some-bucket');
    assert.equal(res.ok, false);
    assert.match((res as { reason: string }).reason, /some-bucket/);
  });
});

describe('S3 recording destination (s3rver)', () => {
  let s3: TestS3;
  let dest: S3RecordingDestination;
  before(async () => {
    s3 = await startS3({ buckets: ['rec-bucket'] });
    dest = new S3RecordingDestination({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      multipartThresholdBytes: 6 * 1024 * 1024,
      partSizeBytes: 5 * 1024 * 1024,
    });
  });
  after(async () => {
    dest.close();
    await s3.dispose();
  });

  it('puts small objects with their content type', async () => {
    await dest.putObject('rec-bucket', 'ivs/v1/e/recording-started.json', '{"v":1}', 'application/json');
    assert.equal(await s3.getText('rec-bucket', 'ivs/v1/e/recording-started.json'), '{"v":1}');
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: 'rec-bucket', Key: 'ivs/v1/e/recording-started.json' }));
    assert.equal(head.ContentType, 'application/json');
  });

  it('puts a small file in one request and a large one in parts', async () => {
    const small = join(dir, 'small.ts');
    writeFileSync(small, Buffer.alloc(300_000, 1));
    await dest.putFile('rec-bucket', 'media/hls/1.ts', small, 'video/mp2t');
    assert.deepEqual(await s3.getBuffer('rec-bucket', 'media/hls/1.ts'), readFileSync(small));
    const large = join(dir, 'large.ts');
    const body = Buffer.alloc(11 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 4096) body[i] = i % 251;
    writeFileSync(large, body);
    await dest.putFile('rec-bucket', 'media/hls/2.ts', large, 'video/mp2t');
    assert.ok((await s3.getBuffer('rec-bucket', 'media/hls/2.ts')).equals(body));
  });

  it('sends a file from the bytes in memory when it has them (the spool is not read), from the file above the multipart threshold', async () => {
    const pieces = [Buffer.alloc(200_000, 7), Buffer.alloc(1, 8), Buffer.alloc(150_001, 9)];
    const absent = join(dir, 'never-written.ts');
    await dest.putFile('rec-bucket', 'media/hls/4.ts', absent, 'video/MP2T', pieces);
    assert.ok((await s3.getBuffer('rec-bucket', 'media/hls/4.ts')).equals(Buffer.concat(pieces)));
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: 'rec-bucket', Key: 'media/hls/4.ts' }));
    assert.equal(head.ContentLength, 350_002);
    assert.equal(head.ContentType, 'video/MP2T');
    // Above the threshold the file is what goes up (in parts); the bytes given are ignored.
    const large = join(dir, 'large-in-memory.ts');
    const onDisk = Buffer.alloc(7 * 1024 * 1024, 3);
    writeFileSync(large, onDisk);
    await dest.putFile('rec-bucket', 'media/hls/5.ts', large, 'video/MP2T', [Buffer.alloc(7 * 1024 * 1024, 4)]);
    assert.ok((await s3.getBuffer('rec-bucket', 'media/hls/5.ts')).equals(onDisk));
  });

  it('probes: usable bucket ok (no probe object left), missing bucket and invalid name fail with a reason', async () => {
    assert.deepEqual(await dest.probe('rec-bucket'), { ok: true });
    assert.deepEqual(
      (await s3.listKeys('rec-bucket')).filter((k) => k.includes('write-check')),
      [],
    );
    const missing = await dest.probe('no-such-bucket');
    assert.equal(missing.ok, false);
    assert.match((missing as { reason: string }).reason, /"no-such-bucket" does not exist/);
    assert.equal((await dest.probe('Bad_Name')).ok, false);
  });

  it('rejects while the endpoint is down (objects and streamed files) and works again after it restarts', async () => {
    await s3.stop();
    await assert.rejects(dest.putObject('rec-bucket', 'k1', 'x', 'text/plain'), /S3 PutObject rec-bucket\/k1 failed/);
    const probe = await dest.probe('rec-bucket');
    assert.equal(probe.ok, false);
    assert.match((probe as { reason: string }).reason, /cannot be reached/);
    // A segment is streamed from its file (the SDK does not retry a stream): each attempt reads the file afresh.
    const segment = join(dir, 'segment.ts');
    const bytes = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 1024) bytes[i] = i % 253;
    writeFileSync(segment, bytes);
    await assert.rejects(
      dest.putFile('rec-bucket', 'media/hls/3.ts', segment, 'video/MP2T'),
      /S3 PutObject rec-bucket\/media\/hls\/3.ts failed/,
    );
    await s3.restart();
    await dest.putObject('rec-bucket', 'k1', 'x', 'text/plain');
    assert.equal(await s3.getText('rec-bucket', 'k1'), 'x');
    await dest.putFile('rec-bucket', 'media/hls/3.ts', segment, 'video/MP2T');
    assert.ok((await s3.getBuffer('rec-bucket', 'media/hls/3.ts')).equals(bytes));
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: 'rec-bucket', Key: 'media/hls/3.ts' }));
    assert.equal(head.ContentType, 'video/MP2T');
    assert.equal(head.ContentLength, bytes.length);
  });
});

describe('destination choice', () => {
  it('local by default, S3 when an endpoint is configured; S3 keys only from the environment', () => {
    const local = createRecordingDestination(loadConfig([], {}).recordingStorage, dir, silent);
    assert.equal(local.kind, 'local');
    assert.equal((local as LocalRecordingDestination).root, join(dir, 'recordings'));
    const cfg = loadConfig(['--s3-endpoint', 'http://127.0.0.1:9/', '--s3-region', 'eu-west-1'], {
      OPENIVS_S3_ACCESS_KEY_ID: 'AK',
      OPENIVS_S3_SECRET_ACCESS_KEY: 'SK',
    }).recordingStorage;
    assert.deepEqual(cfg, {
      kind: 's3',
      endpoint: 'http://127.0.0.1:9',
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
    });
    let logged = '';
    const capture = pino(
      { level: 'trace' },
      {
        write: (line: string) => {
          logged += line;
        },
      },
    );
    const s3 = createRecordingDestination(
      {
        ...(cfg as Extract<typeof cfg, { kind: 's3' }>),
        credentials: { accessKeyId: 'AKID-X', secretAccessKey: 'very-secret-42' },
      },
      dir,
      capture,
    );
    assert.match(logged, /recordings are written to S3/);
    assert.ok(!logged.includes('very-secret-42') && !logged.includes('AKID-X'), logged);
    assert.equal(s3.kind, 's3');
    (s3 as S3RecordingDestination).close();
    assert.deepEqual(loadConfig(['--recording-storage', 's3', '--region', 'ap-south-1'], {}).recordingStorage, {
      kind: 's3',
      endpoint: undefined,
      region: 'ap-south-1',
      credentials: undefined,
    });
    assert.equal((loadConfig(['--recording-storage', 's3'], {}).recordingStorage as { region: string }).region, 'us-east-1');
    assert.throws(() => loadConfig([], { OPENIVS_S3_ACCESS_KEY_ID: 'AK' }), /give both OPENIVS_S3_ACCESS_KEY_ID/);
    assert.throws(() => loadConfig(['--recording-storage', 'ftp'], {}), /--recording-storage: expected one of local, s3/);
    assert.throws(() => loadConfig(['--s3-secret-access-key', 'x'], {}), /unknown option/);
    assert.throws(
      () => loadConfig(['--recording-storage', 'local', '--s3-endpoint', 'http://127.0.0.1:9'], {}),
      /S3 endpoint given with local recording storage/,
    );
    const fromFile = join(dir, 'c.json');
    writeFileSync(fromFile, JSON.stringify({ s3Endpoint: 'http://127.0.0.1:9', s3SecretAccessKey: 'x' }));
    assert.throws(() => loadConfig(['--config', fromFile], {}), /unknown key "s3SecretAccessKey"/);
  });
});
