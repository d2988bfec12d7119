// Program Specific Information for the single program HLS uses: the PAT (program 1 → PMT PID) and the PMT listing
// the elementary streams. Sections are built once per track configuration; the muxer repeats them at every segment
// start so each segment can be decoded on its own.

import { crc32Mpeg2 } from './crc32.js';

export const PID_PAT = 0x0000;
export const PID_PMT = 0x1000;
export const PID_VIDEO = 0x100;
export const PID_AUDIO = 0x101;
export const PID_METADATA = 0x102;

export const STREAM_TYPE_H264 = 0x1b;
export const STREAM_TYPE_ADTS_AAC = 0x0f;
export const STREAM_TYPE_METADATA_PES = 0x15;

const PROGRAM_NUMBER = 1;

/** metadata_descriptor (tag 0x26): application format and metadata format both 'ID3 ' (Apple Timed Metadata for HLS). */
export const ID3_METADATA_DESCRIPTOR = Buffer.from([
  0x26, 0x0d, 0xff, 0xff, 0x49, 0x44, 0x33, 0x20, 0xff, 0x49, 0x44, 0x33, 0x20, 0x00, 0x0f,
]);

export interface PmtStream {
  streamType: number;
  pid: number;
  descriptors?: Uint8Array;
}

/** Wraps a long-form section body: table_id, section_length, the body, CRC32. `body` starts at the table id extension. */
function section(tableId: number, body: number[]): Buffer {
  const length = body.length + 4; // + CRC
  const out = Buffer.alloc(3 + length);
  out[0] = tableId;
  out[1] = 0xb0 | ((length >> 8) & 0x0f); // section_syntax_indicator, '0', reserved
  out[2] = length & 0xff;
  out.set(body, 3);
  out.writeUInt32BE(crc32Mpeg2(out, 0, out.length - 4), out.length - 4);
  return out;
}

/** version_number (5 bits), current_next_indicator 1, section_number 0, last_section_number 0. */
function versionAndSection(version: number): number[] {
  return [0xc1 | ((version & 0x1f) << 1), 0x00, 0x00];
}

export function buildPat(): Buffer {
  return section(0x00, [
    0x00,
    0x01, // transport_stream_id
    ...versionAndSection(0),
    PROGRAM_NUMBER >> 8,
    PROGRAM_NUMBER & 0xff,
    0xe0 | (PID_PMT >> 8),
    PID_PMT & 0xff,
  ]);
}

/** `version` must change whenever the stream list changes mid-stream, so demuxers re-read the PMT. */
export function buildPmt(pcrPid: number, streams: PmtStream[], version = 0): Buffer {
  const body = [
    PROGRAM_NUMBER >> 8,
    PROGRAM_NUMBER & 0xff,
    ...versionAndSection(version),
    0xe0 | (pcrPid >> 8),
    pcrPid & 0xff,
    0xf0,
    0x00, // program_info_length 0
  ];
  for (const s of streams) {
    const desc = s.descriptors ?? new Uint8Array(0);
    body.push(s.streamType, 0xe0 | (s.pid >> 8), s.pid & 0xff, 0xf0 | (desc.length >> 8), desc.length & 0xff, ...desc);
  }
  return section(0x02, body);
}
