// One live broadcast of one channel: its identity (stream id, channel snapshot taken when it went
// live, so UpdateChannel only affects the next stream), its publisher, its renditions' packagers and
// its health and audience. The registry drives its lifecycle; delivery reads it without touching
// the database.

import type { PublisherHandle } from '../ingest/ports.js';
import { HlsSegmenter, type HlsSegmenterOptions } from '../package/segmenter.js';
import { Fmp4SegmentWriter } from '../package/fmp4/fmp4-segment-writer.js';
import type { RemoteTranscodeSlot } from '../transcode/remote-slot.js';
import type { Transcoder } from '../transcode/transcoder.js';
import type { AudioTrackInfo, VideoTrackInfo } from '../types.js';
import { HealthMonitor } from './health.js';
import { ViewerCounter, type ViewerLimits } from './viewers.js';
import type { PlaybackRestriction } from './playback-restriction.js';
import { StreamMeter } from './stream-meter.js';

export interface ChannelSnapshot {
  arn: string;
  id: string;
  name: string;
  account: string;
  region: string;
  type: string;
  latencyMode: string;
  containerFormat: string;
  authorized: boolean;
  /** The channel's playback restriction policy when the stream started; undefined: none (the cheap common case). */
  restriction: PlaybackRestriction | undefined;
  playbackUrl: string;
  /** The channel document as the API returned it when the stream started (session snapshot). */
  doc: Record<string, unknown>;
}

export interface PackagingOptions {
  targetSegmentMs: number;
  windowSegments: number;
  /** LL-HLS part target for LOW latency channels. */
  partTargetMs: number;
}

/** Segmenter settings for a channel: parts only for LOW latency, fMP4 or TS per containerFormat. */
export function segmenterOptions(channel: ChannelSnapshot, packaging: PackagingOptions): HlsSegmenterOptions {
  return {
    targetDurationMs: packaging.targetSegmentMs,
    windowSize: packaging.windowSegments,
    partTargetMs: channel.latencyMode === 'LOW' ? packaging.partTargetMs : undefined,
    writer: channel.containerFormat === 'FRAGMENTED_MP4' ? new Fmp4SegmentWriter() : undefined,
  };
}

/** Name of the passthrough rendition in playback URLs. */
export const SOURCE_RENDITION = 'source';

export class LiveStream {
  readonly renditions = new Map<string, HlsSegmenter>();
  readonly viewers: ViewerCounter;
  readonly health: HealthMonitor;
  /** Per-second ingest figures (bit rates, frame rate, keyframe interval, viewers) for the console and metrics. */
  readonly meter = new StreamMeter((now) => this.viewers.count(now));
  video?: VideoTrackInfo;
  audio?: AudioTrackInfo;
  metadata: Record<string, unknown> = {};
  /** The channel's recording configuration as it was when the stream was accepted (undefined: not recorded). */
  recordingConfiguration: Record<string, unknown> | undefined;
  /** Media flows: the first keyframe arrived (the transcoder and the recorder start here). */
  flowing = false;
  /**
   * Stream Start has been announced: the stream plays (readiness.ts). From here GetStream and ListStreams say LIVE,
   * PutMetadata is accepted and the multivariant playlist answers.
   */
  started = false;
  ended = false;
  /** Latest video decode timestamp packaged (ms, the stream's timeline: a takeover's publisher is shifted onto it). */
  lastDts: number | undefined;
  /** Latest audio decode timestamp packaged (same timeline). */
  lastAudioDts: number | undefined;
  /**
   * The takeover priority of the publisher feeding the stream (0 when it asked for none): a backup must ask for more.
   * IVS's StreamTakeoverInvalidPriority.
   */
  priority = 0;
  /** When each takeover attempt on this stream came (ms), for the attempts limit (takeover.ts). */
  readonly takeoverAttempts: number[] = [];
  /** A backup accepted to take over, waiting for its first keyframe (takeover.ts); at most one at a time. */
  pendingTakeover: { handle: PublisherHandle; priority: number } | undefined;
  /** STANDARD channels: a transcoding slot was reserved for this stream, and its ladder once started. */
  transcodeSlot = false;
  /** STANDARD channels transcoded on another node (cluster): the slot held there. */
  remoteTranscode: RemoteTranscodeSlot | undefined;
  transcoder: Transcoder | undefined;
  /** Latest measured ingest bit rate (bits/s), for sessions when the encoder declares none. */
  measuredBitrate: number | undefined;
  private readonly byteSamples: { at: number; bytes: number }[] = [];
  private currentHandle: PublisherHandle;

  constructor(
    readonly streamId: string,
    readonly channel: ChannelSnapshot,
    readonly startTime: Date,
    handle: PublisherHandle,
    packaging: PackagingOptions,
    viewerLimits: Partial<ViewerLimits> = {},
  ) {
    this.currentHandle = handle;
    this.viewers = new ViewerCounter(viewerLimits);
    this.health = new HealthMonitor(startTime.getTime());
    this.renditions.set(SOURCE_RENDITION, new HlsSegmenter(segmenterOptions(channel, packaging)));
  }

  /** The publisher feeding the stream now: a takeover replaces it (StopStream and limits act on this one). */
  get handle(): PublisherHandle {
    return this.currentHandle;
  }

  /** A takeover: `handle` feeds the stream from now on; the ingest bit rate is measured afresh. */
  replacePublisher(handle: PublisherHandle, priority: number): void {
    this.currentHandle = handle;
    this.priority = priority;
    this.pendingTakeover = undefined;
    this.byteSamples.length = 0;
  }

  get source(): HlsSegmenter {
    return this.renditions.get(SOURCE_RENDITION)!;
  }

  /** Playback key: `<region>.<account>.channel.<id>`, as in the playback URL. */
  get playbackKey(): string {
    return `${this.channel.region}.${this.channel.account}.channel.${this.channel.id}`;
  }

  /** Samples the publisher's byte counter; returns the average ingest bit rate over ~10 s. */
  sampleIngestBitrate(nowMs: number): number | undefined {
    this.byteSamples.push({ at: nowMs, bytes: this.handle.bytesReceived });
    while (this.byteSamples.length > 2 && nowMs - this.byteSamples[0]!.at > 10_000) this.byteSamples.shift();
    const first = this.byteSamples[0]!;
    const elapsed = nowMs - first.at;
    if (elapsed < 5_000) return undefined; // too short to judge a sustained rate
    this.measuredBitrate = ((this.handle.bytesReceived - first.bytes) * 8 * 1000) / elapsed;
    return this.measuredBitrate;
  }
}
