// Recordings an earlier run left in the spool (kill -9, power loss, or a shutdown that could not upload
// everything): each journal is replayed, every media file cut back to its journaled length (bytes after
// the last synced journal entry belong to no listed piece), and the recording reopened so the recorder
// finishes it like any other: remaining uploads, final playlists, metadata file, Recording End.

import { readdir, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { readJournal } from './journal.js';
import { fileBytes } from './model.js';
import { Recording, type RecordingDeps } from './recording.js';

export interface Resumed {
  recording: Recording;
  endedAt: number;
  failure: string | undefined;
}

export async function resumeSpooled(deps: RecordingDeps): Promise<Resumed[]> {
  let names: string[];
  try {
    names = await readdir(deps.spoolRoot);
  } catch {
    return []; // no spool yet
  }
  const out: Resumed[] = [];
  for (const name of names) {
    const state = await readJournal(join(deps.spoolRoot, name, 'journal.ndjson')).catch(() => undefined);
    if (!state) {
      deps.log.warn({ spool: name }, 'recording: spool directory without a readable journal; left as is');
      continue;
    }
    const recording = await Recording.reopen(deps, state);
    let lost = 0;
    for (const r of state.renditions.values()) {
      for (const f of r.files) {
        if (state.uploaded.has(`${r.name}/${f.n}`)) continue;
        const path = recording.pathOf(r.name, f.n);
        const size = await stat(path).then(
          (s) => s.size,
          () => -1,
        );
        if (size < fileBytes(f)) {
          lost++;
          f.pieces = []; // not listed: only what is really there goes into the playlists
        } else if (size > fileBytes(f)) {
          await truncate(path, fileBytes(f));
        }
      }
    }
    const failure = state.end?.failure ?? (lost > 0 ? `${lost} spooled media file(s) were lost before upload` : undefined);
    if (!state.announced) await recording.announce([...state.renditions.values()]);
    deps.log.warn(
      { recordingId: state.meta.recordingId, prefix: state.meta.prefix },
      'recording: resuming a recording left unfinished by the previous run',
    );
    out.push({ recording, endedAt: state.end?.at ?? state.lastActivity, failure });
  }
  return out;
}
