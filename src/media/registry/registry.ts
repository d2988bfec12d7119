// The live registry: one LiveStream per broadcasting channel. It implements the LiveControl port the
// API uses (GetStream, ListStreams, StopStream, PutMetadata), owns each broadcast's lifecycle from
// an accepted publish to its end (sessions and events through SessionLog), and runs the once-a-second
// checks of health and ingest limits. Playback looks streams up here, in memory. A stream is registered when its
// publish is accepted (Session Created) but is LIVE for the API (GetStream, ListStreams, PutMetadata) and playback
// only from Stream Start, which waits until it plays (readiness.ts).

import type { Logger } from 'pino';
import type { Scope } from '../../domain/context.js';
import { throttled } from '../../domain/errors.js';
import type { AdBreakRequest, ChannelClaims, LiveControl, LiveStreamView } from '../../domain/ports.js';
import {
  limitBreach,
  streamHealthChange,
  streamStateChange,
  type EventOrigin,
  type IvsEventEnvelope,
} from '../../events/envelope.js';
import type { PublishEndReason } from '../ingest/ports.js';
import { id3TxxxTag } from '../package/id3.js';
import { ingestConfiguration } from './ingest-configuration.js';
import { bitrateBreach, limitsFor, type Breach } from './limits.js';
import type { LiveStream } from './live-stream.js';
import { whenPlayable } from './readiness.js';
import { insertAdBreakInto } from './ad-breaks.js';
import { RateWindow } from './metadata-throttle.js';
import type { SessionLog } from '../stream-sessions/session-log.js';
import type { StreamSessionPatch } from '../../storage/store-events.js';
import type { TranscodeService } from './transcoding.js';

const ENDED_LINGER_MS = 30_000; // ended streams keep serving their final playlist/segments this long
const METADATA_PER_CHANNEL = 5;
const METADATA_PER_ACCOUNT = 155;

/** Records broadcasts of channels with a recording configuration (media/record's Recorder). */
export interface StreamRecorder {
  /** First keyframe: tracks and renditions are known. */
  streamStarted(stream: LiveStream): void;
  /** After the renditions' final segments were emitted. */
  streamEnded(stream: LiveStream): void;
}

export function originOf(stream: LiveStream, time?: Date): EventOrigin {
  const c = stream.channel;
  return { account: c.account, region: c.region, channelArn: c.arn, channelName: c.name, streamId: stream.streamId, time };
}

export class LiveRegistry implements LiveControl {
  private readonly byArn = new Map<string, LiveStream>();
  private readonly byPlaybackKey = new Map<string, LiveStream>();
  // Weak: an ended stream (its segment window, megabytes) must be freed once nothing else holds it. As Maps they
  // kept every stream since the process started (bench:record's RSS reached ~1 GB in 7 minutes).
  private readonly finished = new WeakMap<LiveStream, Promise<void>>();
  private readonly finishers = new WeakMap<LiveStream, () => void>();
  /** Streams whose media flows but which are not announced yet: cancels their readiness watch. */
  private readonly pendingStart = new Map<LiveStream, () => void>();
  private readonly metadataRate = new RateWindow();
  /** Broadcasts whose session another node already ended (it took their channel lease over). */
  private readonly abandoned = new WeakSet<LiveStream>();
  private timer: NodeJS.Timeout | undefined;
  /** Set by the composition root when recording is available. */
  recorder: StreamRecorder | undefined;
  /** Set by the composition root on a shared database: a broadcast's channel lease, released once its end is recorded. */
  claims: ChannelClaims | undefined;
  /** Set by the composition root when metrics are on: told when a stream's media starts flowing. */
  observer: { streamFlowing(stream: LiveStream): void } | undefined;

  constructor(
    private readonly sessions: SessionLog,
    private readonly log: Logger,
    readonly transcoding?: TranscodeService,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), 1_000);
    this.timer.unref();
  }

  isLive(channelArn: string): boolean {
    return this.byArn.has(channelArn);
  }

  /** The channel's broadcast on this node (announced or not), for a takeover request. */
  liveStream(channelArn: string): LiveStream | undefined {
    const stream = this.byArn.get(channelArn);
    return stream?.ended === false ? stream : undefined;
  }

  /** Broadcasts live on this node, every scope (the cluster's node list shows it). */
  get liveTotal(): number {
    return this.byArn.size;
  }

  liveCount(scope: Scope): number {
    let count = 0;
    for (const s of this.byArn.values()) if (s.channel.account === scope.account && s.channel.region === scope.region) count++;
    return count;
  }

  /** Registers an accepted broadcast; false when the channel got another publisher meanwhile. */
  register(stream: LiveStream): boolean {
    if (this.byArn.has(stream.channel.arn)) return false;
    this.byArn.set(stream.channel.arn, stream);
    this.byPlaybackKey.set(stream.playbackKey, stream);
    this.finished.set(stream, new Promise((resolve) => this.finishers.set(stream, resolve)));
    return true;
  }

  /** Undoes register() when the session could not be persisted. */
  unregister(stream: LiveStream): void {
    if (this.byArn.get(stream.channel.arn) === stream) this.byArn.delete(stream.channel.arn);
    if (this.byPlaybackKey.get(stream.playbackKey) === stream) this.byPlaybackKey.delete(stream.playbackKey);
    this.finishers.get(stream)?.();
  }

  /** Every registered stream (announced or not), for metrics collected at scrape. */
  streams(): IterableIterator<LiveStream> {
    return this.byArn.values();
  }

  /** The stream serving a playback key (`<region>.<account>.channel.<id>`), live or just ended. */
  forPlayback(playbackKey: string): LiveStream | undefined {
    return this.byPlaybackKey.get(playbackKey);
  }

  viewersInScope(scope: Scope): number {
    let total = 0;
    const now = this.now();
    for (const s of this.byArn.values()) {
      if (s.channel.account === scope.account && s.channel.region === scope.region) total += s.viewers.count(now);
    }
    return total;
  }

  /** Undefined until Stream Start: LIVE means the playback URL plays. */
  getLive(channelArn: string): LiveStreamView | undefined {
    const s = this.byArn.get(channelArn);
    return s?.started ? this.view(s) : undefined;
  }

  listLive(scope: Scope): LiveStreamView[] {
    return [...this.byArn.values()]
      .filter((s) => s.started && s.channel.account === scope.account && s.channel.region === scope.region)
      .sort((a, b) => a.startTime.getTime() - b.startTime.getTime() || a.streamId.localeCompare(b.streamId))
      .map((s) => this.view(s));
  }

  async stop(channelArn: string): Promise<boolean> {
    const stream = this.byArn.get(channelArn);
    if (!stream) return false;
    stream.handle.disconnect('StopStream');
    await this.waitFinished(stream, 5_000);
    return true;
  }

  async putMetadata(channelArn: string, text: string): Promise<boolean> {
    const stream = this.byArn.get(channelArn);
    if (!stream?.started) return false;
    const now = this.now();
    if (!this.metadataRate.tryAcquire(channelArn, METADATA_PER_CHANNEL, now)) {
      throw throttled(`Operation: ivs:PutMetadata exceeded call rate: ${METADATA_PER_CHANNEL} for resource: ${channelArn}`);
    }
    const account = `account:${stream.channel.account}`;
    if (!this.metadataRate.tryAcquire(account, METADATA_PER_ACCOUNT, now)) {
      this.metadataRate.release(channelArn);
      throw throttled(
        `Operation: ivs:PutMetadata exceeded call rate: ${METADATA_PER_ACCOUNT} for account: ${stream.channel.account}`,
      );
    }
    const tag = id3TxxxTag(text);
    for (const rendition of stream.renditions.values()) rendition.pushMetadata(tag);
    return true;
  }

  insertAdBreak(channelArn: string, adBreak: AdBreakRequest): Promise<boolean> {
    const stream = this.byArn.get(channelArn);
    if (!stream?.started) return Promise.resolve(false);
    insertAdBreakInto(stream, adBreak, new Date());
    return Promise.resolve(true);
  }

  /** First keyframe: media flows. Recording starts now; Stream Start once the stream plays. */
  mediaStarted(stream: LiveStream): void {
    this.recorder?.streamStarted(stream);
    this.observer?.streamFlowing(stream);
    this.pendingStart.set(
      stream,
      whenPlayable(stream, () => {
        this.pendingStart.delete(stream);
        void this.announceStart(stream);
      }),
    );
  }

  /**
   * Stream Start: from this moment GetStream says LIVE and the multivariant playlist answers (both read `started`),
   * before the event is even written, so a consumer reacting to it finds the stream playing.
   */
  private async announceStart(stream: LiveStream): Promise<void> {
    if (stream.ended || stream.started) return;
    stream.started = true;
    let channelExists = true;
    await this.persist(stream, 'Stream Start', async () => {
      channelExists = await this.sessions.recordIfChannelExists(
        stream.streamId,
        stream.channel.arn,
        [streamStateChange(originOf(stream), 'Stream Start')],
        { doc: { ingestConfiguration: ingestConfiguration(stream) } },
      );
    });
    if (channelExists || stream.ended) return;
    stream.started = false; // it never went live: no Stream End either
    this.log.warn({ channelArn: stream.channel.arn, streamId: stream.streamId }, 'channel deleted while its stream was starting');
    const finished = this.finish(stream, 'kicked', 'The channel was deleted');
    stream.handle.disconnect('channel deleted');
    await finished;
  }

  /** A broadcast ended (publisher left, was stopped, stalled, or broke a rule). Idempotent. */
  async finish(stream: LiveStream, reason: PublishEndReason, failure?: string): Promise<void> {
    if (stream.ended) return this.finished.get(stream);
    stream.ended = true;
    stream.pendingTakeover?.handle.disconnect('the stream ended');
    stream.pendingTakeover = undefined;
    this.pendingStart.get(stream)?.();
    this.pendingStart.delete(stream);
    if (stream.transcoder) void stream.transcoder.stop();
    if (stream.transcodeSlot) this.transcoding?.release();
    stream.remoteTranscode?.release();
    for (const rendition of stream.renditions.values()) rendition.end();
    this.recorder?.streamEnded(stream);
    if (this.byArn.get(stream.channel.arn) === stream) this.byArn.delete(stream.channel.arn);
    const linger = setTimeout(() => {
      if (this.byPlaybackKey.get(stream.playbackKey) === stream) this.byPlaybackKey.delete(stream.playbackKey);
    }, ENDED_LINGER_MS);
    linger.unref();
    const origin = originOf(stream);
    const events: IvsEventEnvelope<object>[] = [];
    const why = failure ?? failureFor(reason);
    if (why) events.push(streamStateChange(origin, 'Stream Failure', why));
    if (stream.started) events.push(streamStateChange(origin, 'Stream End'));
    events.push(streamStateChange(origin, 'Session Ended'));
    this.log.info({ channelArn: stream.channel.arn, streamId: stream.streamId, reason }, 'stream ended');
    if (this.abandoned.has(stream)) return this.finishers.get(stream)?.();
    await this.persist(stream, 'end', () =>
      this.sessions.record(stream.streamId, events, {
        endTime: new Date(this.now()).toISOString(),
        doc: { ingestConfiguration: ingestConfiguration(stream) },
      }),
    );
    await this.claims?.release(stream.channel.arn);
    this.finishers.get(stream)?.();
  }

  /**
   * Another node took the channel's lease over (this node was cut off from the database for longer than a lease)
   * and has ended its session: disconnect the publisher without recording the end a second time.
   */
  abandon(channelArn: string): void {
    const stream = this.byArn.get(channelArn);
    if (!stream) return;
    this.abandoned.add(stream);
    stream.handle.disconnect('channel taken over by another node');
  }

  /** Records events of a live stream's session (takeovers and their refusals); never throws. */
  async recordStreamEvents(
    stream: LiveStream,
    what: string,
    events: IvsEventEnvelope<object>[],
    patch?: StreamSessionPatch,
  ): Promise<void> {
    await this.persist(stream, what, () => this.sessions.record(stream.streamId, events, patch));
  }

  /** Disconnects for a broken ingest limit, with IVS's Limit Breach event. */
  async breach(stream: LiveStream, breach: Breach): Promise<void> {
    if (stream.ended) return;
    this.log.warn({ channelArn: stream.channel.arn, limit: breach.limitName }, 'ingest limit exceeded: disconnecting');
    await this.persist(stream, 'limit breach', () =>
      this.sessions.record(stream.streamId, [
        limitBreach(originOf(stream), {
          name: breach.limitName,
          value: breach.limitValue,
          exceededBy: breach.exceededBy,
          unit: breach.limitUnit,
        }),
      ]),
    );
    // finish() first (it marks the stream ended synchronously), so the end caused by the disconnect
    // below does not race it and lose the failure reason.
    const finished = this.finish(stream, 'kicked', `${breach.limitName} exceeded the ${stream.channel.type} channel limit`);
    stream.handle.disconnect(`${breach.limitName} limit exceeded`);
    await finished;
  }

  /** On shutdown: disconnect every publisher and wait for their sessions to close. */
  async stopAll(timeoutMs = 5_000): Promise<void> {
    clearInterval(this.timer);
    const streams = [...this.byArn.values()];
    for (const s of streams) s.handle.disconnect('server shutting down');
    await Promise.all(streams.map((s) => this.waitFinished(s, timeoutMs)));
  }

  private view(s: LiveStream): LiveStreamView {
    return {
      channelArn: s.channel.arn,
      streamId: s.streamId,
      playbackUrl: s.channel.playbackUrl,
      startTime: s.startTime,
      state: 'LIVE',
      health: s.health.state,
      viewerCount: s.viewers.count(this.now()),
    };
  }

  private tick(): void {
    const now = this.now();
    for (const stream of this.byArn.values()) {
      const change = stream.health.evaluate(now);
      if (change) {
        const name = change === 'STARVING' ? 'Starvation Start' : 'Starvation End';
        void this.persist(stream, name, () =>
          this.sessions.record(stream.streamId, [streamHealthChange(originOf(stream), name)]),
        );
      }
      const bitrate = stream.sampleIngestBitrate(now);
      const breach = bitrate === undefined ? undefined : bitrateBreach(limitsFor(stream.channel.type), bitrate);
      if (breach) void this.breach(stream, breach);
    }
  }

  private waitFinished(stream: LiveStream, timeoutMs: number): Promise<void> {
    const done = this.finished.get(stream) ?? Promise.resolve();
    return Promise.race([done, new Promise<void>((r) => setTimeout(r, timeoutMs).unref())]);
  }

  /** Session writes must never take the media path down: log and carry on. */
  private async persist(stream: LiveStream, what: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      this.log.error({ err, streamId: stream.streamId, what }, 'could not record stream session change');
    }
  }
}

function failureFor(reason: PublishEndReason): string | undefined {
  switch (reason) {
    case 'timeout':
      return 'Ingest stalled: no media received';
    case 'error':
      return 'Ingest connection error';
    default:
      return undefined;
  }
}
