// Where TS packets are written: one growing buffer per segment, handed out in 188-byte slots. A segment's bytes stay
// contiguous, so a finished segment is one copy of exactly its bytes (no concat) and LL-HLS parts can later be views
// of it. Written bytes are never overwritten; when the buffer grows, views taken earlier still see identical (old)
// memory.

export const PACKET_SIZE = 188;

export class PacketSink {
  buf: Buffer;
  len = 0;
  private partStart = 0;
  private capacityHint: number;

  constructor(initialCapacity = 256 * 1024) {
    this.capacityHint = roundToPackets(initialCapacity);
    this.buf = Buffer.allocUnsafe(this.capacityHint);
  }

  /** Reserves the next packet slot and returns its offset in `buf` (which may be a new buffer after growth). */
  next(): number {
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

  /** All bytes of the current segment; starts a fresh buffer sized from this segment for the next one. */
  takeSegment(): Buffer {
    const used = this.len;
    // Copied out at its exact size: the working buffer is sized 1.25× the previous segment, and a view would keep that
    // slack alive for as long as the segment is held (bench:ingest, 10 × 720p: live ArrayBuffers per stream 7.3 →
    // 6.15 MB with the copy). One memcpy per segment (~0.7 MB every 2 s) costs next to nothing; the working buffer is
    // then freed once the open part's views of it are gone. The copy is allocUnsafe + copy: Buffer.from(view) goes
    // through the TypedArray constructor, which zero-fills first (4% of bench:ingest's busy main-thread samples).
    let out = this.buf.subarray(0, used);
    if (used !== this.buf.length) {
      out = Buffer.allocUnsafe(used);
      this.buf.copy(out, 0, 0, used);
    }
    this.capacityHint = roundToPackets(Math.max(64 * 1024, used * 1.25));
    this.buf = Buffer.allocUnsafe(this.capacityHint);
    this.len = 0;
    this.partStart = 0;
    return out;
  }

  private grow(): void {
    const next = Buffer.allocUnsafe(roundToPackets(Math.max(this.buf.length * 2, PACKET_SIZE * 64)));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}

function roundToPackets(n: number): number {
  return Math.ceil(n / PACKET_SIZE) * PACKET_SIZE;
}
