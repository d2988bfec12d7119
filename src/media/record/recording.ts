// One recording while it is being made: its spool directory and journal, a RenditionSpool per recorded
// rendition fed by the live packager's segments, the upload queue (media files as they close, growing
// EVENT playlists after them), thumbnails, and the end: final files then the Recording End event. A
// recording can span several broadcasts of its channel (reconnect window): attach() again continues it.

import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { HlsSegmenter } from '../package/segmenter.js';
import type { Segment } from '../package/types.js';
import { adMarkerLines } from '../package/ad-markers.js';
import type { RecordingDestination } from './destination.js';
import { JSON_TYPE, M3U8_TYPE, mediaItem, queueFinalFiles, recordedRenditions } from './finalize.js';
import { Journal, type RecordingMeta, type RecordingState } from './journal.js';
import { RecordingKeys } from './layout.js';
import { recordingStartedJson } from './metadata-files.js';
import type { RecordedFile, RenditionInfo } from './model.js';
import { recordedByteRangePlaylist, recordedMediaPlaylist, recordedMultivariant } from './recorded-playlists.js';
import type { RecordingEvents } from './recording-events.js';
import { RenditionSpool } from './rendition-spool.js';
import type { Candidate } from './selection.js';
import { ThumbnailTaker, type CaptureFn, type ThumbnailPlan } from './thumbnails.js';
import { UploadQueue, type BackoffOptions } from './upload-queue.js';

/**
 * Growing playlists are stored with the first file, then with every third (~30 s of media): two playlist PUTs after
 * every ~10 s file were two thirds of a recording's requests. IVS asks that a recording be read only after Recording
 * End, when the final playlists list everything; until then the stored ones are at most ~30 s behind.
 */
const PLAYLIST_EVERY_FILES = 3;

export interface RecordingDeps {
  destination: RecordingDestination;
  spoolRoot: string;
  events: RecordingEvents;
  log: Logger;
  capture?: CaptureFn;
  backoff?: BackoffOptions;
  /** Every failed upload attempt (metrics). */
  onUploadFailure?: () => void;
}

/** A live rendition to record: where its segments come from and what it is called. */
export interface RecordedSource extends Candidate {
  segmenter: HlsSegmenter;
}

export interface ThumbnailSource {
  segmenter: HlsSegmenter;
  plan: ThumbnailPlan;
  /** Folder name, e.g. `720p30`, and the capture height (undefined: the source's). */
  folder: string;
  height: number | undefined;
}

export class Recording {
  readonly keys: RecordingKeys;
  readonly queue: UploadQueue;
  readonly dir: string;
  private readonly spools = new Map<string, RenditionSpool>();
  private readonly closed = new Map<string, RecordedFile[]>();
  private readonly queued = new Set<string>();
  private detachers: (() => void)[] = [];
  private thumbs: ThumbnailTaker | undefined;
  private nextThumb = 0;
  /** Media identity (codec, resolution) a reconnecting broadcast must match to continue this recording. */
  signature = '';
  /** Waiting for a reconnect since this time (ms), with the timer that ends the recording. */
  lingerTimer: NodeJS.Timeout | undefined;
  /** When its last broadcast ended (ms), for recording_ended_at when the recording ends later. */
  endedAt: number | undefined;
  finished: Promise<void> | undefined;

  private constructor(
    private readonly deps: RecordingDeps,
    readonly state: RecordingState,
    private readonly journal: Journal,
  ) {
    this.keys = new RecordingKeys(state.meta.prefix);
    this.dir = join(deps.spoolRoot, state.meta.recordingId);
    this.queue = new UploadQueue(deps.destination, state.meta.bucket, deps.log, deps.backoff, deps.onUploadFailure);
  }

  static async create(deps: RecordingDeps, meta: RecordingMeta): Promise<Recording> {
    const dir = join(deps.spoolRoot, meta.recordingId);
    await mkdir(dir, { recursive: true });
    const journal = await Journal.open(join(dir, 'journal.ndjson'));
    await journal.append({ t: 'start', meta });
    const state: RecordingState = {
      meta,
      streamIds: [],
      renditions: new Map(),
      uploaded: new Set(),
      announced: false,
      lastActivity: Date.now(),
    };
    return new Recording(deps, state, journal);
  }

  get meta(): RecordingMeta {
    return this.state.meta;
  }

  pathOf(rendition: string, n: number): string {
    return join(this.dir, rendition, `${n}.ts`);
  }

  /** Starts (or, after a reconnect, continues) recording a broadcast's renditions. */
  async attach(
    streamId: string,
    sources: readonly RecordedSource[],
    thumb: ThumbnailSource | undefined,
    release?: () => void,
  ): Promise<void> {
    this.state.streamIds.push(streamId);
    if (release) this.detachers.push(release);
    void this.journal.append({ t: 'stream', id: streamId }).catch((err) => this.spoolFailed(err as Error));
    for (const spool of this.spools.values()) spool.markDiscontinuity();
    for (const source of sources) {
      const listener = (segment: Segment) => this.onSegment(source, segment);
      source.segmenter.on('segment', listener);
      this.detachers.push(() => source.segmenter.off('segment', listener));
    }
    if (thumb) this.attachThumbnails(thumb);
  }

  /** recording-started.json first in the queue; the Recording Start event once the bucket has been probed. */
  async announce(planned: readonly RenditionInfo[]): Promise<void> {
    const facts = {
      channelArn: this.meta.channelArn,
      startedAt: new Date(this.meta.startedAt),
      renditions: planned,
      thumbnails: this.meta.thumbnails,
      latestThumbnail: this.meta.latestThumbnail,
    };
    this.queue.push({
      key: this.keys.event('recording-started'),
      contentType: JSON_TYPE,
      body: JSON.stringify(recordingStartedJson(facts)),
    });
    await this.deps.events.emit(this.meta, 'Recording Start', { streamId: this.lastStreamId, streamIds: this.state.streamIds });
    await this.journal.append({ t: 'started' }).catch(() => undefined);
  }

  get lastStreamId(): string {
    return this.state.streamIds[this.state.streamIds.length - 1] ?? '';
  }

  /** The broadcast ended: stop listening and close the open files (they go on the queue). */
  async detach(): Promise<void> {
    for (const d of this.detachers) d();
    this.detachers = [];
    this.thumbs?.stop();
    this.thumbs = undefined;
    await Promise.all([...this.spools.values()].map((s) => s.close()));
  }

  /** Continues a recording found in the spool after a restart (its journal replayed), to finish it. */
  static async reopen(deps: RecordingDeps, state: RecordingState): Promise<Recording> {
    const journal = await Journal.open(join(deps.spoolRoot, state.meta.recordingId, 'journal.ndjson'));
    return new Recording(deps, state, journal);
  }

  /**
   * Final files, then Recording End (or End Failure); the spool is removed once everything is stored.
   * `endedAt` defaults to now; a failure (or a spool write error) makes it recording-failed.json.
   */
  finish(endedAt?: number, failure?: string): Promise<void> {
    this.finished ??= this.complete(endedAt ?? Date.now(), failure);
    return this.finished;
  }

  /** Drops a recording that may not start (bucket unusable): nothing of it is kept. */
  async abandon(): Promise<void> {
    await this.detach();
    this.queue.stop();
    await this.journal.close().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  private async complete(endedAt: number, given: string | undefined): Promise<void> {
    await this.detach();
    const failed = [...this.spools.values()].find((s) => s.failed)?.failed;
    const failure = given ?? (failed ? `Recording could not be written to the spool: ${failed.message}` : undefined);
    await this.journal.append({ t: 'end', at: endedAt, failure }).catch(() => undefined);
    const outcome = queueFinalFiles(
      {
        state: this.state,
        keys: this.keys,
        queue: this.queue,
        journal: this.journal,
        pathOf: (r, n) => this.pathOf(r, n),
        queued: this.queued,
      },
      endedAt,
      failure,
    );
    await this.queue.idle();
    if (this.queue.pending > 0) return; // stopped before done: the next start completes it from the spool
    await this.deps.events.emit(this.meta, failure ? 'Recording End Failure' : 'Recording End', {
      streamId: this.lastStreamId,
      streamIds: this.state.streamIds,
      durationMs: outcome.durationMs,
      reason: failure,
    });
    await this.journal.close().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  private onSegment(source: RecordedSource, segment: Segment): void {
    let spool = this.spools.get(source.name);
    if (!spool) {
      const tracks = source.segmenter.currentTracks;
      const info: RenditionInfo = {
        name: source.name,
        width: tracks.video?.width ?? source.width,
        height: tracks.video?.height ?? source.height,
        frameRate: source.frameRate,
        codecs: [tracks.video?.codecString, tracks.audio?.codecString].filter(Boolean).join(','),
      };
      const rendition = { ...info, files: [] };
      this.state.renditions.set(info.name, rendition);
      void this.journal.append({ t: 'rendition', info }).catch((err) => this.spoolFailed(err as Error));
      spool = new RenditionSpool(rendition, join(this.dir, info.name), this.journal, (file, path, bytes) =>
        this.onFileClosed(info.name, file, path, bytes),
      );
      this.spools.set(info.name, spool);
    }
    const cues = adCuesOf(source.segmenter, segment);
    void spool.append({ bytes: segment.bytes, durationMs: segment.durationMs, discontinuity: segment.discontinuity, cues });
  }

  /**
   * A closed file goes up; after the first file and then every PLAYLIST_EVERY_FILES-th, the rendition's growing EVENT
   * playlists follow it (and the multivariant ones after the first).
   */
  private onFileClosed(rendition: string, file: RecordedFile, path: string, bytes: readonly Buffer[]): void {
    const list = this.closed.get(rendition) ?? [];
    list.push(file);
    this.closed.set(rendition, list);
    this.queued.add(`${rendition}/${file.n}`);
    this.queue.push({ ...mediaItem(this.keys, this.journal, rendition, file, path, this.state.uploaded), fileBytes: bytes });
    if (list.length !== 1 && list.length % PLAYLIST_EVERY_FILES !== 0) return;
    const files = list.slice();
    this.queue.push({ key: this.keys.playlist(rendition), contentType: M3U8_TYPE, body: recordedMediaPlaylist(files, false) });
    this.queue.push({
      key: this.keys.byteRangeVariant(rendition),
      contentType: M3U8_TYPE,
      body: recordedByteRangePlaylist(files, false),
    });
    if (list.length === 1) {
      const body = (byteRange: boolean) => () => recordedMultivariant(recordedRenditions(this.state), byteRange);
      this.queue.push({ key: this.keys.master(), contentType: M3U8_TYPE, body: body(false) });
      this.queue.push({ key: this.keys.byteRangeMultivariant(), contentType: M3U8_TYPE, body: body(true) });
    }
  }

  private attachThumbnails(thumb: ThumbnailSource): void {
    if (!this.deps.capture) return;
    const taker = new ThumbnailTaker(
      thumb.plan,
      thumb.height,
      this.deps.capture,
      this.dir,
      (jpeg, n) => {
        if (thumb.plan.sequential)
          this.queue.push({ key: this.keys.thumbnail(thumb.folder, n), contentType: 'image/jpeg', body: jpeg });
        if (thumb.plan.latest) this.queue.push({ key: this.keys.latestThumbnail(), contentType: 'image/jpeg', body: jpeg });
      },
      this.deps.log,
    );
    taker.next = this.nextThumb;
    const listener = (segment: Segment) => {
      taker.onPiece(segment.bytes, segment.durationMs);
      this.nextThumb = taker.next;
    };
    thumb.segmenter.on('segment', listener);
    this.detachers.push(() => thumb.segmenter.off('segment', listener));
    this.thumbs = taker;
  }

  private spoolFailed(err: Error): void {
    this.deps.log.error({ err, recordingId: this.meta.recordingId }, 'recording: spool write failed');
  }
}

/** The ad-break tags the live playlist puts before `segment` (none when no break was inserted). */
function adCuesOf(segmenter: HlsSegmenter, segment: Segment): string[] {
  const state = segmenter.playlistState();
  if (!state.adBreaks) return [];
  const index = state.segments.findIndex((s) => s.sequence === segment.sequence);
  // -1: a recording lists every segment, so a running break is never restated at the top of a window.
  const lines = index < 0 ? [] : adMarkerLines(state.adBreaks, state.segments, index, -1);
  // A playlist with EXT-X-DATERANGE needs EXT-X-PROGRAM-DATE-TIME (RFC 8216 4.3.2.7): the piece's own.
  return lines.length === 0 ? [] : [...lines, `#EXT-X-PROGRAM-DATE-TIME:${segment.programDateTime.toISOString()}`];
}
