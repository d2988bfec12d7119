// The transcode relay's answer stream (pure): everything the ffmpeg on the transcoding node writes, multiplexed
// on one connection in frames `[u8 channel][u32 BE length][bytes]`. Channels 0…N-1 are the rendition outputs
// (ffmpeg's fd 3, 4, …), STDERR carries its log lines, EXIT its exit status as JSON and comes last.
// The reader refuses frames larger than MAX_FRAME so a broken or hostile peer cannot make it buffer without bound.

export const STDERR_CHANNEL = 0xff;
export const EXIT_CHANNEL = 0xfe;
/** Pipes hand over at most 64 KiB at a time; the sender splits anything larger. */
export const MAX_FRAME = 256 * 1024;
const HEADER = 5;

/** One frame's bytes (header and payload, one buffer: one write). */
export function encodeFrame(channel: number, payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(HEADER + payload.length);
  frame.writeUInt8(channel, 0);
  frame.writeUInt32BE(payload.length, 1);
  payload.copy(frame, HEADER);
  return frame;
}

/** Frames of at most MAX_FRAME bytes each for a chunk of any size. */
export function encodeFrames(channel: number, chunk: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  for (let at = 0; at < chunk.length; at += MAX_FRAME) frames.push(encodeFrame(channel, chunk.subarray(at, at + MAX_FRAME)));
  return frames;
}

export class FrameReader {
  private pending: Buffer[] = [];
  private size = 0;

  constructor(private readonly onFrame: (channel: number, payload: Buffer) => void) {}

  /** Throws on a frame over MAX_FRAME (the connection is then unusable). */
  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.size += chunk.length;
    while (this.size >= HEADER) {
      const head = this.peek(HEADER);
      const length = head.readUInt32BE(1);
      if (length > MAX_FRAME) throw new Error(`relay frame of ${length} bytes exceeds ${MAX_FRAME}`);
      if (this.size < HEADER + length) return;
      const frame = this.take(HEADER + length);
      this.onFrame(frame.readUInt8(0), frame.subarray(HEADER));
    }
  }

  private peek(n: number): Buffer {
    if (this.pending[0]!.length < n) this.pending = [Buffer.concat(this.pending)];
    return this.pending[0]!;
  }

  private take(n: number): Buffer {
    const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.pending = rest.length > 0 ? [rest] : [];
    this.size = rest.length;
    return out;
  }
}
