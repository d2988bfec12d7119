// Packet-level tests of the in-house MPEG-TS muxer: framing, continuity counters, PSI CRCs, PCR, PES timestamps,
// Annex B conversion, ADTS headers, audio grouping and the ID3 metadata PES.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adtsFields, writeAdtsHeader } from '../../src/media/package/ts/adts.js';
import { crc32Mpeg2 } from '../../src/media/package/ts/crc32.js';
import { TsMuxer, type TsMuxerOptions } from '../../src/media/package/ts/muxer.js';
import { msToTicks, readTimestamp, writeTimestamp, WRAP_33 } from '../../src/media/package/ts/timestamps.js';
import type { AccessUnit } from '../../src/media/types.js';
import { audioTrack, PPS, SPS, synthetic, videoTrack } from './fixtures/package-synthetic.js';
import { parsePackets, parsePmt, pesOf, sectionOf } from './fixtures/package-ts.js';

function mux(units: AccessUnit[], options: TsMuxerOptions = {}, offsetMs = 10_000): Buffer {
  const m = new TsMuxer({ video: videoTrack(), audio: audioTrack(), ...options });
  m.beginSegment();
  for (const u of units) {
    const unit = { ...u, dts: u.dts + offsetMs, pts: u.pts + offsetMs };
    if (u.track === 'video') m.writeVideo(unit);
    else m.writeAudio(unit);
  }
  return m.finishSegment();
}

const clip = synthetic({ durationMs: 2000, videoBytes: 5000 });
const packets = parsePackets(mux(clip));

describe('TS packets', () => {
  it('are 188 bytes with sync byte 0x47, PAT then PMT first', () => {
    assert.ok(packets.length > 100);
    assert.equal(packets[0]!.pid, 0);
    assert.equal(packets[1]!.pid, 0x1000);
  });

  it('have continuity counters increasing mod 16 per PID (not for adaptation-only packets)', () => {
    const last = new Map<number, number>();
    for (const p of packets) {
      const prev = last.get(p.pid);
      if (prev !== undefined) assert.equal(p.cc, p.hasPayload ? (prev + 1) % 16 : prev, `packet ${p.index} pid ${p.pid}`);
      last.set(p.pid, p.cc);
    }
  });

  it('carry PAT/PMT sections with valid CRC32 and the expected streams', () => {
    assert.equal(crc32Mpeg2(Buffer.from('123456789')), 0x0376e6e7); // CRC-32/MPEG-2 check value
    for (const p of packets.slice(0, 2)) assert.equal(crc32Mpeg2(sectionOf(p)), 0, 'CRC over section+CRC is 0');
    const pat = sectionOf(packets[0]!);
    assert.equal(((pat[10]! & 0x1f) << 8) | pat[11]!, 0x1000);
    const pmt = parsePmt(sectionOf(packets[1]!));
    assert.equal(pmt.pcrPid, 0x100);
    assert.deepEqual(
      pmt.streams.map((s) => [s.streamType, s.pid]),
      [
        [0x1b, 0x100],
        [0x0f, 0x101],
      ],
    );
  });

  it('declares the ID3 metadata PID with its descriptor only when asked', () => {
    const withMeta = parsePackets(mux(clip.slice(0, 3), { metadata: true }));
    const pmt = parsePmt(sectionOf(withMeta[1]!));
    const meta = pmt.streams.find((s) => s.pid === 0x102)!;
    assert.equal(meta.streamType, 0x15);
    assert.equal(meta.descriptors.toString('hex'), '260dffff49443320ff49443320000f');
    assert.equal(crc32Mpeg2(sectionOf(withMeta[1]!)), 0);
  });

  it('bumps the PMT version when the stream list changes, and uses the audio PID for PCR without video', () => {
    const m = new TsMuxer({ video: videoTrack(), audio: audioTrack() });
    m.setTracks(undefined, audioTrack());
    m.beginSegment();
    for (const u of synthetic({ durationMs: 300, video: false })) m.writeAudio({ ...u, dts: u.dts + 1000, pts: u.pts + 1000 });
    const ps = parsePackets(m.finishSegment());
    const section = sectionOf(ps[1]!);
    assert.equal((section[5]! >> 1) & 0x1f, 1, 'version_number');
    assert.equal(crc32Mpeg2(section), 0);
    const pmt = parsePmt(section);
    assert.equal(pmt.pcrPid, 0x101);
    assert.deepEqual(
      pmt.streams.map((x) => x.pid),
      [0x101],
    );
    const audio = pesOf(ps, 0x101);
    assert.ok(audio.every((pes) => ps[pes.firstPacket]!.pcr !== undefined));
  });

  it('has a PCR in the first packet of every video PES, monotonic, at most 100 ms apart', () => {
    const video = pesOf(packets, 0x100);
    const pcrs = video.map((pes) => packets[pes.firstPacket]!.pcr);
    assert.ok(pcrs.every((p) => p !== undefined));
    for (let i = 1; i < pcrs.length; i++) {
      assert.ok(pcrs[i]! >= pcrs[i - 1]!);
      assert.ok(pcrs[i]! - pcrs[i - 1]! <= 9000);
    }
    assert.ok(pcrs[0]! <= video[0]!.dts, 'PCR not after the DTS it precedes');
  });

  it('inserts PCR-only packets when video frames are sparse (2 fps)', () => {
    const sparse = synthetic({ durationMs: 2000, fps: 2, gopFrames: 4 });
    const ps = parsePackets(mux(sparse));
    const pcrs = ps.filter((p) => p.pcr !== undefined).map((p) => p.pcr!);
    for (let i = 1; i < pcrs.length; i++) assert.ok(pcrs[i]! - pcrs[i - 1]! <= 9000 + 2400, `gap ${pcrs[i]! - pcrs[i - 1]!}`);
    assert.ok(ps.some((p) => p.pid === 0x100 && !p.hasPayload && p.pcr !== undefined));
  });

  it('writes video PES with PTS/DTS, random access on keyframes, AUD first and SPS/PPS before IDR', () => {
    const video = pesOf(packets, 0x100);
    const units = clip.filter((u) => u.track === 'video');
    assert.equal(video.length, units.length);
    video.forEach((pes, i) => {
      assert.equal(pes.streamId, 0xe0);
      assert.equal(pes.dts, msToTicks(units[i]!.dts + 10_000));
      assert.equal(pes.pts, msToTicks(units[i]!.pts + 10_000));
      assert.equal(pes.randomAccess, units[i]!.keyframe);
    });
    const aud = '0000000109f0';
    const idr = video[0]!.payload.toString('hex');
    const params = `00000001${SPS.toString('hex')}00000001${PPS.toString('hex')}`;
    assert.ok(idr.startsWith(aud + params + '0000000165'), 'AUD, SPS, PPS, then the IDR slice');
    assert.equal(video[0]!.payload.length, 6 + 4 + SPS.length + 4 + PPS.length + 4 + 5000, 'stuffing is not payload');
    assert.ok(video[1]!.payload.toString('hex').startsWith(aud + '0000000141'));
  });

  it('pads the last packet of each PES with adaptation-field stuffing', () => {
    const video = pesOf(packets, 0x100);
    for (let i = 0; i < video.length - 1; i++) {
      const lastPacket = packets.filter((p) => p.pid === 0x100 && p.index < video[i + 1]!.firstPacket).pop()!;
      assert.ok(lastPacket.payload.length < 184 || video[i]!.payload.length % 184 === 0);
    }
  });

  it('groups AAC frames into PES of about 100 ms, each frame with a valid ADTS header', () => {
    const audio = pesOf(packets, 0x101);
    const frames = clip.filter((u) => u.track === 'audio');
    let total = 0;
    for (const pes of audio) {
      assert.equal(pes.streamId, 0xc0);
      assert.equal(pes.declaredLength, pes.payload.length + 8);
      const n = countAdts(pes.payload);
      assert.ok(n >= 1 && n <= 5, `frames per PES: ${n}`);
      total += n;
    }
    assert.equal(total, frames.length);
    assert.equal(audio[0]!.pts, msToTicks(frames[0]!.pts + 10_000));
  });

  it('writeId3 produces a PES on PID 0x102 whose payload is exactly the tag, at the given PTS', () => {
    const m = new TsMuxer({ video: videoTrack(), audio: audioTrack(), metadata: true });
    m.beginSegment();
    const tag = Buffer.concat([Buffer.from('ID3\x04\x00\x00\x00\x00\x01\x00', 'latin1'), Buffer.alloc(300, 0x61)]);
    m.writeId3(123_456.789, tag);
    const ps = parsePackets(m.finishSegment());
    const id3 = pesOf(ps, 0x102);
    assert.equal(id3.length, 1);
    assert.equal(id3[0]!.streamId, 0xbd);
    assert.equal(id3[0]!.pts, Math.round(123_456.789 * 90));
    assert.ok(id3[0]!.payload.equals(tag));
    assert.equal(id3[0]!.declaredLength, tag.length + 8);
  });
});

describe('timestamps', () => {
  it('round-trips PTS/DTS fields including values above 2^32', () => {
    const buf = Buffer.alloc(5);
    for (const t of [0, 1, 90_000, 2 ** 31 + 7, 2 ** 32 + 12345, WRAP_33 - 1]) {
      writeTimestamp(buf, 0, 0x2, t);
      assert.equal(readTimestamp(buf, 0), t);
      assert.equal(buf[0]! >> 4, 0x2);
      assert.equal(buf[0]! & 1, 1);
      assert.equal(buf[2]! & 1, 1);
      assert.equal(buf[4]! & 1, 1);
    }
  });

  it('wraps ms → 90 kHz at 33 bits', () => {
    assert.equal(msToTicks(1000), 90_000);
    const wrapMs = WRAP_33 / 90;
    assert.equal(msToTicks(wrapMs + 1000), 90_000);
    assert.equal(msToTicks(-1000), WRAP_33 - 90_000);
  });

  it('keeps PES timestamps correct across the 33-bit wrap (~26.5 h)', () => {
    const offset = WRAP_33 / 90 - 500; // wraps half a second into the clip
    const ps = parsePackets(mux(synthetic({ durationMs: 1000, audio: false }), {}, offset));
    const video = pesOf(ps, 0x100);
    const after = video.find((p) => p.dts < 90_000)!;
    assert.ok(after, 'some DTS wrapped to small values');
    assert.ok(video[0]!.dts > WRAP_33 - 50_000);
  });
});

describe('ADTS header', () => {
  it('encodes profile, sampling index, channels and frame length', () => {
    const h = Buffer.alloc(7);
    writeAdtsHeader(h, 0, adtsFields(audioTrack()), 300);
    assert.equal(h[0], 0xff);
    assert.equal(h[1]! & 0xf6, 0xf0, 'syncword, MPEG-4, layer 0');
    assert.equal(h[1]! & 0x01, 1, 'protection absent');
    assert.equal(h[2]! >> 6, 1, 'profile = AAC-LC (object type 2) - 1');
    assert.equal((h[2]! >> 2) & 0x0f, 3, '48 kHz');
    assert.equal(((h[2]! & 1) << 2) | (h[3]! >> 6), 2, 'channels');
    assert.equal(adtsLength(h, 0), 307);
    assert.equal(h[6]! & 0x03, 0, 'one raw data block');
  });
});

function adtsLength(b: Buffer, off: number): number {
  return ((b[off + 3]! & 0x03) << 11) | (b[off + 4]! << 3) | (b[off + 5]! >> 5);
}

function countAdts(payload: Buffer): number {
  let n = 0;
  for (let off = 0; off < payload.length; n++) {
    assert.equal(payload[off], 0xff);
    off += adtsLength(payload, off);
    assert.ok(off <= payload.length);
  }
  return n;
}
