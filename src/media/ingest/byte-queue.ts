// A FIFO of received socket buffers read by offset, so parsing never concatenates buffers as they arrive
// (a Buffer.concat per TCP read is the classic RTMP server hot-path cost). Readers peek small headers into
// a scratch buffer and copy payload bytes straight into their destination: one copy from socket to message.

export class ByteQueue {
  private readonly bufs: Buffer[] = [];
  private head = 0; // index of the first live buffer in `bufs`
  private offset = 0; // read position inside bufs[head]
  private total = 0;

  /** Bytes available to read. */
  get length(): number {
    return this.total;
  }

  push(buf: Buffer): void {
    if (buf.length === 0) return;
    this.bufs.push(buf);
    this.total += buf.length;
  }

  /** Byte at `index` from the read position, without consuming it. Caller checks `length` first. */
  byteAt(index: number): number {
    let i = this.head;
    let pos = this.offset + index;
    while (pos >= this.bufs[i]!.length) {
      pos -= this.bufs[i]!.length;
      i++;
    }
    return this.bufs[i]![pos]!;
  }

  /** Copies `n` bytes into `target` at `targetStart` without consuming them. */
  peekInto(target: Buffer, targetStart: number, n: number): void {
    let i = this.head;
    let pos = this.offset;
    let done = 0;
    while (done < n) {
      const buf = this.bufs[i]!;
      const take = Math.min(buf.length - pos, n - done);
      buf.copy(target, targetStart + done, pos, pos + take);
      done += take;
      i++;
      pos = 0;
    }
  }

  /** Copies `n` bytes into `target` at `targetStart` and consumes them. */
  readInto(target: Buffer, targetStart: number, n: number): void {
    this.peekInto(target, targetStart, n);
    this.skip(n);
  }

  /** Consumes `n` bytes and returns them; a view when they lie in one buffer, else a copy. */
  take(n: number): Buffer {
    const first = this.bufs[this.head]!;
    if (first.length - this.offset >= n) {
      const out = first.subarray(this.offset, this.offset + n);
      this.skip(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    this.readInto(out, 0, n);
    return out;
  }

  skip(n: number): void {
    this.total -= n;
    let left = n;
    while (left > 0) {
      const avail = this.bufs[this.head]!.length - this.offset;
      if (left < avail) {
        this.offset += left;
        return;
      }
      left -= avail;
      this.bufs[this.head] = EMPTY; // release the consumed buffer now, not at compaction
      this.head++;
      this.offset = 0;
    }
    this.compact();
  }

  /**
   * Copies the unread bytes out of the buffers they were pushed in, which the caller is about to reuse (a socket
   * reading into a shared buffer, shared-read-buffer.ts). Between RTMP chunks that is a partial chunk header, a few
   * bytes; a whole read only while parsing is held (a publish being authorized).
   */
  ownUnread(): void {
    if (this.total === 0) return;
    const own = Buffer.allocUnsafe(this.total);
    this.peekInto(own, 0, this.total);
    this.bufs.length = 0;
    this.bufs.push(own);
    this.head = 0;
    this.offset = 0;
  }

  /** Drops everything (connection closed): the socket buffers become garbage at once. */
  clear(): void {
    this.bufs.length = 0;
    this.head = 0;
    this.offset = 0;
    this.total = 0;
  }

  private compact(): void {
    // Shift the array only occasionally so a long-lived queue stays O(1) amortised per buffer.
    if (this.head === this.bufs.length) {
      this.bufs.length = 0;
      this.head = 0;
    } else if (this.head > 64) {
      this.bufs.splice(0, this.head);
      this.head = 0;
    }
  }
}

const EMPTY = Buffer.alloc(0);
