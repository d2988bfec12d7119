// Where TS packets are written: one growing working buffer per rendition, handed out in 188-byte slots. A segment's
// bytes stay contiguous, so a finished segment is one copy of exactly its bytes (no concat) and LL-HLS parts can
// later be views of it. While the segment is open its parts are views of the working buffer. Written bytes are never
// overwritten while anyone may read them: when the buffer grows, views taken earlier still see identical (old)
// memory, and a finished segment's working buffer is written again only once no response pins it (buffer-pins.ts).

import { isPinned, registerReusable } from '../buffer-pins.js';

export const PACKET_SIZE = 188;

export class PacketSink {
  buf: Buffer;
  len = 0;
  private partStart = 0;
  private capacityHint: number;
  /** A segment was taken: before the next write, decide whether its working buffer can be written again. */
  private recycle = false;

  constructor(initialCapacity = 256 * 1024) {
    this.capacityHint = roundToPackets(initialCapacity);
    this.buf = reusable(this.capacityHint);
  }

  /** Reserves the next packet slot and returns its offset in `buf` (which may be a new buffer after growth). */
  next(): number {
    if (this.recycle) this.recycleBuffer();
    if (this.len + PACKET_SIZE > this.buf.length) this.grow();
    const off = this.len;
    this.len += PACKET_SIZE;
    return off;
  }

  /** Bytes written since the previous takePart() or takeSegment(): an LL-HLS part (a view, no copy). */
  takePart(): Buffer {
    const part = this.buf.subarray(this.partStart, this.len);
    this.partStart = this.len;
    return part;
  }

  /** All bytes of the current segment, copied out; the working buffer is written again for the next one if it can. */
  takeSegment(): Buffer {
    const used = this.len;
    // Copied out at its exact size: a view would keep the working buffer's slack (it is sized 1.25× the previous
    // segment) alive for as long as the segment is held (bench:ingest, 10 × 720p: live ArrayBuffers per stream 7.3 →
    // 6.15 MB with the copy), and the working buffer is reused. One memcpy per segment (~0.7 MB every 2 s) costs next
    // to nothing. The copy is allocUnsafe + copy: Buffer.from(view) goes through the TypedArray constructor, which
    // zero-fills first (4% of bench:ingest's busy main-thread samples).
    const out = Buffer.allocUnsafe(used);
    this.buf.copy(out, 0, 0, used);
    this.capacityHint = roundToPackets(Math.max(64 * 1024, used * 1.25));
    this.len = 0;
    this.partStart = 0;
    // Decided at the next write, not now: the segmenter first moves the parts to the copy, or retires the buffer.
    this.recycle = true;
    return out;
  }

  /** Keeps the working buffer if nothing still reads from it and it is large enough, else starts a fresh one. */
  private recycleBuffer(): void {
    this.recycle = false;
    if (isPinned(this.buf) || this.buf.length < this.capacityHint) this.buf = reusable(this.capacityHint);
  }

  private grow(): void {
    // The old buffer is left to the views of it (this segment's earlier parts) and never written again.
    const next = reusable(roundToPackets(Math.max(this.buf.length * 2, PACKET_SIZE * 64)));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}

function roundToPackets(n: number): number {
  return Math.ceil(n / PACKET_SIZE) * PACKET_SIZE;
}

/** A working buffer with its own ArrayBuffer (allocUnsafe may slice small ones from node's shared pool), registered. */
function reusable(size: number): Buffer {
  const buf = Buffer.allocUnsafeSlow(size);
  registerReusable(buf);
  return buf;
}
