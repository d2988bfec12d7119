// Fragmented MP4 (CMAF) writer: box structure of the init segment and of fragments (parsed back with the minimal box
// reader of devtools/bmff.ts, independent of the writer), sample timing, parts, emsg timed metadata, and end to end: an
// ffmpeg-made FLV through HlsSegmenter + Fmp4SegmentWriter, judged by ffprobe/ffmpeg via an EXT-X-MAP playlist.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getId3Frames } from '@svta/cml-id3';
import { Fmp4SegmentWriter } from '../../src/media/package/fmp4/fmp4-segment-writer.js';
import { id3TxxxTag } from '../../src/media/package/id3.js';
import { HlsSegmenter } from '../../src/media/package/segmenter.js';
import type { Segment, TimedUnit } from '../../src/media/package/types.js';
import type { AccessUnit } from '../../src/media/types.js';
import {
  assertSegmentPlays,
  decodeErrors,
  decodedVideoFrames,
  extinfTotal,
  makeFlvClip,
  packageFmp4,
} from './fixtures/package-e2e.js';
import type { FlvClip } from './fixtures/package-flv.js';
import { ffprobeJson } from './fixtures/package-probe.js';
import { audioTrack, avcc, synthetic, videoTrack } from './fixtures/package-synthetic.js';
import { parsePackets, pesOf } from './fixtures/package-ts.js';
import { boxTypes as types, findBox as find, parseBoxes, type Box } from '../../devtools/bmff.js';
import { id3Text } from '../../devtools/id3-carriage.js';

// ---- fragment readers on devtools/bmff.ts ---------------------------------------------------------------------------

const u64 = (b: Buffer, off: number) => Number(b.readBigUInt64BE(off));

interface Trun {
  version: number;
  flags: number;
  dataOffset: number;
  samples: { duration: number; size: number; flags: number; cto: number }[];
}

function readTrun(b: Box): Trun {
  const version = b.body[0]!;
  const flags = b.body.readUIntBE(1, 3);
  const count = b.body.readUInt32BE(4);
  const dataOffset = b.body.readInt32BE(8);
  const withCto = (flags & 0x800) !== 0;
  const samples = [];
  for (let i = 0, off = 12; i < count; i++) {
    const cto = withCto ? (version === 1 ? b.body.readInt32BE(off + 12) : b.body.readUInt32BE(off + 12)) : 0;
    samples.push({
      duration: b.body.readUInt32BE(off),
      size: b.body.readUInt32BE(off + 4),
      flags: b.body.readUInt32BE(off + 8),
      cto,
    });
    off += withCto ? 16 : 12;
  }
  return { version, flags, dataOffset, samples };
}

interface Traf {
  trackId: number;
  tfhdFlags: number;
  tfdtVersion: number;
  baseDecodeTime: number;
  trun: Trun;
}

function readTrafs(moof: Box): Traf[] {
  return moof.children
    .filter((c) => c.type === 'traf')
    .map((traf) => {
      const tfhd = find(traf.children, 'tfhd');
      const tfdt = find(traf.children, 'tfdt');
      return {
        trackId: tfhd.body.readUInt32BE(4),
        tfhdFlags: tfhd.body.readUIntBE(1, 3),
        tfdtVersion: tfdt.body[0]!,
        baseDecodeTime: tfdt.body[0] === 1 ? u64(tfdt.body, 4) : tfdt.body.readUInt32BE(4),
        trun: readTrun(find(traf.children, 'trun')),
      };
    });
}

function cstring(b: Buffer, off: number): [string, number] {
  const end = b.indexOf(0, off);
  return [b.toString('utf8', off, end), end + 1];
}

// ---- structure -----------------------------------------------------------------------------------------------------

const timed = (u: AccessUnit): TimedUnit => ({
  track: u.track,
  dts: u.dts + 10_000,
  pts: u.pts + 10_000,
  keyframe: u.keyframe,
  data: u.data,
});

function writerWith(units: AccessUnit[]): Fmp4SegmentWriter {
  const w = new Fmp4SegmentWriter();
  w.setTracks({ video: videoTrack(640, 360), audio: audioTrack() });
  w.begin();
  for (const u of units) w.write(timed(u));
  return w;
}

describe('fMP4 init segment', () => {
  it('has ftyp and a moov with one trak per track, mvex/trex, and the codec configurations as received', () => {
    const video = videoTrack(640, 360);
    const audio = audioTrack();
    const w = new Fmp4SegmentWriter();
    assert.equal(w.extension, 'm4s');
    assert.equal(w.initSection(), undefined, 'no tracks, no init section');
    w.setTracks({ video, audio });
    const init = w.initSection()!;
    const boxes = parseBoxes(init);
    assert.deepEqual(types(boxes), ['ftyp', 'moov']);
    const ftyp = boxes[0]!.body;
    assert.equal(ftyp.toString('latin1', 0, 4), 'iso6');
    const brands = [];
    for (let off = 8; off < ftyp.length; off += 4) brands.push(ftyp.toString('latin1', off, off + 4));
    for (const b of ['iso6', 'cmfc', 'mp41', 'dash', 'avc1']) assert.ok(brands.includes(b), `compatible brand ${b}`);
    const moov = boxes[1]!;
    assert.deepEqual(types(moov.children), ['mvhd', 'trak', 'trak', 'mvex']);
    assert.deepEqual(types(find(moov.children, 'mvex').children), ['trex', 'trex']);
    const [vtrak, atrak] = moov.children.filter((c) => c.type === 'trak') as [Box, Box];
    for (const trak of [vtrak, atrak]) {
      assert.deepEqual(types(trak.children), ['tkhd', 'mdia']);
      assert.deepEqual(types(find(trak.children, 'mdia').children), ['mdhd', 'hdlr', 'minf']);
      assert.deepEqual(types(find(trak.children, 'mdia/minf/stbl').children), ['stsd', 'stts', 'stsc', 'stsz', 'stco']);
      assert.deepEqual(types(find(trak.children, 'mdia/minf/dinf/dref').children), ['url ']);
    }
    // Video: track 1, 90 kHz, vide, avc1 640x360 with avcC = decoderConfig.
    const vtkhd = find(vtrak.children, 'tkhd').body;
    assert.equal(vtkhd.readUInt32BE(12), 1);
    assert.deepEqual([vtkhd.readUInt32BE(76) / 65536, vtkhd.readUInt32BE(80) / 65536], [640, 360]);
    assert.equal(find(vtrak.children, 'mdia/mdhd').body.readUInt32BE(12), 90_000);
    assert.equal(find(vtrak.children, 'mdia/hdlr').body.toString('latin1', 8, 12), 'vide');
    assert.ok(find(vtrak.children, 'mdia/minf').children.some((c) => c.type === 'vmhd'));
    const avc1 = find(vtrak.children, 'mdia/minf/stbl/stsd/avc1');
    assert.deepEqual([avc1.body.readUInt16BE(24), avc1.body.readUInt16BE(26)], [640, 360]);
    assert.ok(find(avc1.children, 'avcC').body.equals(video.decoderConfig));
    // Audio: track 2, timescale = sample rate, soun, mp4a with the ASC inside esds.
    assert.equal(find(atrak.children, 'tkhd').body.readUInt32BE(12), 2);
    assert.equal(find(atrak.children, 'mdia/mdhd').body.readUInt32BE(12), 48_000);
    assert.equal(find(atrak.children, 'mdia/hdlr').body.toString('latin1', 8, 12), 'soun');
    assert.ok(find(atrak.children, 'mdia/minf').children.some((c) => c.type === 'smhd'));
    const mp4a = find(atrak.children, 'mdia/minf/stbl/stsd/mp4a');
    assert.deepEqual([mp4a.body.readUInt16BE(16), mp4a.body.readUInt32BE(24) / 65536], [2, 48_000]);
    const esds = find(mp4a.children, 'esds').body;
    // ES_Descriptor(3) → DecoderConfig(4, objectType 0x40, audio stream) → DecoderSpecificInfo(5) = ASC.
    assert.equal(esds[4], 0x03);
    const dcd = esds.indexOf(0x04, 8);
    assert.deepEqual([esds[dcd + 2], esds[dcd + 3]], [0x40, 0x15]);
    const dsi = dcd + 2 + 13;
    assert.equal(esds[dsi], 0x05);
    assert.ok(esds.subarray(dsi + 2, dsi + 2 + esds[dsi + 1]!).equals(audio.audioSpecificConfig));
    assert.deepEqual(
      find(moov.children, 'mvex').children.map((t) => t.body.readUInt32BE(4)),
      [1, 2],
    );
  });

  it('changes with setTracks (audio-only: one trak, track 2) and is cached otherwise', () => {
    const w = new Fmp4SegmentWriter();
    w.setTracks({ video: videoTrack(), audio: audioTrack() });
    const first = w.initSection()!;
    assert.equal(w.initSection(), first, 'cached');
    w.setTracks({ audio: audioTrack() });
    const moov = find(parseBoxes(w.initSection()!), 'moov');
    assert.deepEqual(types(moov.children), ['mvhd', 'trak', 'mvex']);
    assert.equal(find(moov.children, 'trak/tkhd').body.readUInt32BE(12), 2);
  });
});

describe('fMP4 fragments', () => {
  it('writes moof (mfhd, traf per track: tfhd base-is-moof, tfdt v1, trun) + mdat with exact offsets and timing', () => {
    const units = synthetic({ durationMs: 2000 });
    const w = writerWith(units);
    const bytes = w.finish();
    const boxes = parseBoxes(bytes);
    assert.deepEqual(types(boxes), ['moof', 'mdat']);
    const [moof, mdat] = boxes as [Box, Box];
    assert.deepEqual(types(moof.children), ['mfhd', 'traf', 'traf']);
    assert.equal(find(moof.children, 'mfhd').body.readUInt32BE(4), 1, 'first sequence number');
    for (const traf of moof.children.filter((c) => c.type === 'traf'))
      assert.deepEqual(types(traf.children), ['tfhd', 'tfdt', 'trun']);
    const [v, a] = readTrafs(moof) as [Traf, Traf];
    const vUnits = units.filter((u) => u.track === 'video');
    const aUnits = units.filter((u) => u.track === 'audio');
    assert.deepEqual([v.trackId, a.trackId], [1, 2]);
    assert.deepEqual([v.tfhdFlags, v.tfdtVersion, a.tfhdFlags, a.tfdtVersion], [0x020000, 1, 0x020000, 1]);
    assert.equal(v.baseDecodeTime, 10_000 * 90);
    assert.equal(a.baseDecodeTime, 10_000 * 48);
    // Video: trun v1 with signed CTOs; durations = DTS differences (33/34 ms at 30 fps in RTMP ms), last = previous.
    assert.equal(v.trun.version, 1);
    assert.equal(v.trun.samples.length, vUnits.length);
    for (let i = 0; i < vUnits.length; i++) {
      const s = v.trun.samples[i]!;
      const next = vUnits[i + 1];
      const expected = next ? (next.dts - vUnits[i]!.dts) * 90 : v.trun.samples[i - 1]!.duration;
      assert.equal(s.duration, expected, `video sample ${i} duration`);
      assert.equal(s.size, vUnits[i]!.data.length);
      assert.equal(s.cto, 66 * 90);
      assert.equal(s.flags, i === 0 ? 0x02000000 : 0x01010000, `video sample ${i} flags`);
    }
    // Audio: trun v0 without CTOs, every AAC frame 1024 ticks (ms jitter snapped away), sync flags.
    assert.equal(a.trun.flags & 0x800, 0);
    assert.equal(a.trun.samples.length, aUnits.length);
    assert.ok(a.trun.samples.every((s) => s.duration === 1024 && s.flags === 0x02000000 && s.size === 300));
    // Data offsets (from the moof start) point into the mdat: video samples, then audio.
    assert.equal(v.trun.dataOffset, moof.size + 8);
    const videoBytes = vUnits.reduce((n, u) => n + u.data.length, 0);
    assert.equal(a.trun.dataOffset, moof.size + 8 + videoBytes);
    assert.ok(bytes.subarray(v.trun.dataOffset, v.trun.dataOffset + vUnits[0]!.data.length).equals(vUnits[0]!.data));
    assert.ok(mdat.body.equals(Buffer.concat([...vUnits, ...aUnits].map((u) => u.data))));
  });

  it('cuts each part into CMAF chunks, one per video frame; finish() is the parts concatenated; timing continues', () => {
    const units = synthetic({ durationMs: 1000 });
    const w = new Fmp4SegmentWriter();
    w.setTracks({ video: videoTrack(), audio: audioTrack() });
    w.begin();
    const parts: Buffer[] = [];
    for (const [i, u] of units.entries()) {
      w.write(timed(u));
      if (i % 20 === 19) parts.push(w.part());
    }
    const tail = w.part();
    if (tail.length > 0) parts.push(tail);
    assert.equal(w.part().length, 0, 'nothing buffered: empty part');
    const all = w.finish();
    assert.ok(all.equals(Buffer.concat(parts)), 'the segment is its parts concatenated');
    assert.ok(parts.length >= 4);
    const boxes = parseBoxes(all);
    const videoUnits = units.filter((x) => x.track === 'video');
    // One chunk (moof + mdat) per video frame, each part starting a new one.
    assert.deepEqual(
      types(boxes),
      videoUnits.flatMap(() => ['moof', 'mdat']),
    );
    for (const part of parts) assert.equal(parseBoxes(part)[0]!.type, 'moof', 'a part is whole chunks');
    const moofs = boxes.filter((b) => b.type === 'moof');
    assert.deepEqual(
      moofs.map((m) => find(m.children, 'mfhd').body.readUInt32BE(4)),
      moofs.map((_, i) => i + 1),
    );
    // Audio: each fragment's tfdt = previous tfdt + its durations (continuous clock); video: the true DTS.
    // Audio rides in the chunk of the video frame it starts during (or the first one of its part).
    let audioNext: number | undefined;
    let frames = 0;
    let audioFrames = 0;
    for (const m of moofs) {
      const trafs = readTrafs(m);
      const video = trafs.find((t) => t.trackId === 1)!;
      assert.equal(video.trun.samples.length, 1, 'one video frame per chunk');
      const u = videoUnits[frames]!;
      assert.equal(video.baseDecodeTime, (u.dts + 10_000) * 90);
      frames += 1;
      const next = videoUnits[frames];
      for (const t of trafs.filter((x) => x.trackId === 2)) {
        if (audioNext !== undefined) assert.equal(t.baseDecodeTime, audioNext);
        audioNext = t.baseDecodeTime + t.trun.samples.reduce((n, s) => n + s.duration, 0);
        audioFrames += t.trun.samples.length;
        // 48 kHz audio clock, 90 kHz video clock: the chunk's audio starts before the next frame.
        if (next) assert.ok(t.baseDecodeTime / 48 < next.dts + 10_000, 'audio starts before the next frame');
      }
    }
    assert.equal(frames, videoUnits.length);
    assert.equal(audioFrames, units.filter((x) => x.track === 'audio').length, 'every audio frame once');
    // The next segment continues the mfhd sequence.
    w.begin();
    w.write(timed({ ...units[0]!, dts: 2000, pts: 2000 }));
    assert.equal(find(parseBoxes(w.finish()), 'moof/mfhd').body.readUInt32BE(4), moofs.length + 1);
  });

  it('omits the traf of a track without samples in the fragment', () => {
    const w = new Fmp4SegmentWriter();
    w.setTracks({ video: videoTrack(), audio: audioTrack() });
    w.begin();
    w.write({ track: 'video', dts: 0, pts: 0, keyframe: true, data: avcc(true, 100) });
    const moof = find(parseBoxes(w.part()), 'moof');
    assert.deepEqual(types(moof.children), ['mfhd', 'traf']);
    assert.equal(readTrafs(moof)[0]!.trun.samples[0]!.duration, 3000, 'a lone video sample: nominal 1/30 s');
  });
});

describe('fMP4 timed metadata (emsg)', () => {
  const readEmsg = (b: Buffer) => {
    assert.equal(b.readUIntBE(1, 3), 0, 'flags');
    if (b[0] === 1) {
      const [scheme, afterScheme] = cstring(b, 24);
      const [value, afterValue] = cstring(b, afterScheme);
      return {
        version: 1,
        timescale: b.readUInt32BE(4),
        time: u64(b, 8),
        duration: b.readUInt32BE(16),
        id: b.readUInt32BE(20),
        scheme,
        value,
        data: b.subarray(afterValue),
      };
    }
    assert.equal(b[0], 0, 'version 0 or 1');
    const [scheme, afterScheme] = cstring(b, 4);
    const [value, afterValue] = cstring(b, afterScheme);
    return {
      version: 0,
      timescale: b.readUInt32BE(afterValue),
      time: b.readUInt32BE(afterValue + 4),
      duration: b.readUInt32BE(afterValue + 8),
      id: b.readUInt32BE(afterValue + 12),
      scheme,
      value,
      data: b.subarray(afterValue + 16),
    };
  };

  it('puts each tag before the next moof twice: emsg v1 (aomedia ID3, absolute time) and v0 (urn:twitch:id3, time in the segment)', () => {
    const units = synthetic({ durationMs: 500 });
    const w = writerWith(units.slice(0, 10));
    // v0 times count from the segment's earliest video presentation time (writerWith adds 10 s).
    const start =
      Math.min(
        ...units
          .slice(0, 10)
          .filter((u) => u.track === 'video')
          .map((u) => u.pts),
      ) + 10_000;
    const id3 = id3TxxxTag('{"hello":"world"}');
    const id3b = id3TxxxTag('second');
    w.writeMetadata(10_100, id3);
    w.writeMetadata(10_133, id3b);
    const part = w.part();
    const boxes = parseBoxes(part);
    assert.deepEqual(types(boxes).slice(0, 6), ['emsg', 'emsg', 'emsg', 'emsg', 'moof', 'mdat']);
    assert.ok(!types(boxes).slice(4).includes('emsg'), 'only before the first chunk');
    const [a1, a0, b1, b0] = boxes.slice(0, 4).map((b) => readEmsg(b.body));
    assert.deepEqual(
      { ...a1, data: undefined },
      {
        version: 1,
        timescale: 90_000,
        time: 10_100 * 90,
        duration: 0xffffffff,
        id: 0,
        scheme: 'https://aomedia.org/emsg/ID3',
        value: '',
        data: undefined,
      },
    );
    assert.deepEqual(
      { ...a0, data: undefined },
      {
        version: 0,
        timescale: 90_000,
        time: (10_100 - start) * 90,
        duration: 0xffffffff,
        id: 0,
        scheme: 'urn:twitch:id3',
        value: '',
        data: undefined,
      },
    );
    assert.ok(a1!.data.equals(id3) && a0!.data.equals(id3), 'message_data = the ID3 tag');
    assert.deepEqual([b1!.id, b1!.time, b0!.id, b0!.time], [1, 10_133 * 90, 1, (10_133 - start) * 90]);
    assert.ok(b1!.data.equals(id3b) && b0!.data.equals(id3b));
    // Without samples the emsgs wait for the next fragment; the next part has none left. v0 stays segment-relative.
    w.writeMetadata(10_200, id3);
    assert.equal(w.part().length, 0);
    for (const u of units.slice(10, 12)) w.write(timed(u));
    const later = parseBoxes(w.part());
    assert.deepEqual(types(later).slice(0, 4), ['emsg', 'emsg', 'moof', 'mdat']);
    assert.equal(readEmsg(later[1]!.body).time, (10_200 - start) * 90);
    for (const u of units.slice(12, 14)) w.write(timed(u));
    assert.ok(!types(parseBoxes(w.part())).includes('emsg'));
  });

  it('carries the per-segment tag only as urn:twitch:id3 (hls.js and Safari read only the aomedia scheme)', () => {
    const w = writerWith(synthetic({ durationMs: 200 }));
    const tag = id3TxxxTag('{"cmd":"ld_lat_data"}', 'segmentmetadata');
    w.writeMetadata(10_000, tag, 'segment');
    const boxes = parseBoxes(w.finish());
    assert.deepEqual(types(boxes), ['emsg', 'moof', 'mdat']);
    const e = readEmsg(boxes[0]!.body);
    assert.deepEqual([e.version, e.scheme, e.time], [0, 'urn:twitch:id3', 0]);
    assert.ok(e.data.equals(tag));
  });

  it('starts every segment of HlsSegmenter with the segmentmetadata tag (v0 only, delta 0)', () => {
    const writer = new Fmp4SegmentWriter();
    const seg = new HlsSegmenter({ writer, partTargetMs: 334 });
    const segments: Segment[] = [];
    seg.on('segment', (x) => segments.push(x));
    seg.setTracks(videoTrack(640, 360), audioTrack());
    for (const u of synthetic({ durationMs: 6000 })) seg.push(u);
    seg.end();
    assert.equal(segments.length, 3);
    for (const s of segments) {
      const boxes = parseBoxes(s.bytes);
      const emsgs = boxes.filter((b) => b.type === 'emsg').map((b) => readEmsg(b.body));
      assert.equal(boxes[0]!.type, 'emsg', 'before the first moof');
      assert.equal(emsgs.length, 1);
      assert.deepEqual([emsgs[0]!.version, emsgs[0]!.scheme, emsgs[0]!.time], [0, 'urn:twitch:id3', 0]);
      const [frame] = getId3Frames(new Uint8Array(emsgs[0]!.data));
      assert.deepEqual([frame!.key, frame!.info], ['TXXX', 'segmentmetadata']);
      assert.equal(JSON.parse(id3Text(frame!.data)).transc_r, s.programDateTime.getTime());
    }
  });
});

describe('fMP4 through HlsSegmenter', () => {
  it('packages an audio-only stream: one traf (track 2) per segment, audio-only init', () => {
    const writer = new Fmp4SegmentWriter();
    const seg = new HlsSegmenter({ writer });
    const segments: Segment[] = [];
    seg.on('segment', (s) => segments.push(s));
    seg.setTracks(undefined, audioTrack());
    for (const u of synthetic({ durationMs: 6000, video: false })) seg.push(u);
    seg.end();
    assert.equal(segments.length, 3);
    assert.equal(types(find(parseBoxes(writer.initSection()!), 'moov').children).join(), 'mvhd,trak,mvex');
    let next: number | undefined;
    for (const s of segments) {
      const [traf, ...rest] = readTrafs(find(parseBoxes(s.bytes), 'moof'));
      assert.equal(rest.length, 0);
      assert.equal(traf!.trackId, 2);
      if (next !== undefined) assert.equal(traf!.baseDecodeTime, next, 'segments continue the audio clock');
      next = traf!.baseDecodeTime + traf!.trun.samples.reduce((n, x) => n + x.duration, 0);
    }
  });

  it('feeds a TS tap (the copy recordings are made of) whose pieces each start with the segmentmetadata tag', () => {
    const live = new HlsSegmenter({ writer: new Fmp4SegmentWriter(), partTargetMs: 334 });
    const copy = new HlsSegmenter({ windowSize: 1, retainAfterWindow: 0 });
    const pieces: Segment[] = [];
    copy.on('segment', (x) => pieces.push(x));
    live.setTracks(videoTrack(640, 360), audioTrack());
    live.addTap(copy);
    for (const u of synthetic({ durationMs: 6000 })) live.push(u);
    live.pushMetadata(id3TxxxTag('recorded text'));
    live.end();
    assert.equal(pieces.length, 3);
    for (const piece of pieces) {
      const [first] = pesOf(parsePackets(piece.bytes), 0x102);
      const frames = getId3Frames(new Uint8Array(first!.payload));
      assert.deepEqual([frames[0]!.key, frames[0]!.info], ['TXXX', 'segmentmetadata']);
    }
    const texts = pieces
      .flatMap((x) => pesOf(parsePackets(x.bytes), 0x102))
      .flatMap((p) => getId3Frames(new Uint8Array(p.payload)))
      .filter((f) => f.info !== 'segmentmetadata')
      .map((f) => f.data);
    assert.deepEqual(texts, ['recorded text'], 'PutMetadata once, in the TS copy too');
  });

  it("serves each segment's init section from its segment event, a new one after a track change", () => {
    const writer = new Fmp4SegmentWriter();
    const seg = new HlsSegmenter({ writer });
    const seen: { segment: Segment; init: Buffer }[] = [];
    seg.on('segment', (segment) => seen.push({ segment, init: writer.initSection()! }));
    seg.setTracks(videoTrack(1280, 720), audioTrack());
    const units = synthetic({ durationMs: 8000 });
    for (const u of units) {
      if (u.dts === 3000 && u.track === 'video') seg.setTracks(videoTrack(640, 360), audioTrack());
      seg.push(u);
    }
    seg.end();
    const width = (init: Buffer) => find(parseBoxes(init), 'moov/trak/mdia/minf/stbl/stsd/avc1').body.readUInt16BE(24);
    assert.deepEqual(
      seen.map((x) => x.segment.discontinuity),
      [false, false, true, false],
    );
    assert.deepEqual(
      seen.map((x) => width(x.init)),
      [1280, 1280, 640, 640],
    );
  });
});

// ---- end to end ----------------------------------------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'openivs-fmp4-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let clip: FlvClip;

const packageTo = (name: string, units: AccessUnit[], metadataEvery = 0) => packageFmp4(dir, clip, name, units, metadataEvery);

describe('fMP4 packaging of an ffmpeg-made FLV', { timeout: 60_000 }, () => {
  before(async () => {
    clip = await makeFlvClip(dir);
  });

  it('makes init + ~2 s segments that ffprobe reads (h264 640x360 + aac 48 kHz, keyframe first) and ffmpeg plays', async () => {
    assert.ok(
      clip.units.some((u) => u.track === 'video' && u.pts !== u.dts),
      'B-frames in the input',
    );
    const { root, init, segments, playlist, text } = packageTo('single', clip.units, 25);
    assert.equal(segments.length, 4);
    assert.match(text, /#EXT-X-VERSION:7\n/);
    assert.match(text, /#EXT-X-MAP:URI="init.mp4"\n/);
    assert.ok(Math.abs(extinfTotal(text) - 7) <= 0.2, `EXTINF total ${extinfTotal(text)}`);
    for (const s of segments) {
      const boxes = parseBoxes(s.bytes);
      assert.equal(boxes.find((b) => b.type !== 'emsg')!.type, 'moof', 'emsg boxes, then the moof');
      assert.ok(
        boxes.some((b) => b.type === 'emsg'),
        `segment ${s.sequence} carries the metadata`,
      );
      const file = join(root, `whole-${s.sequence}.mp4`);
      writeFileSync(file, Buffer.concat([init, s.bytes]));
      await assertSegmentPlays(file, s.sequence);
    }
    const whole = join(root, 'all.mp4');
    writeFileSync(whole, Buffer.concat([init, ...segments.map((s) => s.bytes)]));
    const frames = await ffprobeJson(['-show_frames', '-select_streams', 'v', '-show_entries', 'frame=key_frame', whole]);
    assert.equal(frames.frames.length, 210, 'every frame of 7 s at 30 fps');
    assert.equal(frames.frames[0]!.key_frame, 1);
    const packets = await ffprobeJson(['-show_packets', '-select_streams', 'v', '-show_entries', 'packet=pts,dts', whole]);
    assert.ok(
      packets.packets.some((p) => p.pts !== p.dts),
      'B-frames kept: pts ≠ dts',
    );
    assert.equal(await decodeErrors(playlist), '');
    assert.equal(await decodedVideoFrames(playlist), 210);
    const format = await ffprobeJson(['-show_entries', 'format=duration', playlist]);
    assert.ok(Math.abs(Number(format.format.duration) - 7) <= 0.2, `duration ${format.format.duration}`);
  });

  it('plays across a discontinuity (the clip restarting at 0)', async () => {
    const second = clip.units.map((u) => ({ ...u, arrival: u.arrival + 7000 }));
    const { segments, playlist, text } = packageTo('twice', [...clip.units, ...second]);
    assert.deepEqual(
      segments.map((s) => s.discontinuity),
      [false, false, false, false, true, false, false, false],
    );
    assert.ok(Math.abs(extinfTotal(text) - 14) <= 0.3, `EXTINF total ${extinfTotal(text)}`);
    assert.equal(await decodeErrors(playlist), '');
    assert.equal(await decodedVideoFrames(playlist), 420);
  });
});
