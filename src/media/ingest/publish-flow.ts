// One connection's publish lifecycle: authorize → live → ended. Authorization runs before any
// NetStream.Publish.Start is sent; while it runs the connection stops reading (TCP holds whatever the
// encoder sends meanwhile, so nothing reaches a session early and memory stays flat). The session's
// onEnd is called exactly once, whichever of unpublish, disconnect, timeout, error or kick comes first —
// even when the authorizer answers after the connection is already gone.

import type { Logger } from 'pino';
import type { RtmpMessage } from './chunk-reader.js';
import { streamKeyLabel, stripQuery } from './log-safe.js';
import { MediaSink } from './media-sink.js';
import { priorityOfPublishName } from './takeover-request.js';
import type { IngestHooks, PublishDecision, PublishEndReason, PublisherHandle, PublishRequest, PublishSession } from './ports.js';
import { fcPublishPayload, statusPayload } from './replies.js';

export interface FlowHost {
  readonly app: string;
  readonly secure: boolean;
  readonly closed: boolean;
  readonly closeReason: PublishEndReason;
  readonly handle: PublisherHandle;
  readonly log: Logger;
  hold(): void;
  release(): void;
  sendStatus(streamId: number, payload: Buffer): void;
  sendStreamBegin(streamId: number): void;
  close(reason: PublishEndReason, detail: string, graceful: boolean): void;
}

type State = 'idle' | 'authorizing' | 'live' | 'done';

/**
 * IVS stream keys are about 60 characters (`sk_<region>_<id>_<secret>`). A longer or empty name cannot be
 * one, so it is refused here without troubling the authorizer (and its store lookup) with it.
 */
export const MAX_STREAM_KEY_LENGTH = 256;

export class PublishFlow {
  private state: State = 'idle';
  private session: PublishSession | null = null;
  private sink: MediaSink | null = null;
  private streamId = 0;
  private label = '';
  private fcPublished = false;

  constructor(
    private readonly host: FlowHost,
    private readonly hooks: IngestHooks,
    private readonly authorizeTimeoutMs: number,
  ) {}

  markFcPublish(): void {
    this.fcPublished = true;
  }

  /** `publish` command: `name` is the stream key, possibly with a `?query` that is not part of it. */
  publish(name: string, streamId: number): void {
    if (this.state !== 'idle') {
      const payload = statusPayload('error', 'NetStream.Publish.BadName', 'this connection is already publishing');
      return this.host.sendStatus(streamId, payload);
    }
    const streamKey = stripQuery(name);
    this.state = 'authorizing';
    this.streamId = streamId;
    this.label = streamKeyLabel(streamKey);
    this.host.hold();
    const req: PublishRequest = {
      app: this.host.app,
      streamKey,
      remoteAddress: this.host.handle.remoteAddress,
      secure: this.host.secure,
    };
    const priority = priorityOfPublishName(name);
    if (priority !== undefined) req.priority = priority;
    this.authorize(req).catch((err: unknown) => this.host.close('error', `publish failed: ${String(err)}`, false));
  }

  /** Audio, video and data messages; dropped unless the publish is live. */
  media(msg: RtmpMessage, arrival: number): void {
    if (this.sink !== null) this.sink.handle(msg, arrival);
  }

  unpublish(): void {
    if (this.state !== 'live') return;
    this.host.log.info({ key: this.label }, 'unpublished');
    this.state = 'done';
    this.endSession('unpublished');
  }

  /** The connection is closing. */
  end(reason: PublishEndReason): void {
    this.state = 'done';
    this.endSession(reason);
  }

  private async authorize(req: PublishRequest): Promise<void> {
    const started = performance.now();
    const decision = await this.decide(req);
    const authMs = Math.round(performance.now() - started);
    if (this.host.closed) {
      if (decision.ok) endQuietly(decision.session, this.host.closeReason, this.host.log);
      return;
    }
    if (!decision.ok) {
      this.state = 'done';
      this.host.log.info({ key: this.label, code: decision.code, authMs }, 'publish refused');
      this.host.sendStatus(this.streamId, statusPayload('error', decision.code, decision.description));
      return this.host.close('error', `publish refused (${decision.code})`, true);
    }
    this.session = decision.session;
    this.sink = new MediaSink(decision.session, this.onUnsupported);
    this.state = 'live';
    this.host.sendStreamBegin(this.streamId);
    if (this.fcPublished) this.host.sendStatus(0, fcPublishPayload('Publishing started.'));
    this.host.sendStatus(this.streamId, statusPayload('status', 'NetStream.Publish.Start', 'Publishing started.'));
    this.host.log.info({ key: this.label, authMs }, 'publish started');
    this.host.release();
  }

  /** `authorize` with a deadline; a throw or a timeout is a refusal, and a late acceptance is ended at once. */
  private async decide(req: PublishRequest): Promise<PublishDecision> {
    if (req.streamKey.length === 0 || req.streamKey.length > MAX_STREAM_KEY_LENGTH) {
      return { ok: false, code: 'NetStream.Publish.BadName', description: 'Invalid stream key' };
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(resolve, this.authorizeTimeoutMs, 'timeout');
    });
    const pending = Promise.resolve().then(() => this.hooks.authorize(req, this.host.handle));
    try {
      const winner = await Promise.race([pending, deadline]);
      if (winner === 'timeout') {
        pending.then(
          (late) => late.ok && endQuietly(late.session, 'timeout', this.host.log),
          () => undefined,
        );
        return denied('authorization timed out');
      }
      if (winner.ok && (winner.session === null || typeof winner.session !== 'object')) {
        return denied('authorization failed');
      }
      return winner;
    } catch (err) {
      this.host.log.warn({ err }, 'authorize failed');
      return denied('authorization failed');
    } finally {
      clearTimeout(timer);
    }
  }

  private readonly onUnsupported = (description: string): void => {
    const session = this.session;
    this.host.log.warn({ key: this.label, description }, 'unsupported media');
    if (session !== null) {
      try {
        session.onUnsupported(description);
      } catch (err) {
        this.host.log.error({ err }, 'session.onUnsupported threw');
      }
    }
    this.host.sendStatus(this.streamId, statusPayload('error', 'NetStream.Publish.Failed', description));
    this.end('error');
    this.host.close('error', description, true);
  };

  private endSession(reason: PublishEndReason): void {
    const session = this.session;
    this.session = null;
    this.sink = null;
    if (session !== null) endQuietly(session, reason, this.host.log);
  }
}

function denied(description: string): PublishDecision {
  return { ok: false, code: 'NetStream.Publish.Denied', description };
}

function endQuietly(session: PublishSession, reason: PublishEndReason, log: Logger): void {
  try {
    session.onEnd(reason);
  } catch (err) {
    log.error({ err }, 'session.onEnd threw');
  }
}
