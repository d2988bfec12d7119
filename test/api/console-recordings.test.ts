// The recordings route against real recordings, on local disk and in S3 (s3rver): GET /_openivs/recordings lists a
// channel's finished recording with its duration, renditions and thumbnail; its media URLs serve the playlists,
// segments (with byte ranges) and thumbnail without further signing, byte for byte what the recorder stored; a
// tampered token, a path leaving the recording, or another account's channel get nothing.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateChannelCommand, type IvsClient } from '@aws-sdk/client-ivs';
import HLS from 'hls-parser';
import { getPath, RECORDINGS, signedGet } from '../helpers/console-routes.js';
import { sendRaw } from '../helpers/http.js';
import { killAllChildren, pollUntil, publish, rtmpUrl } from '../helpers/live.js';
import { activeRecordingConfiguration, recordedChannel } from '../helpers/recording.js';
import { startS3, type TestS3 } from '../../devtools/s3.js';
import { startServer, type OpenivsServer as TestServer } from '../../devtools/server.js';
import { ivsClient } from '../helpers/use-server.js';

const OTHER = { accessKeyId: 'other', secretAccessKey: 'other-secret', account: '111111111111' };
const CREDENTIALS = `test:test:000000000000,${OTHER.accessKeyId}:${OTHER.secretAccessKey}:${OTHER.account}`;

interface Setup {
  server: TestServer;
  ivs: IvsClient;
  s3?: TestS3;
  close(): Promise<void>;
}

/** A server with two accounts, recording to local disk or to a fresh s3rver holding `s3Buckets`. */
async function setup(s3Buckets?: string[]): Promise<Setup> {
  const s3 = s3Buckets ? await startS3({ buckets: s3Buckets }) : undefined;
  const server = await startServer({ env: { ...s3?.serverEnv, OPENIVS_CREDENTIALS: CREDENTIALS }, args: s3?.serverArgs ?? [] });
  const ivs = ivsClient(server);
  return {
    server,
    ivs,
    s3,
    async close() {
      killAllChildren();
      ivs.destroy();
      await server.stop();
      await s3?.dispose();
    },
  };
}

interface Listed {
  prefix: string;
  status: string;
  durationMs?: number;
  renditions: { path: string; width: number; height: number }[];
  mediaBaseUrl: string;
  masterPlaylistUrl: string;
  thumbnailUrl?: string;
}

/** Publishes 6 s to a recorded channel and waits until the route lists the recording as ended. */
async function recordOnce(h: Setup, bucket: string): Promise<{ channelArn: string; recording: Listed }> {
  const configArn = await activeRecordingConfiguration(h.ivs, {
    bucket,
    thumbnailConfiguration: { recordingMode: 'INTERVAL', targetIntervalSeconds: 2, storage: ['SEQUENTIAL', 'LATEST'] },
  });
  const { channel, key } = await recordedChannel(h.ivs, `console-${bucket}`, configArn);
  const done = await publish(rtmpUrl(h.server.rtmpPort, key), { seconds: 6 }).exited;
  assert.equal(done.code, 0, done.stderr);
  let last: unknown;
  const recording = await pollUntil(
    'the recording listed as ended',
    async () => {
      const res = await signedGet(h.server, RECORDINGS, { channelArn: channel.arn! });
      assert.equal(res.status, 200, res.text);
      const body = res.json();
      assert.equal(body.bucketName, bucket);
      const first = body.recordings[0] as Listed | undefined;
      return first?.status === 'RECORDING_ENDED' ? first : ((last = body), undefined);
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last listing: ${JSON.stringify(last)}\n${h.server.logs().slice(-2000)}`);
  });
  return { channelArn: channel.arn!, recording };
}

async function checkMedia(h: Setup, r: Listed, stored: (rel: string) => Promise<Buffer>): Promise<void> {
  assert.ok(r.durationMs! > 4_000 && r.durationMs! < 9_000, `duration ${r.durationMs}`);
  assert.deepEqual(
    r.renditions.map((x) => [x.path, x.width, x.height]),
    [['360p30', 640, 360]],
  );
  assert.ok(r.masterPlaylistUrl.startsWith(r.mediaBaseUrl) && r.masterPlaylistUrl.endsWith('/media/hls/master.m3u8'));

  const master = await getPath(h.server, r.masterPlaylistUrl);
  assert.equal(master.status, 200);
  assert.equal(master.headers.get('content-type'), 'application/vnd.apple.mpegurl');
  assert.deepEqual(master.body, await stored('media/hls/master.m3u8'));
  const parsed = HLS.parse(master.body.toString('utf8'));
  assert.ok(parsed.isMasterPlaylist);
  // Relative URIs resolve under the same token, as a player resolves them.
  const base = `http://127.0.0.1:${h.server.port}${r.masterPlaylistUrl}`;
  const variantUrl = new URL(parsed.variants[0]!.uri, base);
  const variant = await getPath(h.server, variantUrl.pathname);
  assert.equal(variant.status, 200);
  const media = HLS.parse(variant.body.toString('utf8')) as HLS.types.MediaPlaylist;
  assert.ok(media.endlist && media.segments.length >= 1);
  const segmentPath = new URL(media.segments[0]!.uri, variantUrl).pathname;
  const segment = await getPath(h.server, segmentPath);
  assert.equal(segment.status, 200);
  assert.equal(segment.headers.get('content-type'), 'video/mp2t');
  assert.equal(segment.body[0], 0x47, 'an MPEG-TS sync byte');
  assert.deepEqual(segment.body, await stored(segmentPath.slice(r.mediaBaseUrl.length)));
  const part = await getPath(h.server, segmentPath, { range: 'bytes=188-375' });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 188-375/${segment.body.length}`);
  assert.deepEqual(part.body, segment.body.subarray(188, 376));
  assert.equal((await getPath(h.server, segmentPath, { range: `bytes=${segment.body.length}-` })).status, 416);

  assert.ok(r.thumbnailUrl?.endsWith('/media/latest_thumbnail/thumb.jpg'), r.thumbnailUrl);
  const thumb = await getPath(h.server, r.thumbnailUrl!);
  assert.equal(thumb.status, 200);
  assert.equal(thumb.headers.get('content-type'), 'image/jpeg');
  assert.deepEqual([...thumb.body.subarray(0, 2)], [0xff, 0xd8]);
}

async function checkRefusals(h: Setup, channelArn: string, bucket: string, r: Listed): Promise<void> {
  const token = r.mediaBaseUrl.split('/')[4]!;
  const mac = token.slice(token.lastIndexOf('.') + 1);
  const flipped = `${token.slice(0, token.lastIndexOf('.') + 1)}${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
  const tampered = await getPath(h.server, r.masterPlaylistUrl.replace(token, flipped));
  assert.equal(tampered.status, 403);
  assert.equal(tampered.headers.get('x-amzn-errortype'), 'AccessDeniedException');
  assert.equal(JSON.parse(tampered.body.toString('utf8')).message, 'The media URL is invalid or has expired');
  // Sent raw: fetch would resolve the dot segments before sending.
  for (const escape of [
    '../../other/media/hls/master.m3u8',
    '..%2F..%2Fevents%2Frecording-ended.json',
    'media/hls/%2e%2e/%2e%2e/x.ts',
  ]) {
    const res = await sendRaw(h.server, { method: 'GET', path: `${r.mediaBaseUrl}${escape}` });
    assert.equal(res.status, 404, escape);
    assert.equal(res.headers['x-amzn-errortype'], 'ResourceNotFoundException');
  }
  assert.equal((await getPath(h.server, `${r.mediaBaseUrl}media/hls/nothing.ts`)).status, 404);
  const foreign = await signedGet(h.server, RECORDINGS, { channelArn }, OTHER);
  assert.equal(foreign.status, 404);
  assert.equal(foreign.headers['x-amzn-errortype'], 'ResourceNotFoundException');
  // Their own channel, even recorded to the same bucket, lists nothing of this account's.
  const other = ivsClient(h.server, OTHER);
  try {
    const configArn = await activeRecordingConfiguration(other, { bucket });
    const theirs = await other.send(new CreateChannelCommand({ name: 'theirs', recordingConfigurationArn: configArn }));
    const listed = await signedGet(h.server, RECORDINGS, { channelArn: theirs.channel!.arn! }, OTHER);
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(listed.json().recordings, []);
  } finally {
    other.destroy();
  }
}

describe('console recordings route: local disk', { timeout: 120_000 }, () => {
  let h: Setup;
  before(async () => {
    h = await setup();
  });
  after(async () => {
    await h?.close();
  });

  it('lists the recording and serves its media; refuses what it must', async () => {
    const { channelArn, recording } = await recordOnce(h, 'console-local');
    const { readFile } = await import('node:fs/promises');
    const { join } = await import('node:path'); // eslint-disable-line @typescript-eslint/unbound-method -- a module function
    await checkMedia(h, recording, (rel) =>
      readFile(join(h.server.dataDir, 'recordings', 'console-local', recording.prefix, rel)),
    );
    await checkRefusals(h, channelArn, 'console-local', recording);
  });
});

describe('console recordings route: S3', { timeout: 120_000 }, () => {
  let h: Setup;
  before(async () => {
    h = await setup(['console-s3']);
  });
  after(async () => {
    await h?.close();
  });

  it('lists the recording from the bucket and proxies its media', async () => {
    const { channelArn, recording } = await recordOnce(h, 'console-s3');
    const listing = (await signedGet(h.server, RECORDINGS, { channelArn })).json();
    assert.equal(listing.storage, 's3');
    await checkMedia(h, recording, (rel) => h.s3!.getBuffer('console-s3', `${recording.prefix}/${rel}`));
    await checkRefusals(h, channelArn, 'console-s3', recording);
  });
});
