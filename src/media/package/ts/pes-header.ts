// PES packet headers (ISO/IEC 13818-1 2.4.3.6) for the three stream kinds the muxer writes: video (0xE0, PTS+DTS,
// unbounded length as TS allows for video), AAC audio (0xC0, PTS) and ID3 timed metadata (private_stream_1 0xBD, PTS).

import { msToTicks, writeTimestamp } from './timestamps.js';

export const STREAM_ID_VIDEO = 0xe0;
export const STREAM_ID_AUDIO = 0xc0;
export const STREAM_ID_PRIVATE_1 = 0xbd;

/** Largest PES header this module writes: 9 fixed bytes + PTS + DTS. */
export const MAX_PES_HEADER = 19;

/**
 * Writes a PES header into `buf` at 0 and returns its length. `payloadLength` sets PES_packet_length; undefined or
 * too large for 16 bits writes 0 (unbounded), which TS allows for video only. DTS is written only when ≠ PTS.
 */
export function writePesHeader(
  buf: Buffer,
  streamId: number,
  ptsMs: number,
  dtsMs: number | undefined,
  payloadLength: number | undefined,
): number {
  const pts = msToTicks(ptsMs);
  const dts = dtsMs === undefined ? pts : msToTicks(dtsMs);
  const withDts = dts !== pts;
  const headerDataLength = withDts ? 10 : 5;
  const pesLength = payloadLength === undefined ? 0 : 3 + headerDataLength + payloadLength;
  buf[0] = 0x00;
  buf[1] = 0x00;
  buf[2] = 0x01;
  buf[3] = streamId;
  buf.writeUInt16BE(pesLength > 0xffff ? 0 : pesLength, 4);
  buf[6] = 0x84; // '10' marker, data_alignment_indicator: each PES starts with an access unit
  buf[7] = withDts ? 0xc0 : 0x80;
  buf[8] = headerDataLength;
  writeTimestamp(buf, 9, withDts ? 0x3 : 0x2, pts);
  if (withDts) writeTimestamp(buf, 14, 0x1, dts);
  return 9 + headerDataLength;
}
