// A reusable scatter list of byte ranges: a PES payload is assembled from views of the caller's buffers (NAL units,
// AAC frames, start codes, headers) without copying them first; the packetizer copies each byte once, into its packet.
// Parallel arrays instead of subarray() views so that building a payload allocates nothing in the steady state.

export class Gather {
  private readonly srcs: Uint8Array[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private count = 0;
  private cursor = 0;
  private cursorOff = 0;
  /** Total bytes added since the last reset(). */
  length = 0;

  reset(): void {
    for (let i = 0; i < this.count; i++) this.srcs[i] = EMPTY; // drop references to caller buffers
    this.count = 0;
    this.length = 0;
    this.cursor = 0;
    this.cursorOff = 0;
  }

  add(src: Uint8Array, start = 0, end = src.length): void {
    if (end <= start) return;
    this.srcs[this.count] = src;
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count++;
    this.length += end - start;
  }

  /** Copies the next `n` bytes (in order, continuing where the previous call stopped) into `dst` at `off`. */
  copyNext(dst: Uint8Array, off: number, n: number): void {
    while (n > 0) {
      const src = this.srcs[this.cursor]!;
      const from = this.starts[this.cursor]! + this.cursorOff;
      const take = Math.min(n, this.ends[this.cursor]! - from);
      if (take <= 16) {
        for (let i = 0; i < take; i++) dst[off + i] = src[from + i]!; // cheaper than a view for start codes and headers
      } else {
        dst.set(take === src.length ? src : src.subarray(from, from + take), off);
      }
      off += take;
      n -= take;
      this.cursorOff += take;
      if (from + take === this.ends[this.cursor]) {
        this.cursor++;
        this.cursorOff = 0;
      }
    }
  }
}

const EMPTY = new Uint8Array(0);
