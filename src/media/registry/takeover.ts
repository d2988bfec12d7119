// Stream takeover, IVS's way: a second publisher on a live channel that asks with a higher `priority` replaces the
// first without ending the stream (same stream id, session, playback URL and recording). The request is judged
// before the backup hears NetStream.Publish.Start (RTMP) or gets any media read (SRT): past the attempts limit →
// StreamTakeoverLimitBreached; a priority outside 1 … 2,147,483,647 or not above the current publisher's →
// StreamTakeoverInvalidPriority. An accepted backup is a TakeoverCandidate: the first publisher keeps feeding the
// stream until the backup's first keyframe, whose media properties (video codec and resolution, audio codec when both
// carry audio) must match the stream's (else StreamTakeoverMediaMismatch, and the backup is disconnected). Then the
// switch: the backup's timestamps are shifted to continue the stream's timeline (segments and parts keep numbering;
// a change of codec parameters becomes an EXT-X-DISCONTINUITY in the packager), the replaced publisher's connection
// is closed, and `Stream Takeover` goes into the session's events and the outbox.

import { streamStateChange, streamTakeoverFailure, type StreamTakeoverFailureCode } from '../../events/envelope.js';
import type { PublishEndReason, PublisherHandle, PublishSession } from '../ingest/ports.js';
import type { AccessUnit, AudioTrackInfo, VideoTrackInfo } from '../types.js';
import { ingestConfiguration } from './ingest-configuration.js';
import { IngestSession } from './ingest-session.js';
import type { LiveStream } from './live-stream.js';
import { originOf, type LiveRegistry } from './registry.js';

/** IVS's bounds on a takeover priority (StreamEvent.code documentation in the model). */
export const MAX_TAKEOVER_PRIORITY = 2_147_483_647;
/** Takeover attempts (accepted or refused) one stream allows within TAKEOVER_WINDOW_MS. */
export const TAKEOVER_ATTEMPTS_LIMIT = 5;
export const TAKEOVER_WINDOW_MS = 60_000;
/** A backup that sends no keyframe this long after its acceptance is let go (the stream stays with the first). */
const KEYFRAME_WAIT_MS = 10_000;

/** The priority a publisher holds: its valid request, else 0 (any valid takeover priority is above it). */
export function heldPriority(requested: number | undefined): number {
  return requested !== undefined && validPriority(requested) ? requested : 0;
}

function validPriority(priority: number): boolean {
  return Number.isInteger(priority) && priority >= 1 && priority <= MAX_TAKEOVER_PRIORITY;
}

/**
 * Judges a takeover request on a live stream and records it as an attempt. A refusal is recorded (session events and
 * outbox) before this resolves; an acceptance returns the PublishSession the backup feeds.
 */
export async function requestTakeover(
  registry: LiveRegistry,
  stream: LiveStream,
  handle: PublisherHandle,
  priority: number,
  now: number,
): Promise<{ ok: true; session: PublishSession } | { ok: false; code: StreamTakeoverFailureCode }> {
  const attempts = stream.takeoverAttempts;
  while (attempts.length > 0 && now - attempts[0]! >= TAKEOVER_WINDOW_MS) attempts.shift();
  let code: StreamTakeoverFailureCode | undefined;
  if (attempts.length >= TAKEOVER_ATTEMPTS_LIMIT) {
    code = 'StreamTakeoverLimitBreached';
  } else {
    attempts.push(now);
    const toBeat = Math.max(stream.priority, stream.pendingTakeover?.priority ?? 0);
    if (!validPriority(priority) || priority <= toBeat) code = 'StreamTakeoverInvalidPriority';
  }
  if (code !== undefined) {
    await registry.recordStreamEvents(stream, 'takeover failure', [streamTakeoverFailure(originOf(stream), code)]);
    return { ok: false, code };
  }
  // A newer, higher backup replaces one still waiting for its first keyframe.
  stream.pendingTakeover?.handle.disconnect('superseded by a higher-priority takeover');
  stream.pendingTakeover = { handle, priority };
  return { ok: true, session: new TakeoverCandidate(registry, stream, handle, priority) };
}

/** Whether a backup's media may replace the stream's: IVS refuses a different codec, resolution or track type. */
export function mediaMatches(
  stream: { video?: VideoTrackInfo; audio?: AudioTrackInfo },
  backup: { video?: VideoTrackInfo; audio?: AudioTrackInfo },
): boolean {
  const a = stream.video;
  const b = backup.video;
  if (a && b && (codecFamily(a.codec) !== codecFamily(b.codec) || a.width !== b.width || a.height !== b.height)) return false;
  if (stream.audio && backup.audio && codecFamily(stream.audio.codec) !== codecFamily(backup.audio.codec)) return false;
  return true;
}

/** `avc1.64001f` → `avc1`, `mp4a.40.2` → `mp4a`: the codec, not its profile or level. */
function codecFamily(codec: string): string {
  const dot = codec.indexOf('.');
  return dot < 0 ? codec : codec.slice(0, dot);
}

/** The backup publisher's session: held until its first keyframe, then (media matching) it takes the stream over. */
class TakeoverCandidate implements PublishSession {
  private video: VideoTrackInfo | undefined;
  private audio: AudioTrackInfo | undefined;
  private metadata: Record<string, unknown> | undefined;
  private live: IngestSession | undefined;
  private done = false;
  /** The backup's own DTS of its first keyframe: its audio from before it is not carried over. */
  private switchDts = 0;
  private readonly keyframeWait: NodeJS.Timeout;

  constructor(
    private readonly registry: LiveRegistry,
    private readonly stream: LiveStream,
    private readonly handle: PublisherHandle,
    private readonly priority: number,
  ) {
    this.keyframeWait = setTimeout(() => {
      if (this.done || this.live) return;
      this.done = true;
      if (stream.pendingTakeover?.handle === handle) stream.pendingTakeover = undefined;
      handle.disconnect('takeover: no keyframe in time');
    }, KEYFRAME_WAIT_MS);
    this.keyframeWait.unref();
  }

  onMetadata(meta: Record<string, unknown>): void {
    if (this.live) return this.live.onMetadata(meta);
    this.metadata = meta;
  }

  onVideoConfig(info: VideoTrackInfo): void {
    if (this.live) return this.live.onVideoConfig(info);
    this.video = info;
  }

  onAudioConfig(info: AudioTrackInfo): void {
    if (this.live) return this.live.onAudioConfig(info);
    this.audio = info;
  }

  onAccessUnit(au: AccessUnit): void {
    if (this.live) {
      if (au.track === 'audio' && au.dts < this.switchDts) return;
      return this.live.onAccessUnit(au);
    }
    if (this.done || au.track !== 'video' || !au.keyframe || !this.video) return;
    this.done = true;
    clearTimeout(this.keyframeWait);
    const stream = this.stream;
    if (stream.ended || stream.pendingTakeover?.handle !== this.handle) return this.handle.disconnect('takeover abandoned');
    if (!mediaMatches(stream, { video: this.video, audio: this.audio })) {
      stream.pendingTakeover = undefined;
      void this.registry.recordStreamEvents(stream, 'takeover failure', [
        streamTakeoverFailure(originOf(stream), 'StreamTakeoverMediaMismatch'),
      ]);
      return this.handle.disconnect('StreamTakeoverMediaMismatch');
    }
    this.switchDts = au.dts;
    this.live = this.switchOver(au);
    this.live.onAccessUnit(au);
  }

  onUnsupported(description: string): void {
    if (this.live) return this.live.onUnsupported(description);
    this.handle.disconnect(`unsupported media: ${description}`);
  }

  onEnd(reason: PublishEndReason): void {
    if (this.live) return this.live.onEnd(reason);
    this.done = true;
    clearTimeout(this.keyframeWait);
    if (this.stream.pendingTakeover?.handle === this.handle) this.stream.pendingTakeover = undefined;
  }

  /** The switch, at the backup's first keyframe: from here the backup feeds the stream and the first is let go. */
  private switchOver(keyframe: AccessUnit): IngestSession {
    const stream = this.stream;
    const replaced = stream.handle;
    const offsetMs = continuationOffset(stream, keyframe.dts);
    stream.replacePublisher(this.handle, this.priority);
    stream.health.resetTimeline();
    const session = new IngestSession(this.registry, stream, this.handle, offsetMs);
    if (this.metadata) session.onMetadata(this.metadata);
    session.onVideoConfig(this.video!);
    if (this.audio) session.onAudioConfig(this.audio);
    replaced.disconnect('stream taken over');
    void this.registry.recordStreamEvents(stream, 'takeover', [streamStateChange(originOf(stream), 'Stream Takeover')], {
      doc: { ingestConfiguration: ingestConfiguration(stream) },
    });
    return session;
  }
}

/** Shift for the backup's timestamps so its first keyframe lands one frame after the stream's latest unit. */
function continuationOffset(stream: LiveStream, keyframeDts: number): number {
  const frameMs = stream.video?.frameRate ? 1000 / stream.video.frameRate : 33;
  const nextVideo = stream.lastDts === undefined ? undefined : stream.lastDts + frameMs;
  const nextAudio = stream.lastAudioDts === undefined ? undefined : stream.lastAudioDts + 1;
  const next = Math.max(nextVideo ?? Number.NEGATIVE_INFINITY, nextAudio ?? Number.NEGATIVE_INFINITY);
  return Number.isFinite(next) ? Math.round(next - keyframeDts) : 0;
}
