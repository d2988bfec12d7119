// Cuts a byte stream into 188-byte MPEG-TS packets. Input may arrive in any chunking (SRT delivers 7 packets per
// 1316-byte payload, files and fuzzers do not), and may lose bytes: when the sync byte (0x47) is not where the
// previous packet says it must be, the reader drops bytes until it finds two sync bytes 188 apart again. What it
// carries between chunks is bounded by two packets. Packets handed out are views into the input (no copy) except
// the one that straddles a chunk boundary.

export const TS_PACKET_SIZE = 188;
const SYNC = 0x47;

export interface SyncStats {
  /** Times the reader lost sync and had to search for it. */
  resyncs: number;
  /** Bytes thrown away while searching. */
  skippedBytes: number;
}

export class PacketSync {
  private carry: Buffer = Buffer.alloc(0);
  private locked = false;
  readonly stats: SyncStats = { resyncs: 0, skippedBytes: 0 };

  constructor(private readonly onPacket: (packet: Buffer) => void) {}

  push(chunk: Buffer): void {
    const buf = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    let pos = 0;
    while (buf.length - pos >= TS_PACKET_SIZE) {
      if (this.locked && buf[pos] === SYNC) {
        this.onPacket(buf.subarray(pos, pos + TS_PACKET_SIZE));
        pos += TS_PACKET_SIZE;
        continue;
      }
      if (this.locked) {
        this.locked = false;
        this.stats.resyncs++;
      }
      const found = findSync(buf, pos);
      if (found < 0) {
        // Keep the last packet's worth: a sync byte there may be confirmed by the next chunk.
        const keepFrom = Math.max(pos, buf.length - TS_PACKET_SIZE);
        this.stats.skippedBytes += keepFrom - pos;
        pos = keepFrom;
        break;
      }
      this.stats.skippedBytes += found - pos;
      pos = found;
      this.locked = true;
    }
    this.carry = pos >= buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(pos));
  }

  /** Bytes held back for the next chunk (at most two packets). */
  get pendingBytes(): number {
    return this.carry.length;
  }
}

/**
 * The first offset ≥ `from` with a sync byte confirmed by another one packet later; -1 if none can be confirmed
 * within `buf` (a candidate in the last packet's worth of bytes is left for the caller to carry).
 */
function findSync(buf: Buffer, from: number): number {
  for (let i = buf.indexOf(SYNC, from); i >= 0 && i + TS_PACKET_SIZE < buf.length; i = buf.indexOf(SYNC, i + 1)) {
    if (buf[i + TS_PACKET_SIZE] === SYNC) return i;
  }
  return -1;
}
