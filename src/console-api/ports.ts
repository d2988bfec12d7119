// What the console's server routes need from the rest of openivs, as small read-only interfaces the composition
// root (app.ts) wires: live figures from the media registry, the event fan-out, the recording storage and the
// server's public facts. The routes never import the media plane.

import type { Caller } from '../api/auth/index.js';
import type { IvsEventEnvelope } from '../events/envelope.js';

/** One second of a live stream's ingest and audience figures (the registry's StreamMeter samples). */
export interface MetricsSample {
  time: number;
  ingestVideoBitrate: number;
  ingestAudioBitrate: number;
  ingestFramerate: number;
  keyframeInterval: number | null;
  concurrentViews: number;
}

export interface LiveMetrics {
  stream: { streamId: string; startTime: Date; health: string; viewerCount: number };
  samples: MetricsSample[];
}

/** Read-only port over the live registry: undefined while the channel is not LIVE. */
export interface LiveMetricsReader {
  read(channelArn: string, sinceMs?: number): LiveMetrics | undefined;
}

/** The in-process event fan-out (events/sinks/sse.ts LiveEvents). */
export interface EventFanOut {
  subscribe(listener: (envelope: IvsEventEnvelope<object>) => void): () => void;
}

/** SigV4 verification, as the API does it (api/auth SigV4Verifier). */
export interface RequestVerifier {
  verify(req: {
    method: string;
    rawPath: string;
    rawQuery: string;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }): Promise<Caller>;
}

/** Ports and addresses the console shows in ingest URLs; known once the listeners are bound. */
export interface ServerFacts {
  rtmpPort?: number;
  rtmpsPort?: number;
  srtPort?: number;
  /** Plain RTMP is accepted for every channel (--allow-insecure-ingest). */
  allowInsecureIngest: boolean;
  /** The region of requests that carry none (--region): the console's default. */
  defaultRegion: string;
}
