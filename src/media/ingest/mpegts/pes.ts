// PES reassembly for one elementary stream PID, and the PES header (ISO/IEC 13818-1 §2.4.3.6–2.4.3.7). A PES starts
// at a packet with payload_unit_start_indicator and ends at the next one (video usually declares no length), or
// as soon as its declared PES_packet_length is reached. Payload views are kept until the PES completes, then joined
// once. A PES that lost packets (continuity gap) or outgrows `maxBytes` is dropped whole: a partial access unit is
// worse than none, and the next unit start begins a fresh one.

export interface PesPacket {
  streamId: number;
  /** 90 kHz, 33 bits, not yet unwrapped; undefined when absent. */
  pts?: number;
  dts?: number;
  payload: Buffer;
}

export interface PesStats {
  /** PES dropped because packets of it were lost. */
  broken: number;
  /** PES dropped for exceeding the size bound. */
  oversize: number;
  /** PES whose header did not parse. */
  malformed: number;
}

export class PesAssembler {
  private chunks: Buffer[] = [];
  private size = 0;
  private active = false;
  private broken = false;
  /** Total PES bytes (header included) once PES_packet_length is known and non-zero. */
  private declared = 0;
  readonly stats: PesStats = { broken: 0, oversize: 0, malformed: 0 };

  /** `onDrop` hears of every PES dropped (broken, oversize or malformed), as it happens. */
  constructor(
    private readonly maxBytes: number,
    private readonly onPes: (pes: PesPacket) => void,
    private readonly onDrop: () => void = () => undefined,
  ) {}

  push(payload: Buffer, unitStart: boolean): void {
    if (unitStart) {
      this.finish();
      this.active = true;
      this.broken = false;
      this.declared = 0;
    }
    if (!this.active || this.broken || payload.length === 0) return;
    if (this.size + payload.length > this.maxBytes) {
      this.stats.oversize++;
      this.drop();
      this.onDrop();
      return;
    }
    this.chunks.push(payload);
    this.size += payload.length;
    if (this.declared === 0 && this.size >= 6) this.declared = declaredLength(this.chunks);
    if (this.declared > 0 && this.size >= this.declared) this.finish();
  }

  /** Packets of this PID were lost: the PES in progress is dropped (the next unit start recovers). */
  markBroken(): void {
    if (!this.active || this.broken) return;
    this.stats.broken++;
    this.drop();
    this.onDrop();
  }

  /** Completes the PES in progress (e.g. at end of stream). */
  flush(): void {
    this.finish();
  }

  private drop(): void {
    this.broken = true;
    this.chunks = [];
    this.size = 0;
  }

  private finish(): void {
    const wasActive = this.active && !this.broken && this.size > 0;
    // Always a copy, even of a PES in one packet: a view would keep the whole input chunk it came in (a batch of
    // SRT packets) alive for as long as the frame sits in the playlist window.
    const data = wasActive ? Buffer.concat(this.chunks, this.size) : null;
    this.chunks = [];
    this.size = 0;
    this.active = false;
    if (!data) return;
    const pes = parsePes(this.declared > 0 ? data.subarray(0, this.declared) : data);
    if (pes) this.onPes(pes);
    else {
      this.stats.malformed++;
      this.onDrop();
    }
  }
}

/** PES_packet_length + 6 from the first chunks, or 0 (unbounded, typical for video). */
function declaredLength(chunks: Buffer[]): number {
  const head = chunks[0]!.length >= 6 ? chunks[0]! : Buffer.concat(chunks);
  const length = head.readUInt16BE(4);
  return length === 0 ? 0 : length + 6;
}

/** Stream ids without the optional PES header (program_stream_map, padding, private_stream_2, ECM, EMM, ...). */
const NO_OPTIONAL_HEADER = new Set([0xbc, 0xbe, 0xbf, 0xf0, 0xf1, 0xf2, 0xf8, 0xff]);

export function parsePes(data: Buffer): PesPacket | null {
  if (data.length < 6 || data[0] !== 0 || data[1] !== 0 || data[2] !== 1) return null;
  const streamId = data[3]!;
  if (NO_OPTIONAL_HEADER.has(streamId)) return { streamId, payload: data.subarray(6) };
  if (data.length < 9 || (data[6]! & 0xc0) !== 0x80) return null;
  const flags = data[7]! >> 6;
  const headerEnd = 9 + data[8]!;
  if (headerEnd > data.length || flags === 1) return null;
  const pes: PesPacket = { streamId, payload: data.subarray(headerEnd) };
  if (flags & 0x2) {
    if (headerEnd < 14) return null;
    const pts = readTimestamp(data, 9);
    if (pts === null) return null;
    pes.pts = pts;
    pes.dts = pts;
  }
  if (flags === 3) {
    if (headerEnd < 19) return null;
    const dts = readTimestamp(data, 14);
    if (dts === null) return null;
    pes.dts = dts;
  }
  return pes;
}

/** A 33-bit timestamp in its 5-byte form with three marker bits; null when a marker bit is 0 (corruption). */
function readTimestamp(b: Buffer, off: number): number | null {
  const b0 = b[off]!;
  const mid = b.readUInt16BE(off + 1);
  const low = b.readUInt16BE(off + 3);
  if (!(b0 & 1) || !(mid & 1) || !(low & 1)) return null;
  return ((b0 >> 1) & 0x07) * 2 ** 30 + (mid >> 1) * 2 ** 15 + (low >> 1);
}
