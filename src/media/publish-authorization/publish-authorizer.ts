// Decides whether a publish may start, before NetStream.Publish.Start: the stream key must exist and
// belong to a channel; plain RTMP only for channels with insecureIngest (or with the server's
// --allow-insecure-ingest); one publisher per channel; the concurrent-broadcasts quota. Wrong keys
// are throttled per source address. Keys are secrets: never logged. The channel's playback restriction policy is
// read here, once per broadcast, into the channel snapshot that playback checks. A publisher that asks for a stream
// takeover (`priority`) on a channel live on this node is judged by registry/takeover.ts instead of being refused.

import type { Logger } from 'pino';
import type { QuotaConfig } from '../../config/types.js';
import { newStreamId } from '../../domain/ids.js';
import type { ChannelClaim, ChannelClaims } from '../../domain/ports.js';
import type { PublicEndpoints } from '../../domain/urls.js';
import { limitBreach, streamStateChange, type IvsEventEnvelope } from '../../events/envelope.js';
import type { EventOutbox } from '../../events/outbox.js';
import type { Store } from '../../storage/store.js';
import type { PublishDecision, PublisherHandle, PublishRequest } from '../ingest/ports.js';
import { snapshotChannel } from './channel-snapshot.js';
import { IngestSession } from '../registry/ingest-session.js';
import { KeyThrottle } from './key-throttle.js';
import { LiveStream, type PackagingOptions } from '../registry/live-stream.js';
import { restrictionFromDoc, type PlaybackRestriction } from '../registry/playback-restriction.js';
import { originOf, type LiveRegistry } from '../registry/registry.js';
import { heldPriority, requestTakeover } from '../registry/takeover.js';
import type { SessionLog } from '../stream-sessions/session-log.js';

export interface AuthorizerOptions {
  store: Store;
  registry: LiveRegistry;
  sessions: SessionLog;
  outbox: EventOutbox;
  endpoints: PublicEndpoints;
  quotas: QuotaConfig;
  allowInsecureIngest: boolean;
  packaging: PackagingOptions;
  log: Logger;
  now?: () => number;
  /**
   * Nodes sharing a database: the channel is claimed cluster-wide (one publisher, the concurrent-broadcasts quota
   * counted over every node) before the publish is accepted. Without it, this process's registry decides.
   */
  claims?: ChannelClaims;
}

/** A stream tracks twice the account's viewer quota in sessions (counted and pending), and at least a thousand. */
const viewerLimitsFor = (quotas: QuotaConfig) => ({ maxTracked: Math.max(1_000, 2 * quotas.concurrentViewers) });

const badKey = (): PublishDecision => ({ ok: false, code: 'NetStream.Publish.BadName', description: 'Invalid stream key' });
const denied = (description: string): PublishDecision => ({ ok: false, code: 'NetStream.Publish.Denied', description });

export class PublishAuthorizer {
  private readonly throttle = new KeyThrottle();
  private readonly now: () => number;

  constructor(private readonly opts: AuthorizerOptions) {
    this.now = opts.now ?? Date.now;
  }

  readonly authorize = async (req: PublishRequest, handle: PublisherHandle): Promise<PublishDecision> => {
    const { store, registry, log } = this.opts;
    if (this.throttle.isBlocked(req.remoteAddress, this.now())) {
      log.warn({ remoteAddress: req.remoteAddress }, 'publish refused: too many invalid stream keys from this address');
      return badKey();
    }
    const key = await store.resources.getByLookup<{ channelArn: string }>('stream-key', req.streamKey);
    const channel = key && (await store.resources.get<Record<string, unknown>>(key.doc.channelArn));
    if (!key || !channel) {
      this.throttle.recordFailure(req.remoteAddress, this.now());
      log.info({ remoteAddress: req.remoteAddress }, 'publish refused: invalid stream key');
      return badKey();
    }
    if (!req.secure && channel.doc.insecureIngest !== true && !this.opts.allowInsecureIngest) {
      return denied('This channel accepts RTMPS only (insecureIngest is false); use rtmps:// or set insecureIngest');
    }
    if (registry.isLive(channel.arn)) {
      if (req.priority === undefined) return denied('This channel already has an active broadcast');
      return this.takeover(req.priority, handle, channel.arn);
    }
    const restriction = await this.restriction(channel.arn, channel.doc);
    if (restriction === null) return denied('Internal error: could not read the playback restriction policy of this channel');
    const stream = new LiveStream(
      newStreamId(),
      snapshotChannel(channel, this.opts.endpoints, restriction),
      new Date(this.now()),
      handle,
      this.opts.packaging,
      viewerLimitsFor(this.opts.quotas),
    );
    stream.priority = heldPriority(req.priority);
    const claim = await this.claim(channel);
    if (!claim.ok && claim.reason === 'held' && req.priority !== undefined) {
      return denied('Stream takeover refused: this channel is live on another node; take over through that node');
    }
    if (!claim.ok && claim.reason === 'held') return denied('This channel already has an active broadcast');
    if (!claim.ok) {
      await this.recordRefusal(
        limitBreach(originOf(stream), {
          name: 'Concurrent Broadcasts',
          value: this.opts.quotas.concurrentBroadcasts,
          exceededBy: 1,
          unit: 'count',
        }),
      );
      return denied(`Concurrent broadcasts quota (${this.opts.quotas.concurrentBroadcasts}) reached for this account and region`);
    }
    if (registry.transcoding?.wants(stream.channel.type)) {
      // A slot here first; in a cluster, one on another node (the source is relayed there); refused when none has one.
      if (registry.transcoding.reserve()) stream.transcodeSlot = true;
      else stream.remoteTranscode = await registry.transcoding.reserveRemote();
      if (!stream.transcodeSlot && stream.remoteTranscode === undefined) {
        await this.opts.claims?.release(channel.arn);
        await this.recordRefusal(streamStateChange(originOf(stream), 'Stream Failure', 'Transcode capacity exceeded'));
        const where = registry.transcoding.remote
          ? 'no node of the cluster has a free transcode slot'
          : 'this server is already transcoding as many streams as it can';
        return denied(`Transcode capacity exceeded: ${where}`);
      }
    }
    if (!registry.register(stream)) {
      if (stream.transcodeSlot) registry.transcoding?.release();
      stream.remoteTranscode?.release();
      await this.opts.claims?.release(channel.arn);
      return denied('This channel already has an active broadcast');
    }
    stream.recordingConfiguration = await this.recordingConfiguration(channel.doc);
    try {
      await this.opts.sessions.open(
        {
          origin: originOf(stream, stream.startTime),
          startTime: stream.startTime,
          channelDoc: stream.channel.doc,
          recordingConfiguration: stream.recordingConfiguration,
        },
        [streamStateChange(originOf(stream, stream.startTime), 'Session Created')],
      );
    } catch (err) {
      registry.unregister(stream);
      if (stream.transcodeSlot) registry.transcoding?.release();
      stream.remoteTranscode?.release();
      await this.opts.claims?.release(channel.arn);
      log.error({ err, channelArn: channel.arn }, 'publish refused: could not record the stream session');
      return denied('Internal error: could not start the stream session');
    }
    log.info({ channelArn: channel.arn, streamId: stream.streamId, secure: req.secure }, 'stream session created');
    return { ok: true, session: new IngestSession(registry, stream) };
  };

  /** A takeover request on a channel live here: accepted (the backup's session) or refused with IVS's event code. */
  private async takeover(priority: number, handle: PublisherHandle, channelArn: string): Promise<PublishDecision> {
    const stream = this.opts.registry.liveStream(channelArn);
    if (stream === undefined) return denied('This channel already has an active broadcast');
    const verdict = await requestTakeover(this.opts.registry, stream, handle, priority, this.now());
    if (!verdict.ok) {
      this.opts.log.info({ channelArn, streamId: stream.streamId, code: verdict.code }, 'stream takeover refused');
      return denied(`Stream takeover refused (${verdict.code})`);
    }
    this.opts.log.info({ channelArn, streamId: stream.streamId, priority }, 'stream takeover accepted: waiting for a keyframe');
    return verdict;
  }

  /**
   * A caller that ingest refused before asking (an SRT handshake with an unknown key or a wrong passphrase) counts
   * like a wrong key here; returns how long its address is now blocked, so ingest can refuse it at the door too.
   */
  readonly refusedKey = (remoteAddress: string): number => {
    this.throttle.recordFailure(remoteAddress, this.now());
    return this.throttle.blockedForMs(remoteAddress, this.now());
  };

  /** One broadcast per channel and the concurrent-broadcasts quota: cluster-wide with claims, else this process. */
  private async claim(channel: { arn: string; account: string; region: string }): Promise<ChannelClaim> {
    const max = this.opts.quotas.concurrentBroadcasts;
    const scope = { account: channel.account, region: channel.region };
    if (this.opts.claims === undefined)
      return this.opts.registry.liveCount(scope) >= max ? { ok: false, reason: 'quota' } : { ok: true };
    try {
      return await this.opts.claims.claim(scope, channel.arn, max);
    } catch (err) {
      this.opts.log.error({ err, channelArn: channel.arn }, 'publish refused: could not claim the channel');
      throw err;
    }
  }

  /** The channel's recording configuration document, read once per broadcast (sessions show it too). */
  private async recordingConfiguration(channel: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    const arn = channel.recordingConfigurationArn;
    if (typeof arn !== 'string' || arn === '') return undefined;
    try {
      return (await this.opts.store.resources.get<Record<string, unknown>>(arn))?.doc;
    } catch (err) {
      this.opts.log.error({ err, recordingConfigurationArn: arn }, 'could not read the recording configuration');
      return undefined;
    }
  }

  /**
   * The channel's playback restriction policy; undefined when it has none. null when it names one that cannot be
   * read: the broadcast is then refused (fail closed) rather than played without the restrictions its owner set.
   */
  private async restriction(
    channelArn: string,
    channel: Record<string, unknown>,
  ): Promise<PlaybackRestriction | undefined | null> {
    const arn = channel.playbackRestrictionPolicyArn;
    if (typeof arn !== 'string' || arn === '') return undefined;
    try {
      const policy = await this.opts.store.resources.get<Record<string, unknown>>(arn);
      if (policy) return restrictionFromDoc(policy.doc);
      this.opts.log.error({ channelArn, playbackRestrictionPolicyArn: arn }, 'publish refused: restriction policy not found');
    } catch (err) {
      this.opts.log.error(
        { err, channelArn, playbackRestrictionPolicyArn: arn },
        'publish refused: restriction policy unreadable',
      );
    }
    return null;
  }

  /** A refused publish has no session; its event still goes through the outbox. Never throws. */
  private async recordRefusal(event: IvsEventEnvelope<object>): Promise<void> {
    try {
      await this.opts.outbox.transaction(this.opts.store, async (_tx, emit) => emit(event));
    } catch (err) {
      this.opts.log.error({ err, detailType: event['detail-type'] }, 'could not record a refused publish');
    }
  }
}
