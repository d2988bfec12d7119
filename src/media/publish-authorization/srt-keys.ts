// Keeps the SRT listener's key table (stream key → passphrase, read by libsrt's listen callback) in step with the
// store: a full load when the listener starts, every change the API reports through the IngestKeys port as soon as
// it has committed, and a periodic rescan as a backstop (a change made by another process on the same database, or
// a report lost to a crash between commit and announcement). Keys and passphrases are secrets: never logged.

import type { Logger } from 'pino';
import type { IngestKeys } from '../../domain/ports.js';
import type { SrtKeyFields } from '../../domain/srt.js';
import type { Store } from '../../storage/store.js';

/** What the sync writes to (SrtListener implements it). */
export interface SrtKeyTarget {
  setKey(streamKey: string, passphrase: string | null): void;
  deleteKey(streamKey: string): boolean;
  replaceKeys(entries: Iterable<readonly [string, string | null]>): void;
}

const PAGE = 500;
const DEFAULT_RESCAN_MS = 15_000;

export class SrtKeySync implements IngestKeys {
  private target: SrtKeyTarget | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Bumped by every incremental change: a rescan that raced one is thrown away and retried. */
  private changes = 0;
  private scanning: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly rescanMs = DEFAULT_RESCAN_MS,
  ) {}

  /** Loads every key into `target`, then keeps it current until stop(). */
  async attach(target: SrtKeyTarget): Promise<void> {
    this.target = target;
    await this.rescan();
    this.timer = setInterval(() => void this.rescan(), this.rescanMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.target = null;
  }

  keySet(streamKey: string, srtPassphrase: string | null): void {
    this.changes += 1;
    this.target?.setKey(streamKey, srtPassphrase);
  }

  keyDeleted(streamKey: string): void {
    this.changes += 1;
    this.target?.deleteKey(streamKey);
  }

  /** Reads every stream key of every account and makes the table exactly that. Never throws. */
  rescan(): Promise<void> {
    this.scanning ??= this.scan().finally(() => (this.scanning = null));
    return this.scanning;
  }

  private async scan(): Promise<void> {
    for (let attempt = 0; attempt < 3 && this.target; attempt++) {
      const before = this.changes;
      let entries: Array<[string, string | null]>;
      try {
        entries = await this.readAll();
      } catch (err) {
        this.log.error({ err }, 'SRT: could not read the stream keys; the key table keeps its last state');
        return;
      }
      if (this.changes !== before) continue; // an API change landed meanwhile: the snapshot may predate it
      this.target?.replaceKeys(entries);
      return;
    }
  }

  private async readAll(): Promise<Array<[string, string | null]>> {
    const entries: Array<[string, string | null]> = [];
    for (let after = 0; ;) {
      const rows = await this.store.resources.listAllScopes<SrtKeyFields>('stream-key', after, PAGE);
      for (const row of rows) if (row.lookup) entries.push([row.lookup, row.doc.srtPassphrase ?? null]);
      const last = rows[rows.length - 1];
      if (rows.length < PAGE || !last) return entries;
      after = last.seq;
    }
  }
}
