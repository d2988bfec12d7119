// An S3-compatible endpoint for tests and bench:record: s3rver on 127.0.0.1 and a free port, backed by a temp
// directory, with buckets created up front. stop()/restart() keep the same port and directory so a test can simulate an outage
// and the recovery. Also: an @aws-sdk/client-s3 client for it, small read helpers, and the env/args that make
// an openivs started by startServer() record to it.

import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { freePort } from './server.js';

/** The subset of s3rver (CommonJS, untyped) used here. */
interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverCtor = new (opts: Record<string, unknown>) => S3rverInstance;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverCtor;

/** s3rver's fixed credentials; it checks signatures made with them. */
export const S3RVER_ACCESS_KEY = 'S3RVER';
export const S3RVER_SECRET = 'S3RVER';
export const S3_TEST_REGION = 'us-east-1';

export interface TestS3 {
  readonly endpoint: string;
  readonly port: number;
  readonly directory: string;
  readonly client: S3Client;
  /** Env for startServer(): the S3 credentials (env only: openivs never takes secrets as flags). */
  readonly serverEnv: Record<string, string>;
  /** Args for startServer(): --s3-endpoint and --s3-region. */
  readonly serverArgs: string[];
  /** Keys under prefix, sorted (all pages). */
  listKeys(bucket: string, prefix?: string): Promise<string[]>;
  getText(bucket: string, key: string): Promise<string>;
  getBuffer(bucket: string, key: string): Promise<Buffer>;
  /** Whether the endpoint is currently up. */
  readonly running: boolean;
  /** Closes the listener and every open connection (an outage); the data stays. */
  stop(): Promise<void>;
  /** Starts again on the same port and directory. */
  restart(): Promise<void>;
  /** Stops and removes the directory. */
  dispose(): Promise<void>;
}

export interface StartS3Options {
  buckets?: string[];
}

export async function startS3(opts: StartS3Options = {}): Promise<TestS3> {
  const port = await freePort();
  const directory = mkdtempSync(join(tmpdir(), 'openivs-s3-'));
  const endpoint = `http://127.0.0.1:${port}`;
  let current: S3rverInstance | undefined;

  const launch = async () => {
    const instance = new S3rver({
      address: '127.0.0.1',
      port,
      directory,
      silent: true,
      // vhost-style would treat "127.0.0.1" as a bucket name; clients use path-style.
      vhostBuckets: false,
      configureBuckets: (opts.buckets ?? []).map((name) => ({ name })),
    });
    await instance.run();
    current = instance;
  };

  const halt = async () => {
    const instance = current;
    current = undefined;
    if (instance === undefined) return;
    // close() alone waits for keep-alive connections; an outage should drop them.
    instance.httpServer?.closeAllConnections();
    await instance.close();
  };

  const client = new S3Client({
    endpoint,
    region: S3_TEST_REGION,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: S3RVER_ACCESS_KEY, secretAccessKey: S3RVER_SECRET },
    // s3rver predates flexible checksums (aws-chunked trailers); send them only where S3 requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

  const getBuffer = async (bucket: string, key: string): Promise<Buffer> => {
    const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await res.Body!.transformToByteArray());
  };

  await launch();
  return {
    endpoint,
    port,
    directory,
    client,
    serverEnv: { OPENIVS_S3_ACCESS_KEY_ID: S3RVER_ACCESS_KEY, OPENIVS_S3_SECRET_ACCESS_KEY: S3RVER_SECRET },
    serverArgs: ['--s3-endpoint', endpoint, '--s3-region', S3_TEST_REGION],
    async listKeys(bucket, prefix = '') {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return keys.sort();
    },
    getBuffer,
    async getText(bucket, key) {
      return (await getBuffer(bucket, key)).toString('utf8');
    },
    get running() {
      return current !== undefined;
    },
    stop: halt,
    async restart() {
      await halt();
      await launch();
    },
    async dispose() {
      await halt();
      client.destroy();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
