// The port through which a stream's ffmpeg runs on another node (cluster): a slot reserved there, and the
// launcher the Transcoder supervises exactly like a local process. Implemented in cluster/ and wired by app.ts.

import type { FfmpegChild } from './ffmpeg-process.js';
import type { FfmpegJob } from './transcoder.js';

/** A transcode slot held on another node for one stream. */
export interface RemoteTranscodeSlot {
  /** The node holding it (logs). */
  readonly node: string;
  /** An ffmpeg on that node (or, after a failure, on any node with a slot), supervised like a local one. */
  launch(job: FfmpegJob): FfmpegChild;
  /** Gives back a reservation never used; a relay in use gives its slot back when it closes. */
  release(): void;
}

export interface RemoteTranscoding {
  /** A slot on another node (the most free first); undefined when no node accepts. */
  reserve(): Promise<RemoteTranscodeSlot | undefined>;
}
