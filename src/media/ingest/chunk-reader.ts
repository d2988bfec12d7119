// RTMP chunk stream demultiplexer: turns the byte stream after the handshake into whole messages.
// Handles all four chunk header formats, extended timestamps (also on fmt 3 chunks when the chunk stream's
// last header carried one, as the spec, ffmpeg and librtmp write them — tolerating encoders that omit
// them), Set Chunk Size and Abort. Memory is bounded by limits the owner may tighten per phase (see
// limits.ts): a message's announced length is checked against the bound for its type as soon as its
// header is read, before anything is allocated or buffered; the messages being assembled at once are
// capped in number and in bytes together; the chunk streams are capped; and an optional budget bounds
// the bytes of every message announced under the current limits. Payload bytes are copied exactly once,
// from the socket buffers into a buffer of the message's size (carved from a slab, payload-slab.ts), as they arrive
// (the queue therefore never holds more than one partial chunk header).

import type { ByteQueue } from './byte-queue.js';
import { IngestLimitError, IngestProtocolError } from './errors.js';
import { MAX_CHUNK_SIZE, MSG } from './messages.js';
import { PayloadSlab } from './payload-slab.js';

export interface RtmpMessage {
  type: number;
  streamId: number;
  /** Milliseconds, 32-bit RTMP clock (wraps at 2^32). */
  timestamp: number;
  csid: number;
  payload: Buffer;
}

export interface ChunkReaderLimits {
  /** Largest message of any type. */
  maxMessageSize: number;
  /** A tighter bound per message type, when set. */
  maxSizeOf?: (type: number) => number;
  /** Bytes held by partially received messages together. */
  maxPendingBytes: number;
  /** Partially received messages at once. */
  maxPartialMessages: number;
  /** Chunk stream ids ever used on the connection. */
  maxChunkStreams: number;
  /** Payload bytes that every message announced under these limits may add up to; unbounded when absent. */
  budgetBytes?: number;
  /** Names these limits in errors, e.g. 'before publish'. */
  phase?: string;
  /**
   * Carve payloads from shared slabs (payload-slab.ts). Only once publishing: before authentication a message costs
   * exactly its own bytes, never a 256 kB slab.
   */
  carvePayloads?: boolean;
}

export const DEFAULT_CHUNK_LIMITS: ChunkReaderLimits = {
  maxMessageSize: 16 * 1024 * 1024,
  maxPendingBytes: 32 * 1024 * 1024,
  maxPartialMessages: 8,
  maxChunkStreams: 64,
};

interface ChunkStream {
  csid: number;
  timestamp: number;
  /** The last header's timestamp field (absolute for fmt 0, a delta otherwise); fmt 3 repeats it. */
  tsField: number;
  extended: boolean;
  length: number;
  type: number;
  streamId: number;
  payload: Buffer | null;
  received: number;
}

const MESSAGE_HEADER_SIZE = [11, 7, 3, 0] as const;
const TS_MOD = 0x1_0000_0000;
const HEADER_CHARGE = 12;

export class ChunkReader {
  /** Incoming chunk size, changed by the peer's Set Chunk Size. */
  chunkSize = 128;
  private readonly streams = new Map<number, ChunkStream>();
  private current: ChunkStream | null = null;
  private chunkLeft = 0;
  private pendingBytes = 0;
  private partials = 0;
  /** Payload bytes announced since the limits were last set (charged against `budgetBytes`). */
  private announced = 0;
  private readonly scratch = Buffer.allocUnsafe(18);
  private readonly slab = new PayloadSlab();

  constructor(private limits: ChunkReaderLimits = DEFAULT_CHUNK_LIMITS) {}

  /** Replaces the limits (the owner's phase changed); the budget starts again from zero. */
  setLimits(limits: ChunkReaderLimits): void {
    this.limits = limits;
    this.announced = 0;
  }

  /** Bytes held by partially assembled messages. */
  get pending(): number {
    return this.pendingBytes;
  }

  /** The next complete message, or null when `q` runs out first. Throws IngestProtocolError on bad input. */
  read(q: ByteQueue): RtmpMessage | null {
    for (;;) {
      if (this.current === null && !this.readHeader(q)) return null;
      const msg = this.readPayload(q);
      if (msg !== null) {
        if (msg.type === MSG.SET_CHUNK_SIZE || msg.type === MSG.ABORT) {
          this.applyControl(msg);
          continue;
        }
        return msg;
      }
      if (this.current !== null) return null;
    }
  }

  /** Releases partially assembled messages (connection closing). */
  reset(): void {
    this.streams.clear();
    this.current = null;
    this.pendingBytes = 0;
    this.partials = 0;
  }

  private readHeader(q: ByteQueue): boolean {
    if (q.length < 1) return false;
    const b0 = q.byteAt(0);
    const fmt = b0 >> 6;
    const low = b0 & 0x3f;
    const basic = low === 0 ? 2 : low === 1 ? 3 : 1;
    let need = basic + MESSAGE_HEADER_SIZE[fmt as 0 | 1 | 2 | 3];
    if (q.length < need) return false;
    const h = this.scratch;
    q.peekInto(h, 0, need);
    const csid = basic === 1 ? low : basic === 2 ? 64 + h[1]! : 64 + h[1]! + h[2]! * 256;
    const cs = this.stream(csid, fmt);
    const tsField = fmt === 3 ? 0 : h.readUIntBE(basic, 3);
    let extended = fmt === 3 ? cs.extended : tsField === 0xffffff;
    if (extended) {
      if (q.length < need + 4) return false;
      q.peekInto(h, 0, need + 4);
      // Some encoders omit the repeated extended timestamp on fmt 3 chunks; like SRS, take the 4 bytes as
      // a timestamp only if they repeat the one in force, else leave them as payload.
      if (fmt !== 3 || h.readUInt32BE(need) === cs.tsField) need += 4;
      else extended = false;
    }
    const ts = extended ? h.readUInt32BE(need - 4) : tsField;
    this.applyHeader(cs, fmt, basic, ts, extended);
    q.skip(need);
    this.current = cs;
    this.chunkLeft = Math.min(this.chunkSize, cs.length - cs.received);
    return true;
  }

  private stream(csid: number, fmt: number): ChunkStream {
    let cs = this.streams.get(csid);
    if (cs !== undefined) return cs;
    if (fmt !== 0) throw new IngestProtocolError(`chunk stream ${csid} starts with a fmt ${fmt} header`);
    if (this.streams.size >= this.limits.maxChunkStreams) {
      throw new IngestLimitError(`too many chunk streams (limit ${this.limits.maxChunkStreams})`);
    }
    cs = { csid, timestamp: 0, tsField: 0, extended: false, length: 0, type: 0, streamId: 0, payload: null, received: 0 };
    this.streams.set(csid, cs);
    return cs;
  }

  private applyHeader(cs: ChunkStream, fmt: number, basic: number, ts: number, extended: boolean): void {
    if (fmt === 3 && cs.payload !== null) return; // continuation chunk: nothing changes
    if (cs.payload !== null) this.discard(cs); // a new header mid-message: the old message is abandoned
    const h = this.scratch;
    if (fmt <= 1) {
      cs.length = h.readUIntBE(basic + 3, 3);
      cs.type = h[basic + 6]!;
    }
    if (fmt === 0) {
      cs.streamId = h.readUInt32LE(basic + 7);
      cs.timestamp = ts;
    } else {
      // fmt 3 starting a message adds the previous field again (ffmpeg/SRS semantics).
      cs.timestamp = (cs.timestamp + (fmt === 3 ? cs.tsField : ts)) % TS_MOD;
    }
    if (fmt !== 3) {
      cs.tsField = ts;
      cs.extended = extended;
    }
    this.startMessage(cs);
  }

  /** Checks a new message's announced length against every bound, then allocates its buffer. */
  private startMessage(cs: ChunkStream): void {
    const l = this.limits;
    const max = Math.min(l.maxMessageSize, l.maxSizeOf?.(cs.type) ?? Infinity);
    const phase = l.phase === undefined ? '' : ` ${l.phase}`;
    if (cs.length > max) {
      throw new IngestLimitError(`message of ${cs.length} bytes (type ${cs.type}) exceeds the ${max}-byte limit${phase}`);
    }
    // Each message is charged its header too, so a stream of empty messages also runs out of budget.
    this.announced += cs.length + HEADER_CHARGE;
    if (this.announced > (l.budgetBytes ?? Infinity)) {
      throw new IngestLimitError(`messages of more than ${l.budgetBytes} bytes together${phase}`);
    }
    if (this.pendingBytes + cs.length > l.maxPendingBytes) {
      throw new IngestLimitError(`too many bytes in partially received messages${phase}`);
    }
    if (cs.length > 0 && this.partials >= l.maxPartialMessages) {
      throw new IngestLimitError(`more than ${l.maxPartialMessages} partially received messages${phase}`);
    }
    this.pendingBytes += cs.length;
    if (cs.length > 0) this.partials++;
    cs.payload = l.carvePayloads === true ? this.slab.take(cs.length) : Buffer.allocUnsafe(cs.length);
    cs.received = 0;
  }

  private readPayload(q: ByteQueue): RtmpMessage | null {
    const cs = this.current!;
    const n = Math.min(this.chunkLeft, q.length);
    if (n > 0) q.readInto(cs.payload!, cs.received, n);
    cs.received += n;
    this.chunkLeft -= n;
    if (this.chunkLeft > 0) return null;
    this.current = null;
    if (cs.received < cs.length) return null;
    const payload = cs.payload!;
    cs.payload = null;
    this.pendingBytes -= cs.length;
    if (cs.length > 0) this.partials--;
    return { type: cs.type, streamId: cs.streamId, timestamp: cs.timestamp, csid: cs.csid, payload };
  }

  private discard(cs: ChunkStream): void {
    if (cs.payload === null) return;
    this.pendingBytes -= cs.length;
    if (cs.length > 0) this.partials--;
    cs.payload = null;
    cs.received = 0;
  }

  private applyControl(msg: RtmpMessage): void {
    if (msg.payload.length < 4) throw new IngestProtocolError('truncated protocol control message');
    const value = msg.payload.readUInt32BE(0);
    if (msg.type === MSG.ABORT) {
      const cs = this.streams.get(value);
      if (cs !== undefined) this.discard(cs);
      return;
    }
    const size = value & 0x7fffffff; // the top bit is reserved and must be ignored
    if (size < 1 || size > MAX_CHUNK_SIZE) throw new IngestProtocolError(`invalid chunk size ${size}`);
    this.chunkSize = size;
  }
}
