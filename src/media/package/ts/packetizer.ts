// Splits PES packets and PSI sections into 188-byte TS packets: packet header, continuity counter per PID,
// adaptation field for PCR / random_access_indicator on the first packet and stuffing on the last, so that every
// PES starts at a packet boundary (payload_unit_start_indicator) as HLS requires.

import type { Gather } from './gather.js';
import { PACKET_SIZE, type PacketSink } from './packet-sink.js';
import { writePcr } from './timestamps.js';

const PAYLOAD = PACKET_SIZE - 4;

/** Continuity counters for all 8192 PIDs; only packets with payload advance them (ISO/IEC 13818-1 2.4.3.3). */
export type ContinuityCounters = Uint8Array;

export function newContinuityCounters(): ContinuityCounters {
  return new Uint8Array(0x2000);
}

function writeHeader(buf: Buffer, off: number, pid: number, start: boolean, afc: number, cc: number): void {
  buf[off] = 0x47;
  buf[off + 1] = (start ? 0x40 : 0) | ((pid >> 8) & 0x1f);
  buf[off + 2] = pid & 0xff;
  buf[off + 3] = (afc << 4) | (cc & 0x0f);
}

/** Writes an adaptation field of exactly `size` bytes (including its length byte) at `off`. */
function writeAdaptation(buf: Buffer, off: number, size: number, pcr: number | undefined, rai: boolean): void {
  buf[off] = size - 1;
  if (size === 1) return; // a lone length byte of 0: one byte of stuffing
  buf[off + 1] = (rai ? 0x40 : 0) | (pcr !== undefined ? 0x10 : 0);
  let p = off + 2;
  if (pcr !== undefined) {
    writePcr(buf, p, pcr);
    p += 6;
  }
  buf.fill(0xff, p, off + size);
}

/**
 * Packetizes one PES (header and payload already in `pes`). `pcr` (90 kHz base) and `rai` go into the adaptation
 * field of the first packet; the last packet is padded with adaptation-field stuffing.
 */
export function writePes(
  sink: PacketSink,
  ccs: ContinuityCounters,
  pid: number,
  pes: Gather,
  pcr: number | undefined,
  rai: boolean,
): void {
  let remaining = pes.length;
  let first = true;
  while (remaining > 0) {
    const needAf = first && (pcr !== undefined || rai);
    const afMin = needAf ? 2 + (pcr !== undefined ? 6 : 0) : 0;
    const n = Math.min(remaining, PAYLOAD - afMin);
    const afSize = PAYLOAD - n;
    const off = sink.next();
    const buf = sink.buf;
    const cc = ccs[pid]!;
    ccs[pid] = (cc + 1) & 0x0f;
    writeHeader(buf, off, pid, first, afSize > 0 ? 3 : 1, cc);
    if (afSize > 0) writeAdaptation(buf, off + 4, afSize, first ? pcr : undefined, first && rai);
    pes.copyNext(buf, off + 4 + afSize, n);
    remaining -= n;
    first = false;
  }
}

/** A packet carrying only a PCR (adaptation_field_control 2): keeps PCR spacing ≤ 100 ms when frames are sparse. */
export function writePcrOnly(sink: PacketSink, ccs: ContinuityCounters, pid: number, pcr: number): void {
  const off = sink.next();
  writeHeader(sink.buf, off, pid, false, 2, ccs[pid]!); // no payload: the counter does not advance
  writeAdaptation(sink.buf, off + 4, PAYLOAD, pcr, false);
}

/** Writes a PSI section (≤ 183 bytes) in one packet: pointer_field 0, section, 0xFF fill. */
export function writeSection(sink: PacketSink, ccs: ContinuityCounters, pid: number, section: Uint8Array): void {
  const off = sink.next();
  const buf = sink.buf;
  const cc = ccs[pid]!;
  ccs[pid] = (cc + 1) & 0x0f;
  writeHeader(buf, off, pid, true, 1, cc);
  buf[off + 4] = 0; // pointer_field
  buf.set(section, off + 5);
  buf.fill(0xff, off + 5 + section.length, off + PACKET_SIZE);
}
