// The recording's journal: an append-only NDJSON file in its spool directory, each entry durable once written (O_DSYNC),
// from which a restarted openivs rebuilds what was recorded, what is already uploaded and whether the
// recording had ended. A crash can tear at most the last line, which replay ignores (its piece's bytes
// are then beyond the journaled length and are dropped).

import { readFile, type FileHandle } from 'node:fs/promises';
import { openDurable } from './durable-file.js';
import type { RecordedRendition, RenditionInfo } from './model.js';

/** What a recording needs to be finished by anyone, written once at its start. */
export interface RecordingMeta {
  recordingId: string;
  bucket: string;
  prefix: string;
  account: string;
  region: string;
  channelArn: string;
  channelId: string;
  channelName: string;
  configArn: string;
  startedAt: string;
  thumbnails?: { width: number; height: number };
  latestThumbnail?: { width: number; height: number };
}

export type JournalEntry =
  | { t: 'start'; meta: RecordingMeta }
  | { t: 'stream'; id: string }
  | { t: 'rendition'; info: RenditionInfo }
  | { t: 'thumbs'; thumbnails?: { width: number; height: number }; latest?: { width: number; height: number } }
  | { t: 'piece'; r: string; n: number; off: number; len: number; ms: number; disc: boolean; at: number; cues?: string[] }
  | { t: 'up'; r: string; n: number }
  | { t: 'started' }
  | { t: 'end'; at: number; failure?: string };

export interface RecordingState {
  meta: RecordingMeta;
  streamIds: string[];
  renditions: Map<string, RecordedRendition>;
  /** `<rendition>/<n>` of media files already uploaded (and removed from the spool). */
  uploaded: Set<string>;
  /** recording-started.json was stored and Recording Start emitted. */
  announced: boolean;
  lastActivity: number;
  end?: { at: number; failure?: string };
}

export class Journal {
  private chain: Promise<void> = Promise.resolve();

  private constructor(private readonly handle: FileHandle) {}

  static async open(path: string): Promise<Journal> {
    return new Journal(await openDurable(path, 'append'));
  }

  /** Appends durably (O_DSYNC); entries are written in call order. Rejects when the disk refuses. */
  append(entry: JournalEntry): Promise<void> {
    const line = JSON.stringify(entry) + '\n';
    const next = this.chain.then(async () => {
      await this.handle.write(line);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.handle.close();
  }
}

export async function readJournal(path: string): Promise<RecordingState | undefined> {
  const text = await readFile(path, 'utf8');
  const entries: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      break; // a torn last line
    }
  }
  return replay(entries);
}

/** Folds journal entries into the recording's state; undefined without a start entry. Pure. */
export function replay(entries: readonly JournalEntry[]): RecordingState | undefined {
  const first = entries[0];
  if (!first || first.t !== 'start') return undefined;
  const state: RecordingState = {
    meta: first.meta,
    streamIds: [],
    renditions: new Map(),
    uploaded: new Set(),
    announced: false,
    lastActivity: Date.parse(first.meta.startedAt),
  };
  for (const e of entries.slice(1)) {
    switch (e.t) {
      case 'stream':
        state.streamIds.push(e.id);
        break;
      case 'rendition':
        if (!state.renditions.has(e.info.name)) state.renditions.set(e.info.name, { ...e.info, files: [] });
        break;
      case 'thumbs':
        state.meta = { ...state.meta, thumbnails: e.thumbnails, latestThumbnail: e.latest };
        break;
      case 'piece':
        addPiece(state, e);
        break;
      case 'up':
        state.uploaded.add(`${e.r}/${e.n}`);
        break;
      case 'started':
        state.announced = true;
        break;
      case 'end':
        state.end = { at: e.at, failure: e.failure };
        break;
      default:
        break;
    }
  }
  return state;
}

function addPiece(state: RecordingState, e: Extract<JournalEntry, { t: 'piece' }>): void {
  const r = state.renditions.get(e.r);
  if (!r) return;
  let file = r.files[r.files.length - 1];
  if (!file || file.n !== e.n) {
    file = { n: e.n, discontinuity: e.disc, pieces: [] };
    r.files.push(file);
  }
  file.pieces.push({ offset: e.off, length: e.len, durationMs: e.ms, ...(e.cues ? { cues: e.cues } : {}) });
  state.lastActivity = Math.max(state.lastActivity, e.at + e.ms);
}
