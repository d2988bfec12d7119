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
  /** The start of a frame not complete yet (at most one frame's worth). */
  private rest: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (channel: number, payload: Buffer) => void) {}

  /** Throws on a frame over MAX_FRAME (the connection is then unusable). */
  push(chunk: Buffer): void {
    const buf = this.rest.length === 0 ? chunk : Buffer.concat([this.rest, chunk]);
    let at = 0;
    while (buf.length - at >= HEADER) {
      const length = buf.readUInt32BE(at + 1);
      if (length > MAX_FRAME) throw new Error(`relay frame of ${length} bytes exceeds ${MAX_FRAME}`);
      if (buf.length - at < HEADER + length) break;
      this.onFrame(buf.readUInt8(at), buf.subarray(at + HEADER, at + HEADER + length));
      at += HEADER + length;
    }
    this.rest = buf.subarray(at);
  }
}
