// Where recordings are written: the port between the recorder (spool, upload queue, layout) and a storage
// backend. Two implementations: local disk under the data directory (the embedded default) and any
// S3-compatible endpoint. Every call either stores the object durably or rejects; the caller retries.

export type ProbeResult = { ok: true } | { ok: false; reason: string };

export interface RecordingDestination {
  /** 'local' (data dir) or 's3' (a configured endpoint or the AWS default). */
  readonly kind: 'local' | 's3';
  /** Stores a small object (playlists, JSON, thumbnails) under bucket/key, replacing any previous one. */
  putObject(bucket: string, key: string, body: Buffer | string, contentType: string): Promise<void>;
  /**
   * Stores a local file (media segments), streaming it; large files may go up in parts. `bytes`, when given, are the
   * file's contents already in memory (their concatenation): a destination may send them instead of reading the file.
   */
  putFile(bucket: string, key: string, path: string, contentType: string, bytes?: readonly Buffer[]): Promise<void>;
  /** Whether the bucket exists and accepts writes; `reason` is shown to users when it does not. */
  probe(bucket: string): Promise<ProbeResult>;
}
