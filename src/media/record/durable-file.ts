// Spool files whose writes are durable when they return: opened with O_DSYNC, so each write reaches the disk (data
// and the metadata needed to read it back) before its promise resolves. That is the guarantee write + fdatasync gave,
// in one threadpool round trip instead of two; per recorded piece the spool and its journal each made both calls,
// and the round trips' callbacks and promise continuations were a visible part of recording's main-thread cost.

import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

const { O_WRONLY, O_CREAT, O_TRUNC, O_APPEND, O_DSYNC } = constants;

/** `append`: the journal (created if missing, writes go to its end); `truncate`: a new spool file. */
export function openDurable(path: string, mode: 'append' | 'truncate'): Promise<FileHandle> {
  const flags = O_WRONLY | O_CREAT | O_DSYNC | (mode === 'append' ? O_APPEND : O_TRUNC);
  return open(path, flags, 0o644);
}
