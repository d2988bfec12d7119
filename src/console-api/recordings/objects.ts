// Reading recordings back from where the recorder wrote them (the reverse of media/record's RecordingDestination):
// list the "folders" of a prefix, read a small object, open an object (or a byte range of it) as a stream. Two
// implementations, local disk and S3, chosen like the destination (recordings.ts).

import type { Readable } from 'node:stream';

export interface OpenedObject {
  /** The whole object's size in bytes. */
  size: number;
  /** The bytes served, inclusive (the whole object unless a range was asked). */
  start: number;
  end: number;
  body: Readable;
}

/** A satisfiable byte range (inclusive bounds), already checked against the object's size. */
export interface ByteRange {
  start: number;
  end: number;
}

export class RangeNotSatisfiable extends Error {
  constructor(readonly size: number) {
    super('range not satisfiable');
  }
}

export interface RecordingObjects {
  readonly kind: 'local' | 's3';
  /** Names of the folders directly under `prefix` (which ends with '/'), at most `limit`. */
  listFolders(bucket: string, prefix: string, limit: number): Promise<string[]>;
  /** An object's bytes when it exists and holds at most maxBytes; undefined otherwise. */
  readSmall(bucket: string, key: string, maxBytes: number): Promise<Buffer | undefined>;
  /** Opens an object; `range` (a `Range` header value) selects part of it. Undefined when absent. */
  open(bucket: string, key: string, range: string | undefined): Promise<OpenedObject | undefined>;
}

/**
 * One `bytes=` range of a `Range` header for an object of `size` bytes: `a-b`, `a-` or the suffix `-n`. Undefined
 * when there is no header or it is not a single bytes range (the whole object is then served, as RFC 9110 allows);
 * RangeNotSatisfiable when it starts past the end.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (m === null || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) throw new RangeNotSatisfiable(size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) throw new RangeNotSatisfiable(size);
  return { start, end };
}
