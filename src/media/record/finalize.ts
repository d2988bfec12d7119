// How a recording is completed, the same way after a clean end and after a crash: every spooled file
// not yet uploaded goes up first, then the final (VOD) playlists, then the multivariant playlists, and
// last events/recording-ended.json (or recording-failed.json) — all on the recording's FIFO queue, so
// nothing final is stored before what it lists.

import { unlink } from 'node:fs/promises';
import { recordingEndedJson, type RecordingFacts, type RecordingOutcome } from './metadata-files.js';
import { recordedByteRangePlaylist, recordedMediaPlaylist, recordedMultivariant } from './recorded-playlists.js';
import type { Journal, RecordingState } from './journal.js';
import type { RecordingKeys } from './layout.js';
import { renditionDurationMs, type RecordedFile, type RecordedRendition } from './model.js';
import type { UploadItem, UploadQueue } from './upload-queue.js';

export const TS_TYPE = 'video/MP2T';
export const M3U8_TYPE = 'application/x-mpegURL';
export const JSON_TYPE = 'application/json';

/** The upload of one spooled media file; once stored it is journaled and removed from the spool. */
export function mediaItem(
  keys: RecordingKeys,
  journal: Journal,
  rendition: string,
  file: RecordedFile,
  path: string,
  uploaded: Set<string>,
): UploadItem {
  return {
    key: keys.segment(rendition, file.n),
    file: path,
    contentType: TS_TYPE,
    onStored: async () => {
      uploaded.add(`${rendition}/${file.n}`);
      await journal.append({ t: 'up', r: rendition, n: file.n });
      await unlink(path).catch(() => undefined);
    },
  };
}

/** Renditions that recorded anything, with only their non-empty files. */
export function recordedRenditions(state: RecordingState): RecordedRendition[] {
  return [...state.renditions.values()]
    .map((r) => ({ ...r, files: r.files.filter((f) => f.pieces.length > 0) }))
    .filter((r) => r.files.length > 0);
}

export function recordingFacts(state: RecordingState, renditions: readonly RecordedRendition[]): RecordingFacts {
  const { meta } = state;
  return {
    channelArn: meta.channelArn,
    startedAt: new Date(meta.startedAt),
    renditions,
    thumbnails: meta.thumbnails,
    latestThumbnail: meta.latestThumbnail,
  };
}

/** Stored duration: the longest rendition's media; wall clock when no video is recorded (NONE). */
export function recordedDurationMs(state: RecordingState, endedAt: number): number {
  const renditions = recordedRenditions(state);
  if (renditions.length === 0) return Math.max(0, endedAt - Date.parse(state.meta.startedAt));
  return Math.max(...renditions.map(renditionDurationMs));
}

export interface FinalContext {
  state: RecordingState;
  keys: RecordingKeys;
  queue: UploadQueue;
  journal: Journal;
  /** Spool path of a media file. */
  pathOf: (rendition: string, n: number) => string;
  /** `<rendition>/<n>` of files already on the queue (closed during the broadcast). */
  queued: ReadonlySet<string>;
}

/** Queues the rest of the recording and its final files; returns the outcome written to the metadata file. */
export function queueFinalFiles(ctx: FinalContext, endedAt: number, failure?: string): RecordingOutcome {
  const { state, keys, queue } = ctx;
  const renditions = recordedRenditions(state);
  for (const r of renditions) {
    for (const f of r.files) {
      const id = `${r.name}/${f.n}`;
      if (!state.uploaded.has(id) && !ctx.queued.has(id))
        queue.push(mediaItem(keys, ctx.journal, r.name, f, ctx.pathOf(r.name, f.n), state.uploaded));
    }
  }
  for (const r of renditions) {
    queue.push({ key: keys.playlist(r.name), contentType: M3U8_TYPE, body: recordedMediaPlaylist(r.files, true) });
    queue.push({ key: keys.byteRangeVariant(r.name), contentType: M3U8_TYPE, body: recordedByteRangePlaylist(r.files, true) });
  }
  if (renditions.length > 0) {
    queue.push({ key: keys.master(), contentType: M3U8_TYPE, body: recordedMultivariant(renditions, false) });
    queue.push({ key: keys.byteRangeMultivariant(), contentType: M3U8_TYPE, body: recordedMultivariant(renditions, true) });
  }
  const outcome: RecordingOutcome = { endedAt: new Date(endedAt), durationMs: recordedDurationMs(state, endedAt), failure };
  const json = JSON.stringify(recordingEndedJson(recordingFacts(state, renditions), outcome));
  queue.push({ key: keys.event(failure ? 'recording-failed' : 'recording-ended'), contentType: JSON_TYPE, body: json });
  return outcome;
}
