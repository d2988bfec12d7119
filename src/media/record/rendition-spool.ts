// Spools one recorded rendition to local disk: the live packager's ~2 s MPEG-TS segments (pieces, each
// starting with PAT/PMT and a keyframe) are appended to `<n>.ts` until it holds about 10 s, so recorded
// segments are cut on keyframes for free and the pieces' offsets are the byte-range playlist. Each piece
// is synced and journaled before the next; a closed file is handed to the upload queue, with the pieces' bytes it
// holds (the live window's own buffers, so no copy) for an upload that need not read the spool back. Writes run in
// order on a promise chain, off the media path.

import { mkdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { openDurable } from './durable-file.js';
import type { Journal } from './journal.js';
import type { RecordedFile, RecordedRendition } from './model.js';

/** Files are closed once they hold this much media (five 2 s pieces make ~10 s). */
export const FILE_TARGET_MS = 9_000;

export interface PieceInput {
  bytes: Buffer;
  durationMs: number;
  /** The live playlist marks a discontinuity here (or the recording continues after a reconnect). */
  discontinuity: boolean;
  /** Ad-break tags the live playlist carries before this segment (ad-markers.ts), kept for the recorded playlists. */
  cues?: string[];
}

export class RenditionSpool {
  private chain: Promise<void> = Promise.resolve();
  private handle: FileHandle | undefined;
  private current: RecordedFile | undefined;
  private offset = 0;
  /** The open file's pieces as written: its bytes are exactly their concatenation. */
  private bytes: Buffer[] = [];
  private nextN: number;
  private pendingDiscontinuity = false;
  private dirMade = false;
  failed: Error | undefined;

  constructor(
    readonly rendition: RecordedRendition,
    private readonly dir: string,
    private readonly journal: Journal,
    /** Called (in order) with each closed file, its spool path and its bytes (the pieces written to it). */
    private readonly onClosed: (file: RecordedFile, path: string, bytes: readonly Buffer[]) => void,
    private readonly now: () => number = Date.now,
  ) {
    const last = rendition.files[rendition.files.length - 1];
    this.nextN = last ? last.n + 1 : 0;
  }

  pathOf(n: number): string {
    return join(this.dir, `${n}.ts`);
  }

  /** The next piece starts a new file with EXT-X-DISCONTINUITY (a reconnect continues the recording). */
  markDiscontinuity(): void {
    this.pendingDiscontinuity = true;
  }

  append(piece: PieceInput): Promise<void> {
    return this.enqueue(() => this.write(piece));
  }

  /** Closes the open file (end of a broadcast); the next piece opens a new one. */
  close(): Promise<void> {
    return this.enqueue(() => this.closeFile());
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(async () => {
      if (this.failed) return;
      try {
        await step();
      } catch (err) {
        this.failed = err as Error;
      }
    });
    this.chain = next;
    return next;
  }

  private async write(piece: PieceInput): Promise<void> {
    const disc = piece.discontinuity || this.pendingDiscontinuity;
    if (this.current && disc) await this.closeFile();
    if (!this.current) {
      this.pendingDiscontinuity = false;
      if (!this.dirMade) await mkdir(this.dir, { recursive: true });
      this.dirMade = true;
      const n = this.nextN++;
      this.handle = await openDurable(this.pathOf(n), 'truncate');
      this.offset = 0;
      this.bytes = [];
      this.current = { n, discontinuity: disc && this.rendition.files.length > 0, pieces: [] };
      this.rendition.files.push(this.current);
    }
    const file = this.current;
    // Durable on return (O_DSYNC), before the journal names it. A short write (a full disk) fails the spool: the
    // offsets after it would be wrong.
    const { bytesWritten } = await this.handle!.write(piece.bytes);
    if (bytesWritten !== piece.bytes.length)
      throw new Error(`short write to the spool (${bytesWritten} of ${piece.bytes.length} bytes)`);
    await this.journal.append({
      t: 'piece',
      r: this.rendition.name,
      n: file.n,
      off: this.offset,
      len: piece.bytes.length,
      ms: piece.durationMs,
      disc: file.pieces.length === 0 && file.discontinuity,
      at: this.now(),
      ...(piece.cues?.length ? { cues: piece.cues } : {}),
    });
    file.pieces.push({
      offset: this.offset,
      length: piece.bytes.length,
      durationMs: piece.durationMs,
      ...(piece.cues?.length ? { cues: piece.cues } : {}),
    });
    this.offset += piece.bytes.length;
    this.bytes.push(piece.bytes);
    if (file.pieces.reduce((s, p) => s + p.durationMs, 0) >= FILE_TARGET_MS) await this.closeFile();
  }

  private async closeFile(): Promise<void> {
    const file = this.current;
    if (!file) return;
    this.current = undefined;
    await this.handle?.close();
    this.handle = undefined;
    const bytes = this.bytes;
    this.bytes = [];
    this.onClosed(file, this.pathOf(file.n), bytes);
  }
}
