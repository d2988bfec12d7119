// The recording upload queue against a real S3 wire protocol (s3rver, stopped and restarted): strict order
// through an outage, nothing lost, and stale versions of a growing playlist dropped instead of replayed.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { RecordingDestination } from '../../src/media/record/destination.js';
import { S3RecordingDestination } from '../../src/media/record/s3-destination.js';
import { UploadQueue } from '../../src/media/record/upload-queue.js';
import { S3RVER_ACCESS_KEY, S3RVER_SECRET, startS3, type TestS3 } from '../../devtools/s3.js';

const BUCKET = 'queue-bucket';
const dir = mkdtempSync(join(tmpdir(), 'openivs-queue-'));

/** The real S3 destination, noting each key it stored, in order. */
function observed(inner: RecordingDestination, stored: string[]): RecordingDestination {
  return {
    kind: inner.kind,
    putObject: async (b, k, body, t) => {
      await inner.putObject(b, k, body, t);
      stored.push(k);
    },
    putFile: async (b, k, p, t, bytes) => {
      await inner.putFile(b, k, p, t, bytes);
      stored.push(bytes ? `${k} (from memory)` : k);
    },
    probe: (b) => inner.probe(b),
  };
}

describe('recording upload queue through an S3 outage', { timeout: 60_000 }, () => {
  let s3: TestS3;
  before(async () => {
    s3 = await startS3({ buckets: [BUCKET] });
  });
  after(async () => {
    await s3?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A queue on the real S3 destination, retrying fast, with the keys it stores in order. */
  function observedQueue(): { s3dest: S3RecordingDestination; stored: string[]; queue: UploadQueue } {
    const s3dest = new S3RecordingDestination({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: S3RVER_ACCESS_KEY, secretAccessKey: S3RVER_SECRET },
    });
    const stored: string[] = [];
    const queue = new UploadQueue(observed(s3dest, stored), BUCKET, pino({ level: 'silent' }), { baseMs: 50, maxMs: 200 });
    return { s3dest, stored, queue };
  }

  it('keeps order, loses nothing, and uploads only the newest pending version of a playlist', async () => {
    const { s3dest, stored, queue } = observedQueue();
    await s3.stop();
    for (let n = 0; n < 3; n++) {
      const path = join(dir, `${n}.ts`);
      writeFileSync(path, Buffer.alloc(1000, n));
      queue.push({ key: `r/${n}.ts`, contentType: 'video/mp2t', file: path });
      queue.push({ key: 'r/playlist.m3u8', contentType: 'application/vnd.apple.mpegurl', body: `version ${n}` });
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(queue.failures > 0, 'the outage was felt');
    assert.equal(queue.pending, 4, 'three segments and one playlist wait; two stale playlists were dropped');
    await s3.restart();
    await queue.idle();
    assert.deepEqual(stored, ['r/0.ts', 'r/1.ts', 'r/2.ts', 'r/playlist.m3u8']);
    assert.equal(await s3.getText(BUCKET, 'r/playlist.m3u8'), 'version 2');
    assert.equal((await s3.getBuffer(BUCKET, 'r/2.ts')).length, 1000);
    s3dest.close();
  });

  it('sends media from memory while S3 answers, from the spool after a failed attempt, and caps what it holds', async () => {
    const { s3dest, stored, queue } = observedQueue();
    // The spool holds 'spool' bytes, memory 'memory' bytes: what S3 ends up with shows which was sent.
    const item = (n: number) => {
      const path = join(dir, `m${n}.ts`);
      writeFileSync(path, Buffer.from(`spool ${n}`));
      return {
        key: `m/${n}.ts`,
        contentType: 'video/mp2t',
        file: path,
        fileBytes: [Buffer.from('memory '), Buffer.from(`${n}`)],
      };
    };
    queue.push(item(0));
    await queue.idle();
    assert.equal(await s3.getText(BUCKET, 'm/0.ts'), 'memory 0');

    await s3.stop();
    for (let n = 1; n <= 6; n++) queue.push(item(n));
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.ok(queue.failures > 0, 'the outage was felt');
    await s3.restart();
    await queue.idle();
    // 1 failed at least once: its bytes were dropped and the spool went up. 2-4 kept theirs (4 at most were held
    // when they were pushed: 1-4); 5 and 6 were pushed beyond the cap and were read from the spool.
    assert.deepEqual(stored, [
      'm/0.ts (from memory)',
      'm/1.ts',
      'm/2.ts (from memory)',
      'm/3.ts (from memory)',
      'm/4.ts (from memory)',
      'm/5.ts',
      'm/6.ts',
    ]);
    assert.equal(await s3.getText(BUCKET, 'm/1.ts'), 'spool 1');
    assert.equal(await s3.getText(BUCKET, 'm/3.ts'), 'memory 3');
    assert.equal(await s3.getText(BUCKET, 'm/6.ts'), 'spool 6');
    s3dest.close();
  });
});
