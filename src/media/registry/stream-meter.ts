// Per-second figures of one live broadcast, as IVS publishes them to CloudWatch: ingest video and audio bit rate,
// ingest frame rate, keyframe interval and concurrent views. Fed with every access unit the ingest delivers (the
// same units health.ts sees), bucketed by their arrival second; the last few minutes are kept in a ring. Pure apart
// from the viewer count it is handed. Read through `liveMetricsReader`, the read-only port the operator console (and
// later the Prometheus exporter) uses, so neither needs the registry's internals.

import type { AccessUnit } from '../types.js';
import type { LiveStreamView } from '../../domain/ports.js';

export interface MeterSample {
  /** Start of the second, ms since the epoch (ingest wall clock). */
  time: number;
  /** Bits per second of video (or audio) payload received in that second. */
  ingestVideoBitrate: number;
  ingestAudioBitrate: number;
  /** Video frames per second, from the decode timestamps of the frames received in that second. */
  ingestFramerate: number;
  /** Seconds between the two latest keyframes known at the end of that second; null before the second keyframe. */
  keyframeInterval: number | null;
  /** Viewers counted at the end of that second. */
  concurrentViews: number;
}

interface Bucket {
  second: number;
  videoBytes: number;
  audioBytes: number;
  frames: number;
  firstDts: number;
  lastDts: number;
}

/** Five minutes of one-second samples. */
export const METER_CAPACITY = 300;
/** A gap longer than this (seconds without media) is filled with zero samples only up to it. */
const MAX_GAP_FILL = 60;

export class StreamMeter {
  private readonly ring: MeterSample[] = [];
  private bucket: Bucket | undefined;
  private lastKeyframeDts: number | undefined;
  private keyframeInterval: number | null = null;

  constructor(
    private readonly viewers: (nowMs: number) => number,
    private readonly capacity = METER_CAPACITY,
  ) {}

  onUnit(au: AccessUnit): void {
    const second = Math.floor(au.arrival / 1000);
    if (this.bucket === undefined || second > this.bucket.second) this.roll(second);
    const b = this.bucket!;
    if (au.track === 'audio') {
      b.audioBytes += au.data.length;
      return;
    }
    b.videoBytes += au.data.length;
    if (b.frames === 0) b.firstDts = au.dts;
    b.frames++;
    b.lastDts = au.dts;
    if (au.keyframe) {
      const gap = this.lastKeyframeDts === undefined ? undefined : au.dts - this.lastKeyframeDts;
      // A timestamp jump (new encoder timeline) is no keyframe interval.
      if (gap !== undefined && gap > 0 && gap < 60_000) this.keyframeInterval = gap / 1000;
      this.lastKeyframeDts = au.dts;
    }
  }

  /** Completed seconds after `sinceMs` (exclusive), oldest first; seconds without media up to now count as zeros. */
  samples(nowMs: number, sinceMs = -Infinity): MeterSample[] {
    const current = Math.floor(nowMs / 1000);
    if (this.bucket !== undefined && current > this.bucket.second) this.roll(current);
    return this.ring.filter((s) => s.time > sinceMs);
  }

  private roll(second: number): void {
    const done = this.bucket;
    if (done !== undefined) {
      this.push(this.sampleOf(done));
      const gapEnd = Math.min(second, done.second + 1 + MAX_GAP_FILL);
      for (let s = done.second + 1; s < gapEnd; s++) this.push(this.emptySample(s));
    }
    this.bucket = { second, videoBytes: 0, audioBytes: 0, frames: 0, firstDts: 0, lastDts: 0 };
  }

  private sampleOf(b: Bucket): MeterSample {
    const span = b.lastDts - b.firstDts;
    const framerate = b.frames >= 2 && span > 0 ? ((b.frames - 1) * 1000) / span : b.frames;
    return {
      time: b.second * 1000,
      ingestVideoBitrate: b.videoBytes * 8,
      ingestAudioBitrate: b.audioBytes * 8,
      ingestFramerate: Math.round(framerate * 100) / 100,
      keyframeInterval: this.keyframeInterval,
      concurrentViews: this.viewers(b.second * 1000 + 999),
    };
  }

  private emptySample(second: number): MeterSample {
    return {
      time: second * 1000,
      ingestVideoBitrate: 0,
      ingestAudioBitrate: 0,
      ingestFramerate: 0,
      keyframeInterval: this.keyframeInterval,
      concurrentViews: this.viewers(second * 1000 + 999),
    };
  }

  private push(sample: MeterSample): void {
    this.ring.push(sample);
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
  }
}

/** A live stream's figures for readers outside the media plane. */
export interface LiveMetricsView {
  stream: LiveStreamView;
  samples: MeterSample[];
}

/** The registry calls these (structurally: the composition root passes the registry itself). */
interface StreamsByChannel {
  getLive(channelArn: string): LiveStreamView | undefined;
  forPlayback(playbackKey: string): { streamId: string; meter: StreamMeter } | undefined;
}

const CHANNEL_ARN = /^arn:aws:ivs:([a-z0-9-]+):([0-9]+):channel\/([a-zA-Z0-9-]+)$/;

/**
 * The read-only port over the registry: a channel's live figures, or undefined while it is not LIVE (as GetStream).
 * The stream is found by its playback key (`<region>.<account>.channel.<id>`, derived from the ARN).
 */
export function liveMetricsReader(registry: StreamsByChannel, now: () => number = Date.now) {
  return {
    read(channelArn: string, sinceMs?: number): LiveMetricsView | undefined {
      const view = registry.getLive(channelArn);
      const m = CHANNEL_ARN.exec(channelArn);
      if (view === undefined || m === null) return undefined;
      const stream = registry.forPlayback(`${m[1]}.${m[2]}.channel.${m[3]}`);
      if (stream === undefined || stream.streamId !== view.streamId) return undefined;
      return { stream: view, samples: stream.meter.samples(now(), sinceMs) };
    },
  };
}
