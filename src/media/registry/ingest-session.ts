// The PublishSession the ingest feeds for an accepted broadcast: media goes to the stream's
// packager, health and limit checks see every unit, and the first keyframe (media flows; Stream Start follows once
// the stream plays) and the end of the connection become lifecycle events in the registry.
// After a stream takeover (takeover.ts) a second IngestSession feeds the same stream: its timestamps are shifted by
// `offsetMs` onto the stream's timeline, and the replaced publisher's session goes quiet (its media is dropped and
// its end is not the stream's end) because the stream's handle is no longer its own.

import type { PublishEndReason, PublisherHandle, PublishSession } from '../ingest/ports.js';
import type { AccessUnit, AudioTrackInfo, VideoTrackInfo } from '../types.js';
import { limitsFor, resolutionBreach } from './limits.js';
import type { LiveStream } from './live-stream.js';
import type { LiveRegistry } from './registry.js';

const TIMELINE_JUMP_MS = 5_000;

export class IngestSession implements PublishSession {
  private readonly handle: PublisherHandle;

  constructor(
    private readonly registry: LiveRegistry,
    private readonly stream: LiveStream,
    handle?: PublisherHandle,
    private readonly offsetMs = 0,
  ) {
    this.handle = handle ?? stream.handle;
  }

  /** False once another publisher took the stream over. */
  private get current(): boolean {
    return this.stream.handle === this.handle;
  }

  onMetadata(meta: Record<string, unknown>): void {
    if (this.current) this.stream.metadata = meta;
  }

  onVideoConfig(info: VideoTrackInfo): void {
    if (!this.current) return;
    const breach = resolutionBreach(limitsFor(this.stream.channel.type), info.width, info.height);
    if (breach) {
      void this.registry.breach(this.stream, breach);
      return;
    }
    const frameRate = typeof this.stream.metadata.framerate === 'number' ? this.stream.metadata.framerate : undefined;
    this.stream.video = frameRate && !info.frameRate ? { ...info, frameRate } : info;
    this.stream.transcoder?.setVideoConfig(this.stream.video);
    this.applyTracks();
  }

  onAudioConfig(info: AudioTrackInfo): void {
    if (!this.current) return;
    this.stream.audio = info;
    this.stream.transcoder?.setAudioConfig(info);
    this.applyTracks();
  }

  onAccessUnit(input: AccessUnit): void {
    const stream = this.stream;
    if (stream.ended || !this.current) return;
    const au = this.offsetMs === 0 ? input : { ...input, dts: input.dts + this.offsetMs, pts: input.pts + this.offsetMs };
    stream.meter.onUnit(au);
    if (au.track === 'audio') stream.lastAudioDts = au.dts;
    if (au.track === 'video') {
      if (stream.lastDts !== undefined && Math.abs(au.dts - stream.lastDts) > TIMELINE_JUMP_MS) stream.health.resetTimeline();
      stream.lastDts = au.dts;
      stream.health.onMedia(au.arrival, au.dts);
      if (!stream.flowing && au.keyframe && stream.video) {
        stream.flowing = true;
        // By the first keyframe both sequence headers have normally arrived, which ffmpeg's probe needs.
        if (stream.transcodeSlot || stream.remoteTranscode)
          stream.transcoder = this.registry.transcoding?.attach(stream, stream.video, stream.audio);
        this.registry.mediaStarted(stream);
      }
    }
    stream.source.push(au);
    stream.transcoder?.writeUnit(au);
  }

  onUnsupported(description: string): void {
    if (this.current) void this.registry.finish(this.stream, 'error', `Unsupported media: ${description}`);
  }

  onEnd(reason: PublishEndReason): void {
    if (this.current) void this.registry.finish(this.stream, reason);
  }

  private applyTracks(): void {
    this.stream.source.setTracks(this.stream.video, this.stream.audio);
  }
}
