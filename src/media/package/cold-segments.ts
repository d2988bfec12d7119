// Segments behind the live edge, in files instead of memory. A rendition's window keeps ~16 s of media (6 listed
// segments + 2 retained, RFC 8216 6.2.2), ~5.4 MB at 2.7 Mbit/s, yet players fetch almost only the newest segments
// and parts: a player joining loads one or two older segments once, a player at the live edge never does. So the
// segmenter keeps the newest `hot` segments in memory and writes each older one to a file here, serving it from the
// file afterwards (the page cache keeps it warm; its pages are not the process's RSS), like nginx-rtmp's HLS.
//
// Layout: <dataDir>/live-segments/<n>/<sequence>.<ext>, one directory per segmenter (n counts up in this process, so
// a restarted transcoder or a takeover can never collide with an earlier writer). The files are a cache of what is
// in memory at write time: nothing reads them across a restart, so the whole root is removed when the server starts
// (a kill -9 leaves no state to reconcile), a file is removed when its segment leaves the window, and a segmenter's
// directory when its stream is dropped.

import { mkdirSync, rmSync } from 'node:fs';
import { mkdir, open, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileRange } from './types.js';

/** The root directory of every rendition's cold segments; construct one per process, at startup. */
export class ColdSegmentFiles {
  private next = 0;

  /** Empties `root` (what a previous run left, killed or not) and creates it. */
  constructor(
    readonly root: string,
    /** Segments kept in memory per rendition: the newest ones, whose parts the LL-HLS playlist lists. */
    readonly hot = 2,
  ) {
    if (!(hot >= 1)) throw new RangeError(`hot must be at least 1: ${hot}`);
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
  }

  /** A directory for one segmenter's files (created on its first write). */
  rendition(): ColdRendition {
    return new ColdRendition(join(this.root, String(++this.next)), this.hot);
  }
}

/** One segmenter's cold files. Failures are not fatal: a segment that could not be written stays in memory. */
export class ColdRendition {
  private made: Promise<unknown> | undefined;
  private released = false;
  /** Writes in flight, so release() can wait for them before removing the directory. */
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    readonly dir: string,
    readonly hot: number,
  ) {}

  /** Writes a segment's bytes to `<sequence>.<extension>`; resolves to where they are, or undefined on failure. */
  async write(sequence: number, extension: string, bytes: Buffer): Promise<FileRange | undefined> {
    if (this.released) return undefined;
    const path = join(this.dir, `${sequence}.${extension}`);
    const done = (async () => {
      this.made ??= mkdir(this.dir, { recursive: true });
      await this.made;
      await writeFile(path, bytes);
    })();
    this.pending.add(done);
    try {
      await done;
    } catch {
      this.made = undefined; // e.g. the directory was removed underneath: try creating it again next time
      await unlink(path).catch(() => undefined);
      return undefined;
    } finally {
      this.pending.delete(done);
    }
    if (this.released) {
      await unlink(path).catch(() => undefined);
      return undefined;
    }
    return { path, offset: 0, length: bytes.length };
  }

  /** Removes a segment's file (it left the window). */
  remove(range: FileRange): void {
    void unlink(range.path).catch(() => undefined);
  }

  /** Removes the directory once writes in flight settle; later writes are refused. */
  release(): void {
    if (this.released) return;
    this.released = true;
    void Promise.allSettled([...this.pending]).then(() => rm(this.dir, { recursive: true, force: true }).catch(() => undefined));
  }
}

/**
 * Reads a file range fully, or undefined when the file is gone (its segment left the window meanwhile) or shorter
 * than recorded. The file is opened once, so a removal after open does not cut the read short.
 */
export async function readFileRange(range: FileRange): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await open(range.path, 'r');
  } catch {
    return undefined;
  }
  try {
    const out = Buffer.allocUnsafe(range.length);
    let got = 0;
    while (got < range.length) {
      const { bytesRead } = await handle.read(out, got, range.length - got, range.offset + got);
      if (bytesRead === 0) return undefined;
      got += bytesRead;
    }
    return out;
  } catch {
    return undefined;
  } finally {
    await handle.close().catch(() => undefined);
  }
}
