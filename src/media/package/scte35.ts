// SCTE-35 splice_info_section with a splice_insert command (ANSI/SCTE 35, 9.6 and 9.7.3), encoded in-house: the
// cue that server-side ad stitchers (AWS Elemental MediaTailor and others) read from EXT-X-DATERANGE's
// SCTE35-OUT/SCTE35-IN attributes. Out-of-network cues carry the break duration (break_duration, auto_return);
// return cues carry none. Both are splice_immediate: the splice point is the segment boundary the playlist tag
// sits on. Pure: bytes in, bytes out.

import { crc32Mpeg2 } from './ts/crc32.js';

export interface SpliceInsert {
  /** splice_event_id: the same for the OUT and the IN of one break. */
  eventId: number;
  /** true: leave the network (ad break starts); false: return to it. */
  outOfNetwork: boolean;
  /** Break duration in milliseconds (OUT only). */
  durationMs?: number;
}

const TICKS_PER_MS = 90;

export function spliceInsertSection(cue: SpliceInsert): Buffer {
  const hasDuration = cue.outOfNetwork && cue.durationMs !== undefined;
  // splice_insert(): event id (4), cancel + reserved (1), flags (1), [break_duration (5)], program id (2), avail (2)
  const command = Buffer.alloc(4 + 1 + 1 + (hasDuration ? 5 : 0) + 4);
  let o = command.writeUInt32BE(cue.eventId >>> 0, 0);
  command[o++] = 0x7f; // splice_event_cancel_indicator 0, reserved 1111111
  // out_of_network_indicator, program_splice_flag 1, duration_flag, splice_immediate_flag 1, reserved 1111
  command[o++] = (cue.outOfNetwork ? 0x80 : 0) | 0x40 | (hasDuration ? 0x20 : 0) | 0x10 | 0x0f;
  if (hasDuration) {
    const ticks = BigInt(Math.round(cue.durationMs! * TICKS_PER_MS)) & 0x1_ffff_ffffn;
    // auto_return 1, reserved 111111, duration (33 bits)
    command[o++] = 0x80 | 0x7e | Number(ticks >> 32n);
    command.writeUInt32BE(Number(ticks & 0xffff_ffffn), o);
    o += 4;
  }
  command.writeUInt16BE(0, o); // unique_program_id
  command[o + 2] = 0; // avail_num
  command[o + 3] = 0; // avails_expected

  // Header after section_length: protocol_version (1), encrypted/algorithm/pts_adjustment (5), cw_index (1),
  // tier + splice_command_length (3), splice_command_type (1); then the command, descriptor_loop_length (2), CRC (4).
  const sectionLength = 1 + 5 + 1 + 3 + 1 + command.length + 2 + 4;
  const out = Buffer.alloc(3 + sectionLength);
  out[0] = 0xfc; // table_id
  // section_syntax_indicator 0, private_indicator 0, sap_type 11 (not specified), section_length (12 bits)
  out.writeUInt16BE(0x3000 | sectionLength, 1);
  let p = 3;
  out[p++] = 0; // protocol_version
  p += 5; // encrypted_packet 0, encryption_algorithm 0, pts_adjustment 0
  out[p++] = 0; // cw_index
  // tier 0xFFF (12 bits), splice_command_length (12 bits)
  out[p++] = 0xff;
  out[p++] = 0xf0 | ((command.length >> 8) & 0x0f);
  out[p++] = command.length & 0xff;
  out[p++] = 0x05; // splice_command_type: splice_insert
  command.copy(out, p);
  p += command.length;
  out.writeUInt16BE(0, p); // descriptor_loop_length
  p += 2;
  out.writeUInt32BE(crc32Mpeg2(out, 0, p), p);
  return out;
}

/** The attribute value form HLS uses for SCTE35-OUT/SCTE35-IN: a hexadecimal-sequence. */
export function hexSequence(bytes: Buffer): string {
  return `0x${bytes.toString('hex').toUpperCase()}`;
}
