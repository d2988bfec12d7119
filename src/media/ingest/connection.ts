// One RTMP(S) connection: socket lifecycle, handshake, chunk demultiplexing, and dispatch of messages to
// the control, command and publish layers. Until its publish is accepted the peer is unauthenticated and
// held to the setup limits (limits.ts) and deadlines: the handshake within handshakeTimeoutMs and the
// `publish` command within setupTimeoutMs of the TCP connect. Every way out (protocol error, exceeded
// limit, idle/setup timeout, TCP reset, refusal, kick, server shutdown) goes through `close`, which runs
// once, releases buffers and ends the publish session with the matching reason. Handlers are methods
// bound once per connection, so the per-message path allocates no closures.

import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { decodeAmf0 } from './amf0.js';
import { ByteQueue } from './byte-queue.js';
import { ChunkReader, type RtmpMessage } from './chunk-reader.js';
import { ChunkWriter } from './chunk-writer.js';
import { handleCommand, PUBLISH_STREAM_ID, type CommandHost } from './commands.js';
import { ackPayload, AckTracker, handleControl } from './control.js';
import { AmfError, AmfLimitError, BitstreamError, IngestLimitError, IngestProtocolError } from './errors.js';
import { ServerHandshake } from './handshake.js';
import type { IngestConfig } from './ingest-config.js';
import { COMMAND_AMF_LIMITS, liveLimits, setupLimits } from './limits.js';
import { CSID, MSG, USER_CONTROL, userControlPayload } from './messages.js';
import type { IngestHooks, PublishEndReason, PublisherHandle } from './ports.js';
import { PublishFlow, type FlowHost } from './publish-flow.js';
import { errorPayload, statusPayload } from './replies.js';
import { readIntoSharedBuffer } from './shared-read-buffer.js';

export interface ConnectionContext {
  hooks: IngestHooks;
  config: IngestConfig;
  secure: boolean;
  log: Logger;
  /** Read through the shared buffer (a plain socket accepted paused) instead of 'data' events, where node allows it. */
  sharedReads: boolean;
  /** The publish was accepted: the connection is no longer an unauthenticated one. */
  onPublished(conn: RtmpConnection): void;
  onClosed(conn: RtmpConnection): void;
}

export class RtmpConnection implements PublisherHandle, FlowHost, CommandHost {
  readonly remoteAddress: string;
  readonly secure: boolean;
  readonly log: Logger;
  bytesReceived = 0;
  app = '';
  connected = false;
  closed = false;
  closeReason: PublishEndReason = 'disconnected';
  private readonly queue = new ByteQueue();
  private readonly handshake = new ServerHandshake();
  private readonly reader: ChunkReader;
  private readonly writer = new ChunkWriter();
  private readonly acks = new AckTracker();
  readonly flow: PublishFlow;
  readonly config: IngestConfig;
  private held = false;
  /** True once the publish is accepted: the live limits apply from then on. */
  private live = false;
  private arrival = 0;
  /** Bytes read and dropped after a graceful close. */
  private drained = 0;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private setupTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: ConnectionContext,
  ) {
    this.config = ctx.config;
    this.secure = ctx.secure;
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.log = ctx.log;
    this.reader = new ChunkReader(setupLimits(ctx.config));
    this.flow = new PublishFlow(this, ctx.hooks, ctx.config.authorizeTimeoutMs);
    socket.setNoDelay(true);
    socket.setTimeout(this.config.idleTimeoutMs);
    if (!(ctx.sharedReads === true && readIntoSharedBuffer(socket, this.onSharedRead))) {
      socket.on('data', this.onData);
      socket.resume(); // a plain socket was accepted paused (pauseOnConnect), for the shared buffer
    }
    socket.on('timeout', this.onTimeout);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    this.handshakeTimer = setTimeout(this.onHandshakeTimeout, this.config.handshakeTimeoutMs);
    // A peer that keeps talking (pings, createStream …) without ever publishing must not hold a slot.
    this.setupTimer = setTimeout(this.onSetupTimeout, this.config.setupTimeoutMs);
  }

  get handle(): PublisherHandle {
    return this;
  }

  disconnect(reason: string): void {
    this.close('kicked', `disconnected: ${reason}`, false);
  }

  /** Ends the connection once; `graceful` lets queued replies (a refusal status) reach the peer first. */
  close(reason: PublishEndReason, detail: string, graceful: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.setupTimer);
    this.queue.clear();
    this.reader.reset();
    // Port scanners and broken clients that never got past connect are debug noise, not operator news.
    const level = this.connected ? 'info' : 'debug';
    this.log[level]({ reason, detail, bytesReceived: this.bytesReceived }, 'rtmp connection closed');
    this.flow.end(reason);
    this.ctx.onClosed(this);
    if (graceful && !this.socket.destroyed) {
      this.socket.end();
      this.socket.resume(); // discard further input so the peer's FIN can complete the close early
      setTimeout(destroySocket, this.config.closeGraceMs, this.socket);
    } else {
      this.socket.destroy();
    }
  }

  // --- socket events -------------------------------------------------------------------------------

  private readonly onData = (buf: Buffer): void => {
    if (this.closed) return this.drain(buf.length);
    this.bytesReceived += buf.length;
    this.arrival = Date.now();
    const ack = this.acks.received(buf.length);
    if (ack >= 0 && this.handshake.complete) this.send(CSID.CONTROL, MSG.ACK, 0, ackPayload(ack));
    this.queue.push(buf);
    this.pump();
  };

  /** Bytes in the shared read buffer, which the next read of any connection overwrites: what stays unparsed is copied. */
  private readonly onSharedRead = (buf: Buffer): void => {
    this.onData(buf);
    this.queue.ownUnread();
  };

  /**
   * After a graceful close the peer's further bytes are read and dropped, so its FIN is seen early — but
   * only up to DRAIN_LIMIT: a peer still pushing the rest of an oversized message is then simply no
   * longer read (TCP stops it) until the grace timer destroys the socket. Destroying at once instead
   * would reset the connection and could discard our refusal before the peer has read it.
   */
  private drain(n: number): void {
    this.drained += n;
    if (this.drained > DRAIN_LIMIT) this.socket.pause();
  }

  private readonly onTimeout = (): void => {
    this.close('timeout', `no data for ${this.config.idleTimeoutMs} ms`, false);
  };

  private readonly onHandshakeTimeout = (): void => {
    this.close('timeout', 'handshake not completed in time', false);
  };

  private readonly onSetupTimeout = (): void => {
    this.close('timeout', `no publish command within ${this.config.setupTimeoutMs} ms`, false);
  };

  private readonly onError = (err: Error): void => {
    this.close('disconnected', `socket error: ${err.message}`, false);
  };

  private readonly onClose = (): void => {
    this.close('disconnected', 'peer closed the connection', false);
  };

  // --- parsing -------------------------------------------------------------------------------------

  private pump(): void {
    try {
      if (!this.handshake.complete && !this.advanceHandshake()) return;
      while (!this.closed && !this.held) {
        const msg = this.reader.read(this.queue);
        if (msg === null) return;
        this.dispatch(msg);
      }
    } catch (err) {
      this.fail(err);
    }
  }

  private advanceHandshake(): boolean {
    for (;;) {
      const reply = this.handshake.advance(this.queue);
      if (reply !== null) this.socket.write(reply);
      if (this.handshake.complete) {
        clearTimeout(this.handshakeTimer);
        return true;
      }
      if (reply === null) return false;
    }
  }

  private dispatch(msg: RtmpMessage): void {
    switch (msg.type) {
      case MSG.AUDIO:
      case MSG.VIDEO:
      case MSG.DATA_AMF0:
      case MSG.DATA_AMF3:
      case MSG.AGGREGATE:
        return this.flow.media(msg, this.arrival);
      case MSG.COMMAND_AMF0:
        return handleCommand(this, decodeAmf0(msg.payload, 0, COMMAND_AMF_LIMITS), msg.streamId);
      case MSG.COMMAND_AMF3: // AMF0 behind a format selector byte
        return handleCommand(this, decodeAmf0(msg.payload, 1, COMMAND_AMF_LIMITS), msg.streamId);
      default:
        return handleControl(msg, this.acks, this);
    }
  }

  private fail(err: unknown): void {
    if (err instanceof IngestLimitError || err instanceof AmfLimitError) {
      this.refuse(err.message);
    } else if (err instanceof IngestProtocolError || err instanceof AmfError) {
      this.close('error', `${err.name}: ${err.message}`, false);
    } else if (err instanceof BitstreamError) {
      const description = `invalid media: ${err.message}`;
      this.sendStatus(PUBLISH_STREAM_ID, statusPayload('error', 'NetStream.Publish.Failed', description));
      this.close('error', description, true);
    } else {
      this.log.error({ err }, 'rtmp connection failed');
      this.close('error', 'internal error', false);
    }
  }

  /**
   * A bound was exceeded: tell the peer in the form it is waiting for (the connect's `_error`, a
   * NetConnection status, or a publish failure), then close once it had a moment to read it.
   */
  private refuse(description: string): void {
    if (this.live) {
      this.sendStatus(PUBLISH_STREAM_ID, statusPayload('error', 'NetStream.Publish.Failed', description));
    } else if (!this.connected) {
      // Nothing was decoded yet (the offending message may be the connect), but encoders send connect as transaction 1.
      this.send(CSID.COMMAND, MSG.COMMAND_AMF0, 0, errorPayload(1, 'NetConnection.Connect.Rejected', description));
    } else {
      this.sendStatus(0, statusPayload('error', 'NetConnection.Connect.Rejected', description));
    }
    this.close('error', `refused: ${description}`, true);
  }

  // --- host operations (commands, publish flow, control) -------------------------------------------

  send(csid: number, type: number, streamId: number, payload: Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(this.writer.encode(csid, type, streamId, 0, payload));
    if (this.socket.writableLength > this.config.maxWriteBuffer) {
      this.close('error', 'peer does not read what the server sends', false);
    }
  }

  accept(app: string): void {
    this.app = app;
    this.connected = true;
  }

  setOutChunkSize(size: number): void {
    this.writer.chunkSize = size;
  }

  sendStatus(streamId: number, payload: Buffer): void {
    this.send(CSID.STATUS, MSG.COMMAND_AMF0, streamId, payload);
  }

  sendStreamBegin(streamId: number): void {
    this.send(CSID.CONTROL, MSG.USER_CONTROL, 0, userControlPayload(USER_CONTROL.STREAM_BEGIN, streamId));
  }

  /** Stops reading while a publish is authorized (TCP backpressure keeps early media out of memory). */
  hold(): void {
    clearTimeout(this.setupTimer); // publish arrived: the setup deadline is met
    this.held = true;
    this.socket.pause();
    this.socket.setTimeout(0); // the authorizer has its own deadline
  }

  /** The publish was accepted (this happens once): media may flow, under the live limits. */
  release(): void {
    if (this.closed) return;
    this.held = false;
    this.live = true;
    this.reader.setLimits(liveLimits(this.config));
    this.ctx.onPublished(this);
    this.socket.setTimeout(this.config.idleTimeoutMs);
    this.pump(); // messages that arrived behind `publish` in the same read
    if (!this.closed && !this.held) this.socket.resume();
  }
}

const DRAIN_LIMIT = 256 * 1024;

function destroySocket(socket: Socket): void {
  socket.destroy();
}
