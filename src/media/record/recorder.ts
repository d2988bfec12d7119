// The recorder: records every broadcast of a channel whose recordingConfigurationArn names a recording
// configuration (read from the store at publish time, kept on the LiveStream). It starts a Recording at
// the broadcast's first keyframe, probes the bucket (Recording Start, or Recording Start Failure and
// nothing kept), keeps an ended recording open for recordingReconnectWindowSeconds so a matching
// reconnect continues it, and on shutdown finishes what it can in a bounded time; the spool holds the
// rest for resume() at the next start.

import type { Logger } from 'pino';
import { newResourceId } from '../../domain/ids.js';
import type { SessionLog } from '../stream-sessions/session-log.js';
import { SOURCE_RENDITION, type LiveStream } from '../registry/live-stream.js';
import type { StreamRecorder } from '../registry/registry.js';
import type { RecordingDestination } from './destination.js';
import type { RecordingMeta } from './journal.js';
import { recordingPrefix, renditionName } from './layout.js';
import { Recording, type RecordingDeps, type ThumbnailSource } from './recording.js';
import { RecordingEvents } from './recording-events.js';
import { candidatesFor, selectRenditions } from './selection.js';
import { resumeSpooled } from './resume.js';
import { thumbnailPlan, thumbnailSize, type CaptureFn } from './thumbnails.js';
import type { BackoffOptions } from './upload-queue.js';
import { HlsSegmenter } from '../package/segmenter.js';

/** Length of the live pieces recorded files are made of (the live packager's segment target). */
const PIECE_MS = 2_000;

export interface RecorderOptions {
  destination: RecordingDestination;
  /** `<dataDir>/record-spool`. */
  spoolRoot: string;
  sessions: SessionLog;
  log: Logger;
  capture?: CaptureFn;
  backoff?: BackoffOptions;
  probeTimeoutMs?: number;
}

interface Active {
  recording: Recording;
  /** Resolves true once the bucket probe passed (false: the recording was dropped). */
  ready: Promise<boolean>;
  windowMs: number;
}

const timeout = <T>(p: Promise<T>, ms: number, fallback: T): Promise<T> =>
  Promise.race([p, new Promise<T>((r) => setTimeout(() => r(fallback), ms).unref())]);

export class Recorder implements StreamRecorder {
  private readonly deps: RecordingDeps;
  private readonly events: RecordingEvents;
  /** Set synchronously at the stream's start, so an end that comes while the recording is being set up finds it. */
  private readonly byStream = new Map<LiveStream, Promise<Active | undefined>>();
  /** Recordings waiting for a reconnect, by channel ARN. */
  private readonly lingering = new Map<string, Recording>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly open = new Set<Recording>();
  private stopping = false;
  /** Failed upload attempts since the start (each retry counts), for metrics. */
  uploadFailures = 0;

  constructor(private readonly opts: RecorderOptions) {
    this.events = new RecordingEvents(opts.sessions, opts.log);
    this.deps = {
      destination: opts.destination,
      spoolRoot: opts.spoolRoot,
      events: this.events,
      log: opts.log,
      capture: opts.capture,
      backoff: opts.backoff,
      onUploadFailure: () => this.uploadFailures++,
    };
  }

  streamStarted(stream: LiveStream): void {
    if (!stream.recordingConfiguration || this.stopping) return;
    const started = this.start(stream, stream.recordingConfiguration);
    this.byStream.set(
      stream,
      started.catch(() => undefined),
    );
    this.track(started);
  }

  streamEnded(stream: LiveStream): void {
    const started = this.byStream.get(stream);
    if (!started) return;
    this.byStream.delete(stream);
    this.track(started.then((active) => active && this.end(stream, active)));
  }

  /** Uploads waiting in the queues of the recordings being made or finished (metrics). */
  get uploadQueueDepth(): number {
    let depth = 0;
    for (const rec of this.open) depth += rec.queue.pending;
    return depth;
  }

  /** Finishes recordings left in the spool by an earlier run (crash or shutdown), in the background. */
  async resume(): Promise<number> {
    const recordings = await resumeSpooled(this.deps);
    for (const { recording, endedAt, failure } of recordings) this.complete(recording, endedAt, failure);
    return recordings.length;
  }

  /** Shutdown: finish ended recordings (reconnect windows are cut short), wait up to `timeoutMs`, then stop uploading. */
  async stop(timeoutMs = 8_000): Promise<void> {
    this.stopping = true;
    const deadline = Date.now() + timeoutMs;
    for (const rec of this.lingering.values()) this.complete(rec, rec.endedAt);
    this.lingering.clear();
    // Streams' ends first (they may still be closing files), then every open recording's final files.
    await timeout(Promise.allSettled([...this.pending]), Math.max(0, deadline - Date.now()), undefined);
    await timeout(Promise.allSettled([...this.open].map((r) => r.finish())), Math.max(0, deadline - Date.now()), undefined);
    for (const rec of this.open) rec.queue.stop();
  }

  private track(p: Promise<unknown>): void {
    const guarded = p.catch((err) => this.opts.log.error({ err }, 'recording: unexpected error'));
    this.pending.add(guarded);
    void guarded.finally(() => this.pending.delete(guarded));
  }

  private async start(stream: LiveStream, config: Record<string, unknown>): Promise<Active | undefined> {
    const video = stream.video;
    if (!video) return undefined;
    const preset = stream.channel.doc.preset;
    const candidates = candidatesFor(video, stream.renditions.keys(), SOURCE_RENDITION, {
      type: stream.channel.type,
      preset: typeof preset === 'string' ? preset : undefined,
    });
    const selected = selectRenditions(config, candidates);
    // Without ffmpeg no thumbnails can be taken, so the metadata files must not point at any.
    const plan = this.deps.capture ? thumbnailPlan(config) : undefined;
    const thumbSize = plan && thumbnailSize(video.width, video.height, plan.maxHeight);
    const audio = stream.audio?.codecString ?? 'none';
    const signature = `${String(config.arn)}|${video.codecString}|${audio}|${video.width}x${video.height}|${candidates[0]!.name}`;
    const windowMs = Math.max(0, Number(config.recordingReconnectWindowSeconds ?? 0)) * 1000;
    const ts = new TsCopies();
    const thumb: ThumbnailSource | undefined = plan &&
      thumbSize && {
        segmenter: ts.of(stream.source),
        plan,
        folder: renditionName(thumbSize.width, thumbSize.height, video.frameRate),
        height: thumbSize.height < video.height ? thumbSize.height : undefined,
      };
    const sources = selected.map((c) => ({ ...c, segmenter: ts.of(stream.renditions.get(c.key)!) }));

    const previous = this.lingering.get(stream.channel.arn);
    if (previous) {
      this.lingering.delete(stream.channel.arn);
      clearTimeout(previous.lingerTimer);
      if (previous.signature === signature) {
        await previous.attach(stream.streamId, sources, thumb, () => ts.release());
        this.opts.log.info(
          { recordingId: previous.meta.recordingId, streamId: stream.streamId },
          'recording continues after a reconnect',
        );
        return { recording: previous, ready: Promise.resolve(true), windowMs };
      }
      this.complete(previous, previous.endedAt);
    }

    const recordingId = newResourceId();
    const c = stream.channel;
    const now = new Date(); // one instant for the prefix and recording_started_at
    const meta: RecordingMeta = {
      recordingId,
      bucket: bucketOf(config),
      prefix: recordingPrefix(c.account, c.id, recordingId, now),
      account: c.account,
      region: c.region,
      channelArn: c.arn,
      channelId: c.id,
      channelName: c.name,
      configArn: typeof config.arn === 'string' ? config.arn : '',
      startedAt: now.toISOString(),
      thumbnails: plan?.sequential ? thumbSize : undefined,
      latestThumbnail: plan?.latest ? thumbSize : undefined,
    };
    if (config.state !== 'ACTIVE') {
      ts.release();
      await this.startFailure(meta, stream.streamId, `Recording configuration is ${String(config.state)}, not ACTIVE`);
      return;
    }
    const recording = await Recording.create(this.deps, meta);
    recording.signature = signature;
    await recording.attach(stream.streamId, sources, thumb, () => ts.release());
    this.open.add(recording);
    // Not awaited: the stream's end must not wait for the probe to find this recording.
    const ready = this.probe(recording, selected);
    this.track(ready);
    return { recording, ready, windowMs };
  }

  private async probe(recording: Recording, planned: ReturnType<typeof selectRenditions>): Promise<boolean> {
    const { meta } = recording;
    const probe = await timeout(
      this.opts.destination.probe(meta.bucket).catch((err: Error) => ({ ok: false as const, reason: err.message })),
      this.opts.probeTimeoutMs ?? 10_000,
      { ok: true as const },
    ); // no answer yet: assume an outage; uploads retry
    if (!probe.ok) {
      this.open.delete(recording);
      await recording.abandon();
      await this.startFailure(meta, recording.lastStreamId, `Bucket ${meta.bucket} cannot be used: ${probe.reason}`);
      return false;
    }
    this.opts.log.info({ recordingId: meta.recordingId, bucket: meta.bucket, prefix: meta.prefix }, 'recording started');
    await recording.announce(planned.map((c) => ({ ...c, codecs: '' })));
    return true;
  }

  private async startFailure(meta: RecordingMeta, streamId: string, reason: string): Promise<void> {
    this.opts.log.warn({ channelArn: meta.channelArn, reason }, 'recording could not start');
    await this.events.emit(meta, 'Recording Start Failure', { streamId, streamIds: [streamId], reason });
  }

  private async end(stream: LiveStream, active: Active): Promise<void> {
    if (!(await active.ready)) return;
    const { recording } = active;
    recording.endedAt = Date.now();
    await recording.detach();
    if (active.windowMs > 0 && !this.stopping) {
      this.lingering.set(stream.channel.arn, recording);
      recording.lingerTimer = setTimeout(() => {
        if (this.lingering.get(stream.channel.arn) !== recording) return;
        this.lingering.delete(stream.channel.arn);
        this.complete(recording, recording.endedAt);
      }, active.windowMs);
      recording.lingerTimer.unref();
      return;
    }
    this.complete(recording, recording.endedAt);
  }

  private complete(recording: Recording, endedAt?: number, failure?: string): void {
    this.open.add(recording);
    this.track(
      recording.finish(endedAt, failure).then(() => {
        if (recording.queue.pending === 0) this.open.delete(recording);
        this.opts.log.info({ recordingId: recording.meta.recordingId }, 'recording ended');
      }),
    );
  }
}

/**
 * Recordings are MPEG-TS: a rendition packaged as fMP4 (FRAGMENTED_MP4 channels) is recorded from a TS
 * segmenter tapped onto it, cutting the same ~2 s pieces from the same access units (ID3 included).
 */
class TsCopies {
  private readonly copies = new Map<HlsSegmenter, HlsSegmenter>();

  of(live: HlsSegmenter): HlsSegmenter {
    if (live.writer.extension === 'ts') return live;
    let copy = this.copies.get(live);
    if (!copy) {
      copy = new HlsSegmenter({ targetDurationMs: PIECE_MS, windowSize: 1, retainAfterWindow: 0 });
      live.addTap(copy);
      this.copies.set(live, copy);
    }
    return copy;
  }

  release(): void {
    for (const [live, copy] of this.copies) live.removeTap(copy);
    this.copies.clear();
  }
}

function bucketOf(config: Record<string, unknown>): string {
  const dest = config.destinationConfiguration as { s3?: { bucketName?: string } } | undefined;
  return dest?.s3?.bucketName ?? '';
}
