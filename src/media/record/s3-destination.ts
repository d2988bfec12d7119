// Recording destination on S3 or any S3-compatible endpoint (MinIO, R2, Ceph, s3rver), through
// @aws-sdk/client-s3. Tuned for a caller that retries on its own: short connect timeout and few SDK attempts, so
// a dead endpoint fails within seconds and the recorder's queue decides what happens next. Files above the
// multipart threshold go up in parts with @aws-sdk/lib-storage.
// Cost per spooled segment (bench:record): the file is sent as a stream with its length, from the bytes the recorder
// still holds in memory when it has them, else from the spool (no copy, and as a stream the SDK signs it as
// UNSIGNED-PAYLOAD instead of hashing ~3 MB; integrity in transit is TLS's, as for any unsigned-payload upload), on
// the client's kept-alive connections (no `Expect: 100-continue`, for which the SDK opens a fresh connection per
// request).

import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, HeadBucketCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ProbeResult, RecordingDestination } from './destination.js';
import { checkBucketName, checkObjectKey } from './object-keys.js';

export interface S3DestinationOptions {
  /** undefined: AWS S3. Set: an S3-compatible endpoint, addressed path-style (bucket in the path). */
  endpoint: string | undefined;
  region: string;
  /** undefined: the default AWS credential chain (env, profile, instance role). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** Files larger than this go up as multipart uploads (default 16 MiB). */
  multipartThresholdBytes?: number;
  /** Part size of multipart uploads (default 8 MiB; S3's minimum is 5 MiB). */
  partSizeBytes?: number;
}

const MIB = 1024 * 1024;
/** Connect timeout: a blackholed endpoint should fail fast enough to retry. */
const CONNECT_TIMEOUT_MS = 3_000;
/** Socket inactivity timeout (not a total deadline: a large upload on a slow link keeps going while bytes flow). */
const IDLE_TIMEOUT_MS = 20_000;
const PROBE_KEY_PREFIX = '.openivs-write-check-';
/** Read size when streaming a spooled file: a ~3 MB segment in a few reads and socket writes, not fifty. */
const STREAM_CHUNK_BYTES = MIB;
/**
 * The SDK's own messages (e.g. "non-retryable streaming request", printed to the console by default) are dropped:
 * every failure reaches the caller, and the upload queue logs and retries it.
 */
const SILENT = { trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** One-line description of an S3 failure for logs and statusMessages (SDK errors carry no credentials). */
export function describeS3Error(err: unknown): string {
  if (err instanceof S3ServiceException) {
    const status = err.$metadata.httpStatusCode;
    return `${err.name}${status === undefined ? '' : ` (HTTP ${status})`}: ${err.message}`;
  }
  const e = err as { name?: string; code?: string; message?: string };
  return `${e.code ?? e.name ?? 'Error'}: ${e.message ?? String(err)}`;
}

export class S3RecordingDestination implements RecordingDestination {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly threshold: number;
  private readonly partSize: number;

  constructor(opts: S3DestinationOptions) {
    this.threshold = opts.multipartThresholdBytes ?? 16 * MIB;
    this.partSize = Math.max(5 * MIB, opts.partSizeBytes ?? 8 * MIB);
    this.client = new S3Client({
      region: opts.region,
      endpoint: opts.endpoint,
      forcePathStyle: opts.endpoint !== undefined,
      credentials: opts.credentials,
      maxAttempts: 2,
      requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: IDLE_TIMEOUT_MS },
      // With `Expect: 100-continue` (the SDK's default from 2 MiB, i.e. every segment) the SDK sends the request on a
      // new connection without keep-alive and waits a round trip before the body; a refused segment costs little.
      expectContinueHeader: false,
      logger: SILENT,
      // The middleware stack is resolved once per command class instead of on every send: the SDK documents the
      // saving as up to 1 ms per request, and recording sends a few per stream every 10 s. Safe because nothing here
      // (lib-storage's Upload included) changes a client's or command's middleware after the first request.
      cacheMiddleware: true,
      // Many S3-compatible servers reject the SDK's default flexible checksums (aws-chunked trailers); S3 itself
      // does not need them unless an operation requires one.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async putObject(bucket: string, key: string, body: Buffer | string, contentType: string): Promise<void> {
    checkBucketName(bucket);
    checkObjectKey(key);
    await this.put(bucket, key, typeof body === 'string' ? Buffer.from(body) : body, contentType);
  }

  /** One PutObject; a stream body needs its length (`contentLength`), which S3 requires up front. */
  private put(bucket: string, key: string, body: Buffer | Readable, contentType: string, contentLength?: number) {
    return this.send(
      'PutObject',
      bucket,
      key,
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: contentLength, ContentType: contentType }),
    );
  }

  async putFile(bucket: string, key: string, path: string, contentType: string, bytes?: readonly Buffer[]): Promise<void> {
    checkBucketName(bucket);
    checkObjectKey(key);
    const inMemory = bytes ? bytes.reduce((sum, b) => sum + b.length, 0) : Infinity;
    if (bytes && inMemory <= this.threshold) {
      // The spool's read back (open, stat, reads, close: threadpool round trips and a copy) is skipped. A stream,
      // not one concatenated Buffer, so nothing is copied and the payload is not hashed.
      await this.put(bucket, key, Readable.from(bytes, { objectMode: false }), contentType, inMemory);
      return;
    }
    const { size } = await stat(path);
    if (size <= this.threshold) {
      // Segments are small: one request with a known length is simplest for every S3-compatible server. A stream
      // is not retried by the SDK (it cannot be replayed); the queue retries with a new one.
      const body = createReadStream(path, { highWaterMark: STREAM_CHUNK_BYTES });
      try {
        await this.put(bucket, key, body, contentType, size);
      } finally {
        body.destroy();
      }
      return;
    }
    const upload = new Upload({
      client: this.client,
      params: { Bucket: bucket, Key: key, Body: createReadStream(path), ContentType: contentType },
      partSize: this.partSize,
      queueSize: 2,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      throw new Error(`S3 multipart upload ${bucket}/${key} failed: ${describeS3Error(err)}`, { cause: err });
    }
  }

  /**
   * HeadBucket tells a missing bucket apart; then a tiny object is put and deleted, because only a write proves
   * the credentials may write. A 403 on HeadBucket is not final: write-only policies lack s3:ListBucket.
   */
  async probe(bucket: string): Promise<ProbeResult> {
    try {
      checkBucketName(bucket);
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (err) {
      const status = (err as S3ServiceException).$metadata?.httpStatusCode;
      if (status === 404) return { ok: false, reason: `S3 bucket "${bucket}" does not exist` };
      if (status !== 403) return { ok: false, reason: `S3 bucket "${bucket}" cannot be reached: ${describeS3Error(err)}` };
    }
    const key = `${PROBE_KEY_PREFIX}${randomBytes(6).toString('hex')}`;
    try {
      await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.alloc(0) }));
    } catch (err) {
      return { ok: false, reason: `S3 bucket "${bucket}" does not accept writes: ${describeS3Error(err)}` };
    }
    // Best effort: credentials may write without being allowed to delete; a leftover empty object is harmless.
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
    return { ok: true };
  }

  /** Releases the HTTP sockets (shutdown). */
  close(): void {
    this.client.destroy();
  }

  private async send(op: string, bucket: string, key: string, command: PutObjectCommand): Promise<void> {
    try {
      await this.client.send(command);
    } catch (err) {
      throw new Error(`S3 ${op} ${bucket}/${key} failed: ${describeS3Error(err)}`, { cause: err });
    }
  }
}
