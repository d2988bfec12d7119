// Reads timed metadata back out of media segments the way a player would, independently of the server's muxers (for
// the metadata tests and bench:auth): a tiny MPEG-TS demuxer (PAT → PMT → PES per PID, PTS from the PES header) finds
// the ID3 PES on the PID whose PMT stream_type is 0x15, and the ISO-BMFF reader of bmff.ts finds `emsg` v1 boxes
// (scheme https://aomedia.org/emsg/ID3, skipping the v0 `urn:twitch:id3` copies made for Amazon's IVS player) and the
// video samples' presentation times (moov/mdhd timescale, moof/tfdt + trun). The ID3 itself is decoded
// with @svta/cml-id3, the parser hls.js uses. ffmpeg is deliberately not used: 5.1 drops bytes of ID3 PES payloads.

import { getId3Frames } from '@svta/cml-id3';
import { parseBoxes, type Box } from './bmff.js';

const TS_PACKET = 188;
export const ID3_SCHEME = 'https://aomedia.org/emsg/ID3';

/** One TXXX frame found in a segment, with its presentation time and the segment's video time range (seconds). */
export interface FoundTxxx {
  text: string;
  /** TS: the PES stream_id (0xBD expected); fMP4: undefined. */
  streamId?: number;
  description: string;
  pts: number;
  video: { first: number; last: number } | undefined;
}

/** The TXXX frames of the ID3 tags in `data`, decoded by cml-id3. */
export function txxxFrames(data: Uint8Array): { text: string; description: string }[] {
  return getId3Frames(data)
    .filter((f) => f.key === 'TXXX')
    .map((f) => ({ text: id3Text(f.data), description: f.info ?? '' }));
}

/** A text frame's value as cml-id3 decodes it (a string); binary data there means the frame is not what it claims. */
export function id3Text(data: ArrayBufferLike | string | number): string {
  if (typeof data === 'string') return data;
  if (typeof data === 'number') return String(data);
  throw new Error(`ID3 frame data is ${data.byteLength} bytes of binary, not text`);
}

// ---------------------------------------------------------------------------------------------
// MPEG-TS

interface Pes {
  pid: number;
  streamId: number;
  pts: number | undefined;
  payload: Buffer;
}

/** 33-bit PTS from the 5 bytes at `i` (multiplications: it does not fit 32-bit bit operations). */
function readPts(b: Buffer, i: number): number {
  return (
    ((b[i]! >> 1) & 0x07) * 2 ** 30 + b[i + 1]! * 2 ** 22 + (b[i + 2]! >> 1) * 2 ** 15 + b[i + 3]! * 2 ** 7 + (b[i + 4]! >> 1)
  );
}

function parsePes(pid: number, b: Buffer): Pes | undefined {
  if (b.length < 9 || b[0] !== 0 || b[1] !== 0 || b[2] !== 1) return undefined;
  const declared = b.readUInt16BE(4);
  const end = declared === 0 ? b.length : Math.min(b.length, 6 + declared);
  const hasPts = (b[7]! & 0x80) !== 0;
  return { pid, streamId: b[3]!, pts: hasPts ? readPts(b, 9) : undefined, payload: b.subarray(9 + b[8]!, end) };
}

/** Elementary streams (PID → stream_type) from a PMT section starting at `s` (after the pointer field). */
function parsePmt(b: Buffer, s: number, streams: Map<number, number>): void {
  const sectionEnd = s + 3 + (b.readUInt16BE(s + 1) & 0x0fff) - 4; // minus CRC
  let i = s + 12 + (b.readUInt16BE(s + 10) & 0x0fff);
  while (i + 5 <= sectionEnd) {
    streams.set(b.readUInt16BE(i + 1) & 0x1fff, b[i]!);
    i += 5 + (b.readUInt16BE(i + 3) & 0x0fff);
  }
}

/**
 * Demuxes a TS segment: the PMT's streams and every complete PES, in order. An LL-HLS part after a segment's first
 * carries no PAT/PMT: pass the `streams` map learnt from an earlier part of the stream (it is updated in place).
 */
export function demuxTs(seg: Buffer, streams = new Map<number, number>()): { streams: Map<number, number>; pes: Pes[] } {
  if (seg.length % TS_PACKET !== 0) throw new Error(`TS length ${seg.length} is not a multiple of ${TS_PACKET}`);
  const pending = new Map<number, Buffer[]>();
  const pes: Pes[] = [];
  let pmtPid: number | undefined;
  const flush = (pid: number) => {
    const chunks = pending.get(pid);
    if (chunks && chunks.length > 0) {
      const p = parsePes(pid, Buffer.concat(chunks));
      if (p) pes.push(p);
    }
    pending.delete(pid);
  };
  for (let off = 0; off < seg.length; off += TS_PACKET) {
    const pkt = seg.subarray(off, off + TS_PACKET);
    if (pkt[0] !== 0x47) throw new Error(`lost TS sync at byte ${off}`);
    const pusi = (pkt[1]! & 0x40) !== 0;
    const pid = pkt.readUInt16BE(1) & 0x1fff;
    const afc = (pkt[3]! >> 4) & 0x03;
    if ((afc & 0x01) === 0) continue; // no payload
    const start = afc === 0x03 ? 5 + pkt[4]! : 4;
    const payload = pkt.subarray(start);
    if (pid === 0 && pusi) {
      pmtPid = payload.readUInt16BE(1 + payload[0]! + 10) & 0x1fff; // first program of the PAT
    } else if (pid === pmtPid && pusi) {
      parsePmt(payload, 1 + payload[0]!, streams);
    } else if (streams.has(pid)) {
      if (pusi) flush(pid);
      if (pusi || pending.has(pid)) pending.set(pid, [...(pending.get(pid) ?? []), payload]);
    }
  }
  for (const pid of [...pending.keys()]) flush(pid);
  return { streams, pes };
}

const STREAM_TYPE_ID3 = 0x15;
const STREAM_TYPE_H264 = 0x1b;

/** TXXX frames of the ID3 PES in a TS segment, with PTS and the segment's video PTS range (seconds). */
export function txxxFromTs(seg: Buffer, known?: Map<number, number>): FoundTxxx[] {
  const { streams, pes } = demuxTs(seg, known);
  const pidsOf = (type: number) => [...streams].filter(([, t]) => t === type).map(([pid]) => pid);
  const id3Pids = pidsOf(STREAM_TYPE_ID3);
  const videoPts = pes.filter((p) => pidsOf(STREAM_TYPE_H264).includes(p.pid) && p.pts !== undefined).map((p) => p.pts! / 90_000);
  const video = videoPts.length > 0 ? { first: Math.min(...videoPts), last: Math.max(...videoPts) } : undefined;
  return pes
    .filter((p) => id3Pids.includes(p.pid))
    .flatMap((p) => txxxFrames(p.payload).map((f) => ({ ...f, streamId: p.streamId, pts: (p.pts ?? NaN) / 90_000, video })));
}

/** Whether the PMT of a TS segment declares an ID3 metadata stream (stream_type 0x15). */
export function tsDeclaresId3(seg: Buffer): boolean {
  return [...demuxTs(seg).streams.values()].includes(STREAM_TYPE_ID3);
}

// ---------------------------------------------------------------------------------------------
// ISO-BMFF (fMP4)

const child = (b: Box, type: string) => b.children.find((c) => c.type === type);
const children = (b: Box, type: string) => b.children.filter((c) => c.type === type);

/** track_ID → timescale of the video tracks of an init segment (moov/trak with hdlr 'vide'). */
export function videoTimescales(init: Buffer): Map<number, number> {
  const out = new Map<number, number>();
  const moov = parseBoxes(init).find((x) => x.type === 'moov');
  for (const trak of moov ? children(moov, 'trak') : []) {
    const tkhd = child(trak, 'tkhd')!.body;
    const mdia = child(trak, 'mdia')!;
    const mdhd = child(mdia, 'mdhd')!.body;
    if (child(mdia, 'hdlr')!.body.toString('latin1', 8, 12) !== 'vide') continue;
    const v1 = tkhd[0] === 1;
    out.set(tkhd.readUInt32BE(v1 ? 20 : 12), mdhd.readUInt32BE(mdhd[0] === 1 ? 20 : 12));
  }
  return out;
}

/** Presentation times (seconds) of the video samples of one moof. */
function videoSampleTimes(moof: Box, timescales: Map<number, number>): number[] {
  const times: number[] = [];
  for (const traf of children(moof, 'traf')) {
    const tfhd = child(traf, 'tfhd')!.body;
    const timescale = timescales.get(tfhd.readUInt32BE(4));
    if (timescale === undefined) continue;
    const tfhdFlags = tfhd.readUIntBE(1, 3);
    let o = 8 + (tfhdFlags & 0x01 ? 8 : 0) + (tfhdFlags & 0x02 ? 4 : 0);
    const defaultDuration = tfhdFlags & 0x08 ? tfhd.readUInt32BE(o) : 0;
    const tfdt = child(traf, 'tfdt')!.body;
    let dts = tfdt[0] === 1 ? Number(tfdt.readBigUInt64BE(4)) : tfdt.readUInt32BE(4);
    for (const trun of children(traf, 'trun')) {
      const t = trun.body;
      const flags = t.readUIntBE(1, 3);
      const count = t.readUInt32BE(4);
      o = 8 + (flags & 0x01 ? 4 : 0) + (flags & 0x04 ? 4 : 0);
      for (let n = 0; n < count; n++) {
        const duration = flags & 0x100 ? t.readUInt32BE(o) : defaultDuration;
        o += (flags & 0x100 ? 4 : 0) + (flags & 0x200 ? 4 : 0) + (flags & 0x400 ? 4 : 0);
        let cto = 0;
        if (flags & 0x800) {
          cto = t[0] === 1 ? t.readInt32BE(o) : t.readUInt32BE(o);
          o += 4;
        }
        times.push((dts + cto) / timescale);
        dts += duration;
      }
    }
  }
  return times;
}

/** TXXX frames of the ID3 emsg v1 boxes of an fMP4 segment, with presentation time and the video time range. */
export function txxxFromFmp4(seg: Buffer, init: Buffer): FoundTxxx[] {
  const timescales = videoTimescales(init);
  const top = parseBoxes(seg);
  const times = top.filter((b) => b.type === 'moof').flatMap((m) => videoSampleTimes(m, timescales));
  const video = times.length > 0 ? { first: Math.min(...times), last: Math.max(...times) } : undefined;
  const found: FoundTxxx[] = [];
  for (const box of top.filter((b) => b.type === 'emsg')) {
    const e = box.body;
    // Version 0 boxes (scheme first) are the `urn:twitch:id3` copies for Amazon's IVS player: not this carriage.
    if (e[0] === 0 && e.toString('utf8', 4, e.indexOf(0, 4)) !== ID3_SCHEME) continue;
    if (e[0] !== 1) throw new Error(`emsg version ${e[0]}, expected 1`);
    const timescale = e.readUInt32BE(4);
    const presentation = Number(e.readBigUInt64BE(8));
    let i = 24;
    const schemeEnd = e.indexOf(0, i);
    const scheme = e.toString('utf8', i, schemeEnd);
    i = e.indexOf(0, schemeEnd + 1) + 1; // after the value string
    if (scheme !== ID3_SCHEME) continue;
    for (const f of txxxFrames(e.subarray(i))) found.push({ ...f, pts: presentation / timescale, video });
  }
  return found;
}
