// Recording destination on local disk, the embedded default: <dataDir>/recordings/<bucketName>/<key>. Each
// object is written to a temp file in its final directory, fsynced, then renamed over the target, so a reader
// (or a crash) sees the old object or the new one, never half of one. Buckets are plain directories created on
// demand.

import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { ProbeResult, RecordingDestination } from './destination.js';
import { checkBucketName, checkObjectKey } from './object-keys.js';

/** Temp files start with this, so a listing can skip leftovers of a crash. */
export const LOCAL_TEMP_PREFIX = '.openivs-tmp-';

export class LocalRecordingDestination implements RecordingDestination {
  readonly kind = 'local' as const;

  /** root: the recordings directory, e.g. <dataDir>/recordings. */
  constructor(readonly root: string) {}

  /** The file an object lives in; throws for names that are not valid or would leave the root. */
  pathFor(bucket: string, key: string): string {
    checkBucketName(bucket);
    checkObjectKey(key);
    const path = join(this.root, bucket, ...key.split('/'));
    // Belt and braces: the checks above already rule this out.
    if (!path.startsWith(join(this.root, bucket) + sep)) throw new Error('object path escapes the bucket directory');
    return path;
  }

  /** The content type is not kept: local files are served by extension. */
  async putObject(bucket: string, key: string, body: Buffer | string, _contentType?: string): Promise<void> {
    const target = this.pathFor(bucket, key);
    await this.replace(target, async (temp) => {
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
  }

  async putFile(bucket: string, key: string, path: string, _contentType?: string): Promise<void> {
    const target = this.pathFor(bucket, key);
    await this.replace(target, async (temp) => {
      await copyFile(path, temp);
      const handle = await open(temp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
  }

  async probe(bucket: string): Promise<ProbeResult> {
    try {
      checkBucketName(bucket);
      const dir = join(this.root, bucket);
      await mkdir(dir, { recursive: true });
      const check = join(dir, `${LOCAL_TEMP_PREFIX}probe-${randomBytes(6).toString('hex')}`);
      await writeFile(check, '');
      await rm(check, { force: true });
      return { ok: true };
    } catch (err) {
      return { ok: false, reason: `cannot write recordings for bucket "${bucket}" on local disk: ${(err as Error).message}` };
    }
  }

  /** Writes via a temp file next to the target, then renames it into place; the temp file never outlives a failure. */
  private async replace(target: string, write: (temp: string) => Promise<void>): Promise<void> {
    const dir = dirname(target);
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `${LOCAL_TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
    try {
      await write(temp);
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }
}
