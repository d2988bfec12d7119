// RTMP handshake, server side. We answer with the "simple" handshake (S1 has a zero version field, S2
// echoes C1 verbatim): ffmpeg and OBS/librtmp accept it for publishing, and the digest (FP9) variant only
// matters to Flash players, which openivs does not serve. C2 is read and ignored: nothing in it can be
// trusted or needs checking. The connection owns the timeout (DEFAULT_HANDSHAKE_TIMEOUT_MS) so a peer that
// sends half a handshake cannot hold the socket open.

import { randomFillSync } from 'node:crypto';
import type { ByteQueue } from './byte-queue.js';
import { IngestProtocolError } from './errors.js';

export const RTMP_VERSION = 3;
export const HANDSHAKE_SIZE = 1536;
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5_000;

type Stage = 'c0c1' | 'c2' | 'done';

export class ServerHandshake {
  private stage: Stage = 'c0c1';
  private readonly epoch = Date.now();

  get complete(): boolean {
    return this.stage === 'done';
  }

  /**
   * Consumes what it can from `queue`. Returns S0+S1+S2 to send once C0+C1 are in, otherwise null.
   * Bytes after C2 stay in the queue (clients may pipeline their first chunks behind C2).
   */
  advance(queue: ByteQueue): Buffer | null {
    if (this.stage === 'c0c1') {
      if (queue.length < 1) return null;
      const version = queue.byteAt(0);
      // 6 is RTMPE (encrypted), anything else is not RTMP at all: fail early, before waiting for 1536 bytes.
      if (version !== RTMP_VERSION) throw new IngestProtocolError(`unsupported RTMP version byte ${version}`);
      if (queue.length < 1 + HANDSHAKE_SIZE) return null;
      queue.skip(1);
      const c1 = queue.take(HANDSHAKE_SIZE);
      this.stage = 'c2';
      return this.reply(c1);
    }
    if (this.stage === 'c2' && queue.length >= HANDSHAKE_SIZE) {
      queue.skip(HANDSHAKE_SIZE);
      this.stage = 'done';
    }
    return null;
  }

  private reply(c1: Buffer): Buffer {
    const out = Buffer.allocUnsafe(1 + 2 * HANDSHAKE_SIZE);
    out[0] = RTMP_VERSION;
    // S1: our time, four zero bytes (= simple handshake), random filler.
    out.writeUInt32BE((Date.now() - this.epoch) >>> 0, 1);
    out.writeUInt32BE(0, 5);
    randomFillSync(out, 9, HANDSHAKE_SIZE - 8);
    // S2: C1 echoed; librtmp compares it byte for byte with what it sent.
    c1.copy(out, 1 + HANDSHAKE_SIZE);
    return out;
  }
}
