// Recordings in S3 (or an S3-compatible endpoint), read with the same settings the recorder writes with
// (config.recordingStorage: endpoint, region, path-style addressing, credentials from the environment). Media is
// proxied through openivs rather than handed out as S3 presigned URLs: the console's CSP stays 'self', the bucket
// needs no CORS rules, and the S3 credentials never leave the server.

import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { checkBucketName, checkObjectKey } from '../../media/record/object-keys.js';
import { parseRange, type OpenedObject, type RecordingObjects } from './objects.js';

export interface S3ObjectsOptions {
  endpoint: string | undefined;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
}

/** Folders found by skipping at most (each costs one listing). */
const MAX_SKIPPED_FOLDERS = 100;

const isMissing = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
};

export class S3RecordingObjects implements RecordingObjects {
  readonly kind = 's3' as const;
  private readonly client: S3Client;

  constructor(opts: S3ObjectsOptions) {
    this.client = new S3Client({
      region: opts.region,
      endpoint: opts.endpoint,
      forcePathStyle: opts.endpoint !== undefined,
      credentials: opts.credentials,
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 3_000, requestTimeout: 20_000 },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async listFolders(bucket: string, prefix: string, limit: number): Promise<string[]> {
    checkBucketName(bucket);
    checkObjectKey(prefix.replace(/\/$/, ''));
    const out = await this.client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', MaxKeys: Math.min(limit, 1000) }),
    );
    const names = (out.CommonPrefixes ?? [])
      .map((p) => (p.Prefix ?? '').slice(prefix.length).replace(/\/$/, ''))
      .filter((name) => name !== '');
    if (names.length > 0 || (out.Contents ?? []).length > 0) return names;
    // Nothing under the prefix, or a server whose delimiter listing misses keys nested more than one level below it
    // (s3rver): find the folders by skipping, one small listing per folder.
    return this.foldersBySkipping(bucket, prefix, Math.min(limit, MAX_SKIPPED_FOLDERS));
  }

  /**
   * The first key after each folder's last possible key names the next folder. ListObjects (v1) with a Marker: the
   * servers that need this path also fail a truncated ListObjectsV2 page without StartAfter (s3rver 3).
   */
  private async foldersBySkipping(bucket: string, prefix: string, limit: number): Promise<string[]> {
    const names: string[] = [];
    let after: string | undefined;
    for (let calls = 0; names.length < limit && calls < limit * 2; calls++) {
      const out = await this.client.send(new ListObjectsCommand({ Bucket: bucket, Prefix: prefix, MaxKeys: 1, Marker: after }));
      const key = out.Contents?.[0]?.Key;
      if (key === undefined) break;
      const rest = key.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash <= 0) {
        after = key; // an object directly under the prefix
        continue;
      }
      names.push(rest.slice(0, slash));
      // Keys are compared as UTF-8 bytes; recording keys are ASCII, so U+FFFF sorts after every key in the folder.
      after = `${prefix}${rest.slice(0, slash)}/\uffff`;
    }
    return names;
  }

  async readSmall(bucket: string, key: string, maxBytes: number): Promise<Buffer | undefined> {
    checkBucketName(bucket);
    checkObjectKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if ((out.ContentLength ?? 0) > maxBytes) {
        (out.Body as Readable | undefined)?.destroy();
        return undefined;
      }
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async open(bucket: string, key: string, rangeHeader: string | undefined): Promise<OpenedObject | undefined> {
    checkBucketName(bucket);
    checkObjectKey(key);
    let size: number;
    try {
      size = (await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentLength ?? 0;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    const range = parseRange(rangeHeader, size);
    const out = await this.client.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        Range: range === undefined ? undefined : `bytes=${range.start}-${range.end}`,
      }),
    );
    return { size, start: range?.start ?? 0, end: range?.end ?? size - 1, body: out.Body as Readable };
  }

  close(): void {
    this.client.destroy();
  }
}
