// The 4-byte MPEG-TS packet header and adaptation field (ISO/IEC 13818-1 §2.4.3.2–2.4.3.5), only what a demuxer
// needs: PID, payload_unit_start_indicator, continuity counter, the discontinuity flag and where the payload starts.

export interface TsPacketHeader {
  pid: number;
  /** payload_unit_start_indicator: a PES or PSI section starts in this packet. */
  unitStart: boolean;
  continuityCounter: number;
  /** transport_error_indicator: a lower layer flagged the packet as damaged. */
  transportError: boolean;
  /** The adaptation field's discontinuity_indicator: the continuity counter may jump here. */
  discontinuity: boolean;
  /** Offset of the payload in the packet; `payloadStart === 188` means no payload. */
  payloadStart: number;
}

export const PID_PAT = 0x0000;

/** Parses a 188-byte packet's header; null when the header itself is invalid (reserved field, overlong adaptation). */
export function parseTsHeader(p: Buffer): TsPacketHeader | null {
  const b1 = p[1]!;
  const b3 = p[3]!;
  const adaptation = (b3 >> 4) & 0x3;
  if (adaptation === 0) return null; // reserved value
  let payloadStart = 4;
  let discontinuity = false;
  if (adaptation & 0x2) {
    const length = p[4]!;
    payloadStart = 5 + length;
    if (payloadStart > 188) return null;
    discontinuity = length > 0 && (p[5]! & 0x80) !== 0;
  }
  if (!(adaptation & 0x1)) payloadStart = 188;
  return {
    pid: ((b1 & 0x1f) << 8) | p[2]!,
    unitStart: (b1 & 0x40) !== 0,
    continuityCounter: b3 & 0x0f,
    transportError: (b1 & 0x80) !== 0,
    discontinuity,
    payloadStart,
  };
}

/** What a continuity counter says about the packet before it on the same PID. */
export type Continuity = 'ok' | 'duplicate' | 'gap';

/**
 * Per-PID continuity check (§2.4.3.3): the counter increments on packets with payload; a packet may be repeated
 * once (same counter); anything else means packets were lost. The discontinuity indicator resets the check.
 */
export class ContinuityTracker {
  private readonly last = new Map<number, number>();

  check(h: TsPacketHeader): Continuity {
    if (h.payloadStart >= 188) return 'ok'; // adaptation-only packets do not increment the counter
    const previous = this.last.get(h.pid);
    this.last.set(h.pid, h.continuityCounter);
    if (previous === undefined || h.discontinuity) return 'ok';
    if (h.continuityCounter === previous) return 'duplicate';
    return h.continuityCounter === ((previous + 1) & 0x0f) ? 'ok' : 'gap';
  }

  forget(pid: number): void {
    this.last.delete(pid);
  }
}
