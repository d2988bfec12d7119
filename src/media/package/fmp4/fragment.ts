// One movie fragment: `moof` (mfhd + one traf per track: tfhd with default-base-is-moof, tfdt version 1, trun with
// data offset and per-sample duration/size/flags, plus signed composition offsets for video) followed by its `mdat`.
// Box sizes depend only on sample counts, so the moof size — and with it every trun data_offset — is known before
// writing: the caller sizes one allocation for all of a cut's fragments (fragmentSize) and the sample payloads are
// copied into it once (writeFragment).

import { writeBoxHeader, writeFullBoxHeader, writeU64 } from './box.js';
import type { TrackRun } from './track-run.js';

const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;
const TRUN_DATA_OFFSET = 0x000001;
const TRUN_DURATION = 0x000100;
const TRUN_SIZE = 0x000200;
const TRUN_FLAGS = 0x000400;
const TRUN_CTO = 0x000800;

const MFHD_SIZE = 16;
const TFHD_SIZE = 16;
const TFDT_SIZE = 20;
const MDAT_HEADER = 8;

function trunSize(run: TrackRun): number {
  return 20 + run.samples.length * (run.withCto ? 16 : 12);
}

function trafSize(run: TrackRun): number {
  return 8 + TFHD_SIZE + TFDT_SIZE + trunSize(run);
}

/** Bytes of the moof + mdat that writeFragment makes of these runs. */
export function fragmentSize(runs: readonly TrackRun[]): number {
  const present = runs.filter((r) => r.samples.length > 0);
  if (present.length === 0) throw new Error('a fragment needs at least one sample');
  let size = 8 + MFHD_SIZE + MDAT_HEADER;
  for (const r of present) size += trafSize(r) + r.dataSize;
  return size;
}

/**
 * Writes moof + mdat for the runs (tracks with no samples are left out) into `out` at `at`; returns the offset after
 * it. `sequence` is the mfhd sequence_number. Several fragments (a part's CMAF chunks) can share one allocation.
 */
export function writeFragment(out: Buffer, at: number, sequence: number, runs: readonly TrackRun[]): number {
  const present = runs.filter((r) => r.samples.length > 0);
  if (present.length === 0) throw new Error('a fragment needs at least one sample');
  let moofSize = 8 + MFHD_SIZE;
  let mdatSize = MDAT_HEADER;
  for (const r of present) {
    moofSize += trafSize(r);
    mdatSize += r.dataSize;
  }
  if (moofSize + mdatSize > 0xffffffff) throw new RangeError('fragment larger than 4 GiB');
  const end = at + moofSize + mdatSize;
  if (end > out.length) throw new RangeError(`fragment: ${end - at} bytes do not fit at ${at} of ${out.length}`);
  let off = writeBoxHeader(out, at, moofSize, 'moof');
  off = writeFullBoxHeader(out, off, MFHD_SIZE, 'mfhd', 0, 0);
  off = out.writeUInt32BE(sequence >>> 0, off);
  let dataOffset = moofSize + MDAT_HEADER; // relative to the moof start (default-base-is-moof)
  for (const r of present) {
    off = writeTraf(out, off, r, dataOffset);
    dataOffset += r.dataSize;
  }
  off = writeBoxHeader(out, off, mdatSize, 'mdat');
  for (const r of present) {
    for (const d of r.data) off += d.copy(out, off);
  }
  if (off !== end) throw new Error(`fragment: wrote ${off - at} of ${end - at} bytes`);
  return off;
}

function writeTraf(out: Buffer, off: number, r: TrackRun, dataOffset: number): number {
  off = writeBoxHeader(out, off, trafSize(r), 'traf');
  off = writeFullBoxHeader(out, off, TFHD_SIZE, 'tfhd', 0, TFHD_DEFAULT_BASE_IS_MOOF);
  off = out.writeUInt32BE(r.trackId, off);
  off = writeFullBoxHeader(out, off, TFDT_SIZE, 'tfdt', 1, 0);
  off = writeU64(out, off, r.baseDecodeTime);
  const flags = TRUN_DATA_OFFSET | TRUN_DURATION | TRUN_SIZE | TRUN_FLAGS | (r.withCto ? TRUN_CTO : 0);
  off = writeFullBoxHeader(out, off, trunSize(r), 'trun', r.withCto ? 1 : 0, flags);
  off = out.writeUInt32BE(r.samples.length, off);
  off = out.writeInt32BE(dataOffset, off);
  for (const s of r.samples) {
    off = out.writeUInt32BE(s.duration >>> 0, off);
    off = out.writeUInt32BE(s.size, off);
    off = out.writeUInt32BE(s.flags >>> 0, off);
    if (r.withCto) off = out.writeInt32BE(s.cto, off); // trun version 1: signed
  }
  return off;
}
