// The upload queue of one recording: strictly FIFO (a playlist is only stored after every segment it
// lists), each item retried with capped exponential backoff for as long as the server runs, so an S3
// outage delays a recording but loses nothing. What is not uploaded when the server stops is still in
// the spool and its journal, and is uploaded on the next start.

import type { Logger } from 'pino';
import type { RecordingDestination } from './destination.js';

export interface UploadItem {
  key: string;
  contentType: string;
  /** A spooled file (media), streamed; or a body made when the item's turn comes (playlists, JSON, images). */
  file?: string;
  /**
   * The spooled file's bytes, still in memory (the live window's buffers): sent instead of reading the spool back.
   * Dropped after a failed attempt, and not kept beyond MAX_IN_MEMORY_FILES waiting items, so an outage holds no
   * media in memory; the spool has it.
   */
  fileBytes?: readonly Buffer[];
  body?: Buffer | string | (() => Buffer | string);
  /** After a successful store (e.g. journal the upload and free the spool file); a failure here is logged only. */
  onStored?: () => Promise<void>;
}

/** Waiting media items that may keep their bytes in memory: a STANDARD recording closes up to 4 files at once. */
const MAX_IN_MEMORY_FILES = 4;

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export class UploadQueue {
  private readonly items: UploadItem[] = [];
  private running = false;
  private stopped = false;
  private wakeSleep: (() => void) | undefined;
  private idleWaiters: (() => void)[] = [];
  /** Consecutive failures of the item at the head (0 while things work). */
  failures = 0;

  constructor(
    private readonly destination: RecordingDestination,
    private readonly bucket: string,
    private readonly log: Logger,
    private readonly backoff: BackoffOptions = { baseMs: 250, maxMs: 8_000 },
    /** Told of every failed attempt (the metrics' upload failure counter). */
    private readonly onFailure?: () => void,
  ) {}

  get pending(): number {
    return this.items.length;
  }

  push(item: UploadItem): void {
    if (this.stopped) return;
    this.dropSuperseded(item);
    if (item.fileBytes && this.items.filter((i) => i.fileBytes).length >= MAX_IN_MEMORY_FILES) delete item.fileBytes;
    this.items.push(item);
    if (!this.running) void this.run();
  }

  /**
   * A growing playlist (or the latest thumbnail) pushed again while an older version still waits makes that one
   * pointless: during a long outage the queue would otherwise replay every stale version. The new one goes to the
   * end, after every segment it lists. The head may be in flight and stays.
   */
  private dropSuperseded(item: UploadItem): void {
    if (item.file !== undefined || item.onStored) return;
    for (let i = this.items.length - 1; i >= 1; i--) {
      const queued = this.items[i]!;
      if (queued.key === item.key && queued.file === undefined && !queued.onStored) this.items.splice(i, 1);
    }
  }

  /** Resolves once every item pushed so far is stored (or the queue is stopped). */
  idle(): Promise<void> {
    if (this.items.length === 0 && !this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops retrying; unfinished items stay in the spool for the next start. */
  stop(): void {
    this.stopped = true;
    this.wakeSleep?.();
  }

  private async run(): Promise<void> {
    this.running = true;
    while (this.items.length > 0 && !this.stopped) {
      const item = this.items[0]!;
      if (await this.attempt(item)) {
        this.items.shift();
        this.failures = 0;
        try {
          await item.onStored?.();
        } catch (err) {
          this.log.warn({ err, key: item.key }, 'recording: bookkeeping after an upload failed');
        }
      } else {
        this.failures++;
        await this.sleep(Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** Math.min(this.failures - 1, 16)));
      }
    }
    this.running = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async attempt(item: UploadItem): Promise<boolean> {
    try {
      if (item.file !== undefined) {
        await this.destination.putFile(this.bucket, item.key, item.file, item.contentType, item.fileBytes);
      } else {
        const body = typeof item.body === 'function' ? item.body() : (item.body ?? '');
        await this.destination.putObject(this.bucket, item.key, body, item.contentType);
      }
      return true;
    } catch (err) {
      delete item.fileBytes;
      this.onFailure?.();
      const level = this.failures === 0 || this.failures % 10 === 0 ? 'warn' : 'debug';
      this.log[level](
        { key: item.key, attempt: this.failures + 1, error: (err as Error).message },
        'recording: upload failed, will retry',
      );
      return false;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleep = done;
    });
  }
}
