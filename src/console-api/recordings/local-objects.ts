// Recordings on local disk, where LocalRecordingDestination writes them: <dataDir>/recordings/<bucket>/<key>.
// Bucket names and keys are validated with the recorder's own rules before they become paths, so nothing outside
// the recordings directory can be named; temp files of interrupted writes are never listed.

import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { Readable } from 'node:stream';
import { checkBucketName, checkObjectKey } from '../../media/record/object-keys.js';
import { LOCAL_TEMP_PREFIX } from '../../media/record/local-destination.js';
import { parseRange, type OpenedObject, type RecordingObjects } from './objects.js';

const isMissing = (err: unknown) => ['ENOENT', 'ENOTDIR', 'EISDIR'].includes((err as NodeJS.ErrnoException).code ?? '');

export class LocalRecordingObjects implements RecordingObjects {
  readonly kind = 'local' as const;

  constructor(readonly root: string) {}

  async listFolders(bucket: string, prefix: string, limit: number): Promise<string[]> {
    const dir = this.pathFor(bucket, prefix.replace(/\/$/, ''));
    try {
      const entries = await readdir(dir, { withFileTypes: true });
      return entries
        .filter((e) => e.isDirectory() && !e.name.startsWith(LOCAL_TEMP_PREFIX))
        .map((e) => e.name)
        .slice(0, limit);
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
  }

  async readSmall(bucket: string, key: string, maxBytes: number): Promise<Buffer | undefined> {
    let handle;
    try {
      handle = await open(this.pathFor(bucket, key), 'r');
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    try {
      const { size } = await handle.stat();
      if (size > maxBytes) return undefined;
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  }

  async open(bucket: string, key: string, rangeHeader: string | undefined): Promise<OpenedObject | undefined> {
    const path = this.pathFor(bucket, key);
    let size: number;
    try {
      const info = await stat(path);
      if (!info.isFile()) return undefined;
      size = info.size;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    const range = parseRange(rangeHeader, size) ?? { start: 0, end: size - 1 };
    const body = size === 0 ? Readable.from([]) : createReadStream(path, range);
    return { size, ...range, body };
  }

  private pathFor(bucket: string, key: string): string {
    checkBucketName(bucket);
    checkObjectKey(key);
    const bucketDir = join(this.root, bucket);
    const path = join(bucketDir, ...key.split('/'));
    if (!path.startsWith(bucketDir + sep)) throw new Error('object path escapes the bucket directory');
    return path;
  }
}
