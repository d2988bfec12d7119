// A channel's recordings, newest first, read from the bucket of its recording configuration: the folders of IVS's
// layout `ivs/v1/<account>/<channelId>/<y>/<m>/<d>/<h>/<min>/<recordingId>/` are walked from the newest date down
// (the date parts are not zero-padded, so they are compared as numbers) until enough recordings are found, and
// each recording is described from its metadata files (events/recording-started.json, recording-ended.json or
// recording-failed.json). The work is bounded: at most `MAX_LISTINGS` folder listings per call.

import type { RecordingObjects } from './objects.js';

export interface Rendition {
  path: string;
  width: number;
  height: number;
}

export interface RecordingSummary {
  prefix: string;
  recordingId: string;
  /** RECORDING_STARTED while it runs, then RECORDING_ENDED or RECORDING_ENDED_WITH_FAILURE. */
  status: string;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  statusMessage?: string;
  renditions: Rendition[];
  /** Key of a thumbnail relative to the prefix, when the recording has thumbnails. */
  thumbnail?: string;
  /** Relative to the prefix. */
  masterPlaylist?: string;
}

const DATE_LEVELS = 5; // year, month, day, hour, minute
const MAX_LISTINGS = 200;
const MAX_JSON_BYTES = 64 * 1024;
const NUMERIC = /^\d{1,4}$/;

type Json = Record<string, unknown>;

export async function listRecordings(
  objects: RecordingObjects,
  bucket: string,
  account: string,
  channelId: string,
  limit: number,
): Promise<RecordingSummary[]> {
  const budget = { listings: MAX_LISTINGS };
  const prefixes: string[] = [];
  await walk(objects, bucket, `ivs/v1/${account}/${channelId}/`, 0, limit, prefixes, budget);
  const found = await Promise.all(prefixes.map((p) => describe(objects, bucket, p)));
  return found
    .filter((r): r is RecordingSummary => r !== undefined)
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.recordingId.localeCompare(a.recordingId))
    .slice(0, limit);
}

async function walk(
  objects: RecordingObjects,
  bucket: string,
  prefix: string,
  level: number,
  limit: number,
  out: string[],
  budget: { listings: number },
): Promise<void> {
  if (out.length >= limit || budget.listings <= 0) return;
  budget.listings--;
  const names = await objects.listFolders(bucket, prefix, 1000);
  if (level === DATE_LEVELS) {
    // Recording ids within one minute: all of them (sorted by start time afterwards).
    for (const name of names.sort()) out.push(`${prefix}${name}`);
    return;
  }
  const newestFirst = names.filter((n) => NUMERIC.test(n)).sort((a, b) => Number(b) - Number(a));
  for (const name of newestFirst) {
    if (out.length >= limit) return;
    await walk(objects, bucket, `${prefix}${name}/`, level + 1, limit, out, budget);
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

async function readJson(objects: RecordingObjects, bucket: string, key: string): Promise<Json | undefined> {
  const bytes = await objects.readSmall(bucket, key, MAX_JSON_BYTES);
  if (bytes === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** Undefined for a folder without recording-started.json (not a recording, or not uploaded yet). */
async function describe(objects: RecordingObjects, bucket: string, prefix: string): Promise<RecordingSummary | undefined> {
  const [started, ended, failed] = await Promise.all(
    ['recording-started', 'recording-ended', 'recording-failed'].map((name) =>
      readJson(objects, bucket, `${prefix}/events/${name}.json`),
    ),
  );
  if (started === undefined) return undefined;
  const final = ended ?? failed;
  const media = ((final ?? started).media ?? {}) as Json;
  const hls = media.hls as Json | undefined;
  const summary: RecordingSummary = {
    prefix,
    recordingId: prefix.slice(prefix.lastIndexOf('/') + 1),
    status: text(final?.recording_status) ?? text(started.recording_status) ?? 'RECORDING_STARTED',
    startedAt: text(started.recording_started_at) ?? '',
    renditions: renditionsOf(hls),
  };
  if (final !== undefined) summary.endedAt = text(final.recording_ended_at) ?? '';
  if (typeof hls?.duration_ms === 'number') summary.durationMs = hls.duration_ms;
  if (typeof final?.recording_status_message === 'string') summary.statusMessage = final.recording_status_message;
  if (hls !== undefined) summary.masterPlaylist = `${String(hls.path)}/${String(hls.playlist)}`;
  summary.thumbnail = await thumbnailOf(objects, bucket, prefix, media);
  return summary;
}

function renditionsOf(hls: Json | undefined): Rendition[] {
  const list = Array.isArray(hls?.renditions) ? (hls.renditions as Json[]) : [];
  return list.map((r) => ({
    path: String(r.path),
    width: Number(r.resolution_width) || 0,
    height: Number(r.resolution_height) || 0,
  }));
}

/** The latest thumbnail when stored, else the first of the sequential ones. */
async function thumbnailOf(objects: RecordingObjects, bucket: string, prefix: string, media: Json): Promise<string | undefined> {
  const latest = media.latest_thumbnail as Json | undefined;
  if (typeof latest?.path === 'string') return latest.path;
  const sequential = media.thumbnails as Json | undefined;
  if (typeof sequential?.path !== 'string') return undefined;
  const [folder] = await objects.listFolders(bucket, `${prefix}/${sequential.path}/`, 10);
  return folder === undefined ? undefined : `${sequential.path}/${folder}/thumb0.jpg`;
}
