// SrtListener: the ingest layer's handle on one SRT listener (UDP host:port, live mode). It owns the stream-key
// table the native listen callback decides from — keys the ingest layer sets here are the only callers accepted, and
// a key's passphrase (or null for an unencrypted channel) is what the caller must match, checked by libsrt in the
// handshake — and turns the addon's event batches into SrtConnection objects and refusal notices.
//
// Why a table and not a JS callback per caller: libsrt runs the listen callback on the receiver thread of the UDP
// port, the same thread that carries every accepted caller's packets; waiting there on the event loop (even with a
// timeout) would stall every live stream on the port, and a flood of handshakes would stall it for good. The table
// is read under a mutex in microseconds; the ingest layer keeps it current as keys are created and deleted.

import { isIP } from 'node:net';
import { loadSrtAddon, type NativeEvent, type NativeListener, type NativeListenerOptions, type SrtStats } from './addon.js';
import { SrtConnection } from './connection.js';

export interface SrtListenerOptions extends NativeListenerOptions {
  /** Data held per connection until a handler is attached (see SrtConnection.attach). */
  maxBufferedBytes?: number;
  /** Path of the addon (default: native/srt/build/Release/openivs_srt.node). */
  addonPath?: string;
}

/**
 * Why a caller was refused, and what it saw:
 * - 'bad-stream-id': no stream id, longer than 512 bytes, or `#!::` without `r` → SRT reject 1400 (or 1405 for m≠publish)
 * - 'unknown-key': the stream id names no key in the table → SRT reject 1403 (Forbidden)
 * - 'overload': maxConnections / maxPending reached → SRT reject 1402
 * - 'wrong-passphrase': the key needs encryption and the caller's passphrase is wrong (SRT_REJ_BADSECRET) or absent
 *   (SRT_REJ_UNSECURE); libsrt's Key Material check fails the handshake after the callback accepted the stream id
 * - 'unexpected-passphrase': the key is unencrypted but the caller encrypts → SRT_REJ_UNSECURE
 * - 'handshake-timeout': the handshake accepted by the callback never completed
 * - 'throttled': the address is blocked (blockAddress: too many wrong keys) → SRT reject 1403, before any lookup
 */
export type SrtRefusalReason =
  'bad-stream-id' | 'unknown-key' | 'overload' | 'wrong-passphrase' | 'unexpected-passphrase' | 'handshake-timeout' | 'throttled';

export interface SrtRefusal {
  reason: SrtRefusalReason;
  address: string;
  port: number;
  /** The SRT_REJX_* code sent to the caller, 0 when libsrt chose the code itself. */
  rejectCode: number;
}

export interface SrtListenerHandlers {
  /** A caller passed the handshake; attach a handler (now or after an asynchronous check) or close it. */
  connection(conn: SrtConnection): void;
  refused?(refusal: SrtRefusal): void;
  /** A handler threw; the connection has been closed with reason 'error'. */
  error(err: unknown, conn: SrtConnection): void;
}

const DEFAULT_MAX_BUFFERED = 4 * 1024 * 1024;

export class SrtListener {
  private readonly native: NativeListener;
  private readonly connections = new Map<number, SrtConnection>();
  private readonly keys = new Map<string, string | null>();
  private closed = false;
  private readonly ended: Promise<void>;
  private resolveEnded!: () => void;
  private readonly maxBuffered: number;

  /** Binds and starts listening; throws SrtUnavailableError without the addon, or libsrt's error (port in use …). */
  static listen(options: SrtListenerOptions, handlers: SrtListenerHandlers): SrtListener {
    return new SrtListener(options, handlers);
  }

  private constructor(
    options: SrtListenerOptions,
    private readonly handlers: SrtListenerHandlers,
  ) {
    if (isIP(options.host) === 0)
      throw new TypeError(`SRT listener host must be an IP address, got ${JSON.stringify(options.host)}`);
    this.maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    const { maxBufferedBytes: _buffered, addonPath, ...nativeOptions } = options;
    const addon = loadSrtAddon(addonPath);
    this.native = addon.createListener(nativeOptions, (events) => this.onEvents(events));
  }

  /** The bound UDP port (useful with port 0). */
  get port(): number {
    return this.native.port;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Accepts callers naming `streamKey`; `passphrase` (10–79 bytes) makes encryption mandatory, null forbids it. */
  setKey(streamKey: string, passphrase: string | null): void {
    this.native.setKey(streamKey, passphrase);
    this.keys.set(streamKey, passphrase);
  }

  /** Refuses new callers naming `streamKey` (a connection already accepted is not affected). */
  deleteKey(streamKey: string): boolean {
    this.keys.delete(streamKey);
    return this.native.deleteKey(streamKey);
  }

  /** Refuses every caller from `address` for `ms` (0 lifts the block), in the handshake, before any key lookup. */
  blockAddress(address: string, ms: number): void {
    if (!this.closed) this.native.blockAddress(address, Math.min(Math.max(0, Math.ceil(ms)), 2 ** 31 - 1));
  }

  /** Makes the table exactly `entries`: new ones are added before stale ones go, so no valid key is ever missing. */
  replaceKeys(entries: Iterable<readonly [string, string | null]>): void {
    const next = new Map(entries);
    for (const [key, passphrase] of next)
      if (this.keys.get(key) !== passphrase || !this.keys.has(key)) this.setKey(key, passphrase);
    for (const key of [...this.keys.keys()]) if (!next.has(key)) this.deleteKey(key);
  }

  get keyCount(): number {
    return this.native.keyCount();
  }

  /** Stops listening and closes every connection (each handler's `close` runs with 'listener-closed'). */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.native.close();
    }
    return this.ended;
  }

  private onEvents(events: NativeEvent[]): void {
    const arrival = Date.now();
    for (const ev of events) {
      switch (ev.type) {
        case 'data':
          this.guard(this.connections.get(ev.id), (conn) => conn.deliver(ev.data, arrival));
          break;
        case 'accepted':
          this.accepted(ev);
          break;
        case 'closed':
          this.closedConnection(ev.id, ev.reason, ev.stats);
          break;
        case 'rejected':
          this.handlers.refused?.(refusal(ev));
          break;
        case 'end':
          for (const [id] of this.connections) this.closedConnection(id, 'listener-closed', emptyStats());
          this.resolveEnded();
          break;
      }
    }
  }

  private accepted(ev: Extract<NativeEvent, { type: 'accepted' }>): void {
    const control = {
      closeConnection: (id: number, reason: string) => this.closeConnection(id, reason),
      stats: (id: number) => this.native.stats(id),
    };
    const conn = new SrtConnection(ev, control, this.maxBuffered);
    this.connections.set(ev.id, conn);
    this.guard(conn, (c) => this.handlers.connection(c));
  }

  private closeConnection(id: number, reason: string): void {
    if (!this.closed) this.native.closeConnection(id, reason);
  }

  private closedConnection(id: number, reason: string, stats: SrtStats): void {
    const conn = this.connections.get(id);
    if (!conn) return;
    this.connections.delete(id);
    this.guard(conn, (c) => c.finish(reason, stats));
  }

  /** Runs ingest code for one connection; an exception closes that connection only. */
  private guard(conn: SrtConnection | undefined, fn: (conn: SrtConnection) => void): void {
    if (!conn) return;
    try {
      fn(conn);
    } catch (err) {
      conn.close('error');
      this.handlers.error(err, conn);
    }
  }
}

function refusal(ev: Extract<NativeEvent, { type: 'rejected' }>): SrtRefusal {
  let reason: SrtRefusalReason;
  if (ev.reason === 'handshake-failed') reason = ev.secure ? 'wrong-passphrase' : 'unexpected-passphrase';
  else reason = ev.reason as SrtRefusalReason;
  return { reason, address: ev.address, port: ev.port, rejectCode: ev.rejectCode };
}

function emptyStats(): SrtStats {
  return {
    bytesReceived: 0,
    packetsReceived: 0,
    packetsLost: 0,
    packetsRetransmitted: 0,
    packetsDropped: 0,
    packetsUndecrypted: 0,
    rttMs: 0,
    receiveRateMbps: 0,
    latencyMs: 0,
    bytesDroppedQueue: 0,
  };
}
