// One accepted SRT caller, as the ingest layer sees it: who it is (address, stream id, the stream key the id named,
// whether the link is encrypted), its data and its end. Data that arrives before a handler is attached (the
// publish authorization is asynchronous) is held, bounded by `maxBufferedBytes`; past that the connection is
// closed with reason 'overflow'. Closing is asynchronous: the handler's `close` follows once libsrt's socket is gone.

import type { SrtStats } from './addon.js';

/** Why a connection ended: 'peer' (caller closed or vanished), 'idle' (no media in time), 'overflow', 'error',
 * 'listener-closed', or the reason given to close() (default 'server'). */
export type SrtCloseReason = string;

export interface SrtConnectionHandler {
  /** MPEG-TS bytes in arrival order; `arrival` is the wall clock of the batch (ms since epoch). */
  data(chunk: Buffer, arrival: number): void;
  close(reason: SrtCloseReason, stats: SrtStats): void;
}

export interface SrtConnectionControl {
  closeConnection(id: number, reason: string): void;
  stats(id: number): SrtStats | null;
}

export interface SrtCallerInfo {
  id: number;
  address: string;
  port: number;
  streamId: string;
  key: string;
  encrypted: boolean;
  latencyMs: number;
}

export class SrtConnection {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The caller's SRTO_STREAMID as sent. A secret (it carries the stream key): never log it. */
  readonly streamId: string;
  /** The stream key the stream id named (the id itself, or `r` of an access-control `#!::` id). A secret. */
  readonly streamKey: string;
  readonly encrypted: boolean;
  /** Negotiated receiver latency. */
  readonly latencyMs: number;
  private handler: SrtConnectionHandler | null = null;
  private held: Array<[Buffer, number]> = [];
  private heldBytes = 0;
  private ended: { reason: SrtCloseReason; stats: SrtStats } | null = null;
  private closing = false;
  bytesReceived = 0;

  constructor(
    info: SrtCallerInfo,
    private readonly control: SrtConnectionControl,
    private readonly maxBufferedBytes: number,
  ) {
    this.id = info.id;
    this.remoteAddress = info.address;
    this.remotePort = info.port;
    this.streamId = info.streamId;
    this.streamKey = info.key;
    this.encrypted = info.encrypted;
    this.latencyMs = info.latencyMs;
  }

  get closed(): boolean {
    return this.ended !== null;
  }

  /** Starts delivery: held data first (synchronously), then live; a connection already closed reports it at once. */
  attach(handler: SrtConnectionHandler): void {
    if (this.handler) throw new Error('SrtConnection.attach: a handler is already attached');
    this.handler = handler;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const [chunk, arrival] of held) handler.data(chunk, arrival);
    if (this.ended) handler.close(this.ended.reason, this.ended.stats);
  }

  close(reason: SrtCloseReason = 'server'): void {
    if (this.closing || this.ended) return;
    this.closing = true;
    this.held = [];
    this.heldBytes = 0;
    this.control.closeConnection(this.id, reason);
  }

  /** Live statistics from libsrt; null once the connection is gone. */
  stats(): SrtStats | null {
    return this.ended ? this.ended.stats : this.control.stats(this.id);
  }

  /** @internal The listener delivers a batch. */
  deliver(chunk: Buffer, arrival: number): void {
    if (this.closing || this.ended) return;
    this.bytesReceived += chunk.length;
    if (this.handler) return this.handler.data(chunk, arrival);
    if (this.heldBytes + chunk.length > this.maxBufferedBytes) return this.close('overflow');
    this.held.push([chunk, arrival]);
    this.heldBytes += chunk.length;
  }

  /** @internal The listener reports the end. */
  finish(reason: SrtCloseReason, stats: SrtStats): void {
    if (this.ended) return;
    this.ended = { reason, stats };
    if (this.handler) this.handler.close(reason, stats);
  }
}
