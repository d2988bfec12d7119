// 90 kHz MPEG timestamps: ms → ticks with the 33-bit wrap, and the 5-byte PTS/DTS and 6-byte PCR field encodings.
// Arithmetic uses division rather than bit operators because values exceed 32 bits.

export const WRAP_33 = 2 ** 33;

/** Milliseconds (any magnitude, may be fractional or negative) → 90 kHz ticks modulo 2^33. */
export function msToTicks(ms: number): number {
  const ticks = Math.round(ms * 90) % WRAP_33;
  return ticks < 0 ? ticks + WRAP_33 : ticks;
}

/** Writes a PTS or DTS field: 4-bit prefix ('0010' PTS only, '0011' PTS of a pair, '0001' DTS), markers set. */
export function writeTimestamp(buf: Uint8Array, off: number, prefix: number, ticks: number): void {
  const hi = Math.floor(ticks / 2 ** 30) & 0x7; // bits 32..30
  const mid = Math.floor(ticks / 2 ** 15) & 0x7fff; // bits 29..15
  const lo = ticks & 0x7fff; // bits 14..0 (fits in 32-bit ops)
  buf[off] = (prefix << 4) | (hi << 1) | 1;
  buf[off + 1] = mid >> 7;
  buf[off + 2] = ((mid & 0x7f) << 1) | 1;
  buf[off + 3] = lo >> 7;
  buf[off + 4] = ((lo & 0x7f) << 1) | 1;
}

/** Reads a 5-byte PTS/DTS field back into ticks (used by tests and by anyone inspecting segments). */
export function readTimestamp(buf: Uint8Array, off: number): number {
  const hi = (buf[off]! >> 1) & 0x7;
  const mid = (buf[off + 1]! << 7) | (buf[off + 2]! >> 1);
  const lo = (buf[off + 3]! << 7) | (buf[off + 4]! >> 1);
  return hi * 2 ** 30 + mid * 2 ** 15 + lo;
}

/** Writes the 6-byte PCR (33-bit base at 90 kHz, 6 reserved bits, 9-bit extension at 27 MHz, here always 0). */
export function writePcr(buf: Uint8Array, off: number, baseTicks: number): void {
  buf[off] = Math.floor(baseTicks / 2 ** 25) & 0xff;
  buf[off + 1] = Math.floor(baseTicks / 2 ** 17) & 0xff;
  buf[off + 2] = Math.floor(baseTicks / 2 ** 9) & 0xff;
  buf[off + 3] = Math.floor(baseTicks / 2) & 0xff;
  buf[off + 4] = ((baseTicks & 1) << 7) | 0x7e;
  buf[off + 5] = 0;
}

/** Reads the PCR base (90 kHz ticks) of a 6-byte PCR field. */
export function readPcrBase(buf: Uint8Array, off: number): number {
  return buf[off]! * 2 ** 25 + buf[off + 1]! * 2 ** 17 + buf[off + 2]! * 2 ** 9 + buf[off + 3]! * 2 + (buf[off + 4]! >> 7);
}
