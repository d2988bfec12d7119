// Program Specific Information: PSI section reassembly across packets (pointer_field, several sections per packet,
// stuffing) and the two tables an ingest needs, PAT (program -> PMT PID) and PMT (elementary streams). Sections are
// bounded by the standard's 1024 bytes for these tables and checked with their CRC; anything malformed is dropped.

import { crc32Mpeg2 } from './crc32.js';

/** PAT and PMT sections are at most 1024 bytes (section_length ≤ 1021). */
const MAX_SECTION = 1024;

export class SectionAssembler {
  private buf: Buffer | null = null;

  constructor(private readonly onSection: (section: Buffer) => void) {}

  /** Feeds one packet's payload; `unitStart` means it begins with a pointer_field. */
  push(payload: Buffer, unitStart: boolean): void {
    if (payload.length === 0) return;
    if (unitStart) {
      const pointer = payload[0]!;
      if (1 + pointer > payload.length) return this.reset();
      if (this.buf) this.append(payload.subarray(1, 1 + pointer));
      this.buf = Buffer.from(payload.subarray(1 + pointer));
      this.drain();
    } else if (this.buf) {
      this.append(payload);
    }
  }

  /** Packets were lost: the section in progress cannot be completed. */
  reset(): void {
    this.buf = null;
  }

  private append(bytes: Buffer): void {
    if (!this.buf) return;
    this.buf = Buffer.concat([this.buf, bytes]);
    this.drain();
  }

  private drain(): void {
    while (this.buf && this.buf.length >= 3) {
      if (this.buf[0] === 0xff) return this.reset(); // stuffing: the rest of the packet is padding
      const length = 3 + (((this.buf[1]! & 0x0f) << 8) | this.buf[2]!);
      if (length > MAX_SECTION) return this.reset();
      if (this.buf.length < length) {
        if (this.buf.length > MAX_SECTION) this.reset();
        return;
      }
      const section = this.buf.subarray(0, length);
      this.buf = this.buf.subarray(length);
      if (crc32Mpeg2(section) === 0) this.onSection(section);
    }
  }
}

/** The long-form section header shared by PAT and PMT; null when it is not a current, single-section table. */
function tableBody(section: Buffer, tableId: number): { body: Buffer; idExtension: number; version: number } | null {
  if (section.length < 12 || section[0] !== tableId || !(section[1]! & 0x80)) return null;
  if (!(section[5]! & 0x01)) return null; // current_next_indicator 0: not applicable yet
  return {
    body: section.subarray(8, section.length - 4),
    idExtension: section.readUInt16BE(3),
    version: (section[5]! >> 1) & 0x1f,
  };
}

/** The PMT PID of the first program in a PAT (program_number 0 is the network PID), or null. */
export function parsePat(section: Buffer): number | null {
  const t = tableBody(section, 0x00);
  if (!t) return null;
  for (let off = 0; off + 4 <= t.body.length; off += 4) {
    const program = t.body.readUInt16BE(off);
    if (program !== 0) return t.body.readUInt16BE(off + 2) & 0x1fff;
  }
  return null;
}

export interface PmtStream {
  pid: number;
  streamType: number;
  /** format_identifier of a registration descriptor (tag 5), e.g. 'Opus', 'AC-3', 'ID3 '. */
  registration?: string;
  /** Descriptor tags present (identify AC-3/E-AC-3 in private PES, for example). */
  descriptorTags: number[];
}

export interface Pmt {
  programNumber: number;
  version: number;
  streams: PmtStream[];
}

export function parsePmt(section: Buffer): Pmt | null {
  const t = tableBody(section, 0x02);
  if (!t || t.body.length < 4) return null;
  const programInfoLength = t.body.readUInt16BE(2) & 0x0fff;
  let off = 4 + programInfoLength;
  const streams: PmtStream[] = [];
  while (off + 5 <= t.body.length) {
    const streamType = t.body[off]!;
    const pid = t.body.readUInt16BE(off + 1) & 0x1fff;
    const infoLength = t.body.readUInt16BE(off + 3) & 0x0fff;
    const infoEnd = off + 5 + infoLength;
    if (infoEnd > t.body.length) return null;
    streams.push({ pid, streamType, ...descriptors(t.body.subarray(off + 5, infoEnd)) });
    off = infoEnd;
  }
  return { programNumber: t.idExtension, version: t.version, streams };
}

function descriptors(info: Buffer): { registration?: string; descriptorTags: number[] } {
  const tags: number[] = [];
  let registration: string | undefined;
  for (let off = 0; off + 2 <= info.length;) {
    const tag = info[off]!;
    const len = info[off + 1]!;
    if (off + 2 + len > info.length) break;
    tags.push(tag);
    if (tag === 0x05 && len >= 4) registration = info.toString('latin1', off + 2, off + 6);
    off += 2 + len;
  }
  return registration === undefined ? { descriptorTags: tags } : { registration, descriptorTags: tags };
}
