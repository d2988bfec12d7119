// What the metrics read, declared here as plain shapes so src/metrics imports no plane: src/app.ts hands in the
// live registry, the transcode service, the recorder, the outbox and the dispatcher, which match them structurally.
// Every figure read through these is read at scrape time; nothing here runs on a hot path.

/** One second of a stream's ingest figures (the registry's StreamMeter sample). */
export interface IngestSample {
  ingestVideoBitrate: number;
  ingestAudioBitrate: number;
  ingestFramerate: number;
  keyframeInterval: number | null;
}

/** A rendition's packager as the metrics read it: the bit rate of its recent segments and their frame rate. */
export interface MeteredRendition {
  /** Container bits per second over the recent segments (AVERAGE-BANDWIDTH), and the highest one (BANDWIDTH). */
  readonly bitrate: { readonly average: number | undefined; readonly peak: number | undefined };
  /** Video frames per second over the listed segments; undefined without video. */
  measuredFrameRate(): number | undefined;
}

/** A live stream as the registry keeps it. */
export interface MeteredStream {
  readonly started: boolean;
  readonly ended: boolean;
  readonly channel: { readonly id: string; readonly type: string; readonly latencyMode: string };
  readonly health: { readonly state: string };
  readonly meter: { samples(nowMs: number, sinceMs?: number): readonly IngestSample[] };
  readonly viewers: { count(nowMs: number): number };
  /** The packaged renditions by the name the multivariant playlist uses: `source`, and a STANDARD ladder's rungs. */
  readonly renditions: ReadonlyMap<string, MeteredRendition>;
}

export interface LiveStreams {
  streams(): Iterable<MeteredStream>;
}

/** A segment or part as the packager announces it (times in ms; the wall clock of the segment's first unit). */
export interface PublishedSegment {
  startDts: number;
  durationMs: number;
  programDateTime: Date;
}

export interface PublishedPart {
  startDts: number;
  durationMs: number;
}

/** A rendition's packager: it announces every part and segment it publishes. */
export interface PublishingRendition {
  onPart(listener: (part: PublishedPart) => void): void;
  onSegment(listener: (segment: PublishedSegment) => void): void;
}

export interface TranscodeSlots {
  readonly slotsInUse: number;
  readonly slots: number;
}

export interface RecordingQueues {
  readonly uploadQueueDepth: number;
  readonly uploadFailures: number;
}

export interface EventDelivery {
  /** Rows not yet delivered to (or abandoned by) every sink. */
  outboxDepth(): Promise<number>;
  readonly failures: ReadonlyMap<string, { retried: number; abandoned: number }>;
}
