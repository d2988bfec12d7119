// Thumbnails of a recording (thumbnailConfiguration INTERVAL): every targetIntervalSeconds of media, a JPEG
// of the source rendition's latest ~2 s piece, scaled down to `resolution` when that is smaller. ffmpeg
// runs in a child process (the capture function); while one capture runs, due captures are skipped, so
// thumbnails never hold up the media path.

import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';

/** JPEG of the first frame at `inputPath`, scaled to `height` (keeping the aspect) when given. */
export type CaptureFn = (inputPath: string, height: number | undefined) => Promise<Buffer>;

export interface ThumbnailPlan {
  intervalMs: number;
  sequential: boolean;
  latest: boolean;
  /** From `resolution`; undefined: the source's size. */
  maxHeight: number | undefined;
}

const RESOLUTION_HEIGHT: Record<string, number> = { LOWEST_RESOLUTION: 160, SD: 480, HD: 720, FULL_HD: 1080 };

/** The plan of a recording configuration's thumbnailConfiguration; undefined when DISABLED. */
export function thumbnailPlan(config: Record<string, unknown>): ThumbnailPlan | undefined {
  const t = (config.thumbnailConfiguration ?? {}) as Record<string, unknown>;
  if (t.recordingMode === 'DISABLED') return undefined;
  const storage = Array.isArray(t.storage) ? t.storage : ['SEQUENTIAL'];
  const seconds = typeof t.targetIntervalSeconds === 'number' ? t.targetIntervalSeconds : 60;
  return {
    intervalMs: seconds * 1000,
    sequential: storage.includes('SEQUENTIAL'),
    latest: storage.includes('LATEST'),
    maxHeight: typeof t.resolution === 'string' ? RESOLUTION_HEIGHT[t.resolution] : undefined,
  };
}

/** Size of thumbnails of a width x height source: scaled down to maxHeight, even width, never up. */
export function thumbnailSize(width: number, height: number, maxHeight: number | undefined): { width: number; height: number } {
  if (maxHeight === undefined || maxHeight >= height) return { width, height };
  return { width: Math.round((width * maxHeight) / height / 2) * 2, height: maxHeight };
}

export class ThumbnailTaker {
  private sinceMs = Number.POSITIVE_INFINITY;
  private busy = false;
  private stopped = false;
  next = 0;

  constructor(
    private readonly plan: ThumbnailPlan,
    private readonly height: number | undefined,
    private readonly capture: CaptureFn,
    private readonly dir: string,
    private readonly onImage: (jpeg: Buffer, n: number) => void,
    private readonly log: Logger,
  ) {}

  onPiece(bytes: Buffer, durationMs: number): void {
    if (this.stopped) return;
    this.sinceMs += durationMs;
    if (this.sinceMs < this.plan.intervalMs || this.busy) return;
    this.sinceMs = 0;
    this.busy = true;
    void this.take(bytes).finally(() => {
      this.busy = false;
    });
  }

  stop(): void {
    this.stopped = true;
  }

  private async take(bytes: Buffer): Promise<void> {
    const n = this.next++;
    const input = join(this.dir, `thumb-source-${n}.ts`);
    try {
      await writeFile(input, bytes);
      const jpeg = await this.capture(input, this.height);
      if (!this.stopped) this.onImage(jpeg, n);
    } catch (err) {
      this.log.warn({ error: (err as Error).message }, 'recording: thumbnail capture failed; skipped');
    } finally {
      await unlink(input).catch(() => undefined);
    }
  }
}
