// Helpers for the recording tests: create an ACTIVE recording configuration and a channel using it, wait for the
// broadcast to be live and for a recording's events over the webhook, read a finished recording from local disk or S3 into
// one shape, and the checks every finished recording must pass (layout, JSON files, playlists whose byte
// ranges add up, ffprobe duration and a clean ffmpeg decode of what the playlist lists).

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import HLS from 'hls-parser';
import type { types as hlsTypes } from 'hls-parser';
import {
  CreateChannelCommand,
  CreateRecordingConfigurationCommand,
  GetRecordingConfigurationCommand,
  GetStreamCommand,
  type CreateRecordingConfigurationRequest,
  type IvsClient,
} from '@aws-sdk/client-ivs';
import { pollUntil, run, type ReceivedEvent, type WebhookReceiver } from './live.js';

export const REC = 'IVS Recording State Change';

export async function activeRecordingConfiguration(
  ivs: IvsClient,
  input: Omit<CreateRecordingConfigurationRequest, 'destinationConfiguration'> & { bucket: string },
): Promise<string> {
  const { bucket, ...rest } = input;
  const out = await ivs.send(
    new CreateRecordingConfigurationCommand({ ...rest, destinationConfiguration: { s3: { bucketName: bucket } } }),
  );
  const arn = out.recordingConfiguration!.arn!;
  await pollUntil(
    'recording configuration ACTIVE',
    async () => {
      const got = await ivs.send(new GetRecordingConfigurationCommand({ arn }));
      assert.notEqual(got.recordingConfiguration!.state, 'CREATE_FAILED');
      return got.recordingConfiguration!.state === 'ACTIVE';
    },
    { timeoutMs: 20_000 },
  );
  return arn;
}

export async function recordedChannel(ivs: IvsClient, name: string, recordingConfigurationArn: string, type = 'BASIC') {
  const out = await ivs.send(
    new CreateChannelCommand({ name, type: type as 'BASIC', insecureIngest: true, recordingConfigurationArn }),
  );
  return { channel: out.channel!, key: out.streamKey!.value! };
}

/** The stream id of the channel's broadcast, once GetStream reports it live. */
export function waitLive(ivs: IvsClient, channelArn: string): Promise<string> {
  return pollUntil(
    'stream live',
    async () => (await ivs.send(new GetStreamCommand({ channelArn })).catch(() => undefined))?.stream?.streamId,
  );
}

export function recordingEvents(hook: WebhookReceiver, channelArn: string, status?: string): ReceivedEvent[] {
  return hook
    .unique()
    .filter(
      (e) =>
        e.detailType === REC &&
        e.envelope.resources?.[0] === channelArn &&
        (status === undefined || e.envelope.detail.recording_status === status),
    );
}

export async function waitRecordingEvent(
  hook: WebhookReceiver,
  channelArn: string,
  status: string,
  timeoutMs = 40_000,
  count = 1,
) {
  return pollUntil(
    `${status} event`,
    () => {
      const found = recordingEvents(hook, channelArn, status);
      return found.length >= count ? found : undefined;
    },
    { timeoutMs },
  );
}

/** A finished recording as files in a local directory (S3 objects are downloaded into one). */
export interface RecordingFiles {
  root: string;
  keys: string[];
  json(rel: string): Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  text(rel: string): string;
  bytes(rel: string): Buffer;
}

export function localRecording(root: string): RecordingFiles {
  const keys: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else keys.push(relative(root, p));
    }
  };
  walk(root);
  keys.sort();
  return {
    root,
    keys,
    json: (rel) => JSON.parse(readFileSync(join(root, rel), 'utf8')),
    text: (rel) => readFileSync(join(root, rel), 'utf8'),
    bytes: (rel) => readFileSync(join(root, rel)),
  };
}

/** Downloads every object under `prefix` into a temp dir (so ffprobe can read the playlists as files). */
export async function downloadRecording(
  s3: { listKeys(b: string, p?: string): Promise<string[]>; getBuffer(b: string, k: string): Promise<Buffer> },
  bucket: string,
  prefix: string,
): Promise<RecordingFiles> {
  const root = mkdtempSync(join(tmpdir(), 'openivs-rec-'));
  for (const key of await s3.listKeys(bucket, `${prefix}/`)) {
    const path = join(root, key.slice(prefix.length + 1));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, await s3.getBuffer(bucket, key));
  }
  return localRecording(root);
}

export interface CheckedRecording {
  durationMs: number;
  renditions: string[];
  media: hlsTypes.MediaPlaylist;
}

/**
 * Every check a finished recording passes; its duration is `expectMs` ± 1.5 s (undefined: only consistent with
 * the playlists and ffprobe). Returns the first rendition's playlist.
 */
export async function checkFinishedRecording(
  rec: RecordingFiles,
  channelArn: string,
  expectMs: number | undefined,
): Promise<CheckedRecording> {
  const started = rec.json('events/recording-started.json');
  const ended = rec.json('events/recording-ended.json');
  assert.equal(started.version, 'v1');
  assert.equal(started.recording_status, 'RECORDING_STARTED');
  assert.equal(started.channel_arn, channelArn);
  assert.equal(started.recording_ended_at, undefined);
  assert.deepEqual(Object.keys(ended).sort(), [
    'channel_arn',
    'media',
    'recording_ended_at',
    'recording_started_at',
    'recording_status',
    'version',
  ]);
  assert.equal(ended.recording_status, 'RECORDING_ENDED');
  assert.equal(ended.recording_started_at, started.recording_started_at);
  assert.match(ended.recording_ended_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const hls = ended.media.hls;
  assert.deepEqual(Object.keys(hls).sort(), ['byte_range_playlist', 'duration_ms', 'path', 'playlist', 'renditions']);
  assert.equal(hls.path, 'media/hls');
  assert.equal(hls.playlist, 'master.m3u8');
  assert.equal(hls.byte_range_playlist, 'byte-range-multivariant.m3u8');
  if (expectMs !== undefined)
    assert.ok(Math.abs(hls.duration_ms - expectMs) < 1500, `duration_ms ${hls.duration_ms} vs ~${expectMs}`);

  const master = HLS.parse(rec.text('media/hls/master.m3u8')) as hlsTypes.MasterPlaylist;
  const byteMaster = HLS.parse(rec.text('media/hls/byte-range-multivariant.m3u8')) as hlsTypes.MasterPlaylist;
  assert.equal(master.isMasterPlaylist, true);
  assert.equal(master.variants.length, hls.renditions.length);
  let first: hlsTypes.MediaPlaylist | undefined;
  for (const r of hls.renditions) {
    assert.deepEqual(Object.keys(r).sort(), ['byte_range_playlist', 'path', 'playlist', 'resolution_height', 'resolution_width']);
    const variant = master.variants.find((v) => v.uri === `${r.path}/playlist.m3u8`);
    assert.ok(variant, `master lists ${r.path}`);
    assert.deepEqual(variant.resolution, { width: r.resolution_width, height: r.resolution_height });
    assert.ok(variant.bandwidth > 0 && variant.frameRate! > 0);
    assert.match(variant.codecs ?? '', /^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
    assert.ok(byteMaster.variants.some((v) => v.uri === `${r.path}/byte-range-variant.m3u8`));
    const media = checkRenditionPlaylists(rec, r.path, hls.duration_ms);
    first ??= media;
    await checkPlayable(join(rec.root, 'media/hls', r.path), hls.duration_ms);
  }
  return { durationMs: hls.duration_ms, renditions: hls.renditions.map((r: { path: string }) => r.path), media: first! };
}

function checkRenditionPlaylists(rec: RecordingFiles, rendition: string, durationMs: number): hlsTypes.MediaPlaylist {
  const dir = `media/hls/${rendition}`;
  const media = HLS.parse(rec.text(`${dir}/playlist.m3u8`)) as hlsTypes.MediaPlaylist;
  assert.equal(media.playlistType, 'VOD');
  assert.equal(media.endlist, true);
  const total = media.segments.reduce((s, seg) => s + seg.duration, 0);
  assert.ok(Math.abs(total * 1000 - durationMs) < 1500, `playlist total ${total}s vs duration_ms ${durationMs}`);
  media.segments.forEach((seg, i) => {
    assert.equal(seg.uri, `${i}.ts`, 'segments are numbered from 0');
    assert.ok(seg.duration <= 11, `segment ${i} is ${seg.duration}s`);
    if (i < media.segments.length - 1 && !media.segments[i + 1]!.discontinuity)
      assert.ok(seg.duration >= 8.5, `segment ${i} is ${seg.duration}s`);
    assert.ok(rec.keys.includes(`${dir}/${seg.uri}`), `${seg.uri} is stored`);
  });
  const ranged = HLS.parse(rec.text(`${dir}/byte-range-variant.m3u8`)) as hlsTypes.MediaPlaylist;
  assert.equal(ranged.endlist, true);
  const next = new Map<string, number>();
  for (const seg of ranged.segments) {
    assert.ok(seg.byterange, 'every entry has EXT-X-BYTERANGE');
    assert.equal(seg.byterange.offset, next.get(seg.uri) ?? 0, `${seg.uri} ranges are contiguous`);
    next.set(seg.uri, seg.byterange.offset + seg.byterange.length);
  }
  for (const seg of media.segments) {
    assert.equal(
      next.get(seg.uri),
      statSync(join(rec.root, dir, seg.uri)).size,
      `${seg.uri}: byte ranges add up to the file size`,
    );
  }
  const rangedTotal = ranged.segments.reduce((s, seg) => s + seg.duration, 0);
  assert.ok(Math.abs(rangedTotal - total) < 0.01);
  return media;
}

/** ffprobe reads the playlist with the right duration; ffmpeg decodes all of it without an error. */
async function checkPlayable(dir: string, durationMs: number): Promise<void> {
  const probe = await run('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'format=duration',
    '-of',
    'csv=p=0',
    join(dir, 'playlist.m3u8'),
  ]).exited;
  assert.equal(probe.code, 0, probe.stderr);
  const seconds = Number(probe.stdout.trim());
  assert.ok(Math.abs(seconds * 1000 - durationMs) < 1000, `ffprobe duration ${seconds}s vs ${durationMs}ms`);
  const decode = await run('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    '-i',
    join(dir, 'playlist.m3u8'),
    '-map',
    '0:v',
    '-map',
    '0:a',
    '-f',
    'null',
    '-',
  ]).exited;
  assert.equal(decode.code, 0, decode.stderr);
  assert.equal(decode.stderr.trim(), '', 'ffmpeg decodes without errors');
}
