// Where RTMP message payloads are allocated: small and medium messages (audio frames, most video frames) are carved
// from a shared slab, large ones (keyframes) get their own buffer. One 256 kB slab serves ~25 frames of a 2.5 Mbit/s
// stream, so the process creates ~1 ArrayBuffer per stream per second instead of one per frame (~30): fewer objects
// for V8 to track, sweep and free. A slab is never written twice: a payload's bytes stay valid for as long as anything
// holds the payload, and a slab is freed when the last view of it is gone. Whatever keeps a payload for long (a
// track's decoder configuration) copies it, so that it does not pin a whole slab (media-sink.ts). Used only once a
// publish is accepted (limits.ts, `carvePayloads`): before authentication a message costs exactly its own bytes.

const SLAB_SIZE = 256 * 1024;
/** Larger payloads are allocated alone, so a slab's tail is never wasted on more than a quarter. */
const MAX_CARVED = SLAB_SIZE / 4;

export class PayloadSlab {
  private slab: Buffer | undefined;
  private used = 0;

  /** A buffer of exactly `n` uninitialised bytes for one message; the caller fills all of it before anyone reads it. */
  take(n: number): Buffer {
    if (n > MAX_CARVED) return Buffer.allocUnsafe(n);
    if (this.slab === undefined || this.used + n > SLAB_SIZE) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
      this.used = 0;
    }
    const out = this.slab.subarray(this.used, this.used + n);
    this.used += (n + 7) & ~7; // the next payload starts 8-byte aligned
    return out;
  }
}
