// RTMP chunk stream framing for what the server sends (control messages, command replies, status).
// Every message goes out as one fmt 0 chunk followed by fmt 3 continuations: we send few, small messages,
// so header compression would buy nothing. Extended timestamps are repeated on continuation chunks, as
// the spec and ffmpeg's reader expect. Tests reuse it to play a raw publisher.

import { MAX_CHUNK_SIZE } from './messages.js';

export class ChunkWriter {
  private size = 128;

  /** Outgoing chunk size; call after sending Set Chunk Size with the same value. */
  get chunkSize(): number {
    return this.size;
  }

  set chunkSize(value: number) {
    if (!Number.isInteger(value) || value < 1 || value > MAX_CHUNK_SIZE) throw new RangeError(`chunk size ${value}`);
    this.size = value;
  }

  /** Frames one message into a single buffer ready for socket.write. */
  encode(csid: number, type: number, streamId: number, timestamp: number, payload: Buffer): Buffer {
    const ts = timestamp >>> 0;
    const extended = ts >= 0xffffff;
    const basic = basicHeaderSize(csid);
    const ext = extended ? 4 : 0;
    const chunks = Math.max(1, Math.ceil(payload.length / this.size));
    const out = Buffer.allocUnsafe(basic + 11 + ext + (chunks - 1) * (basic + ext) + payload.length);
    let pos = writeBasicHeader(out, 0, 0, csid);
    out.writeUIntBE(extended ? 0xffffff : ts, pos, 3);
    out.writeUIntBE(payload.length, pos + 3, 3);
    out[pos + 6] = type;
    out.writeUInt32LE(streamId >>> 0, pos + 7);
    pos += 11;
    for (let offset = 0; ;) {
      if (extended) pos = out.writeUInt32BE(ts, pos);
      const n = Math.min(this.size, payload.length - offset);
      payload.copy(out, pos, offset, offset + n);
      pos += n;
      offset += n;
      if (offset >= payload.length) break;
      pos = writeBasicHeader(out, pos, 3, csid);
    }
    return out;
  }
}

function basicHeaderSize(csid: number): number {
  if (csid < 2 || csid > 65599) throw new RangeError(`chunk stream id ${csid}`);
  return csid < 64 ? 1 : csid < 320 ? 2 : 3;
}

/** Writes the basic header (fmt + chunk stream id) and returns the position after it. */
export function writeBasicHeader(out: Buffer, pos: number, fmt: number, csid: number): number {
  if (csid < 64) {
    out[pos] = (fmt << 6) | csid;
    return pos + 1;
  }
  if (csid < 320) {
    out[pos] = fmt << 6;
    out[pos + 1] = csid - 64;
    return pos + 2;
  }
  out[pos] = (fmt << 6) | 1;
  out.writeUInt16LE(csid - 64, pos + 1);
  return pos + 3;
}
