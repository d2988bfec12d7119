// The in-house MPEG-TS demuxer against real TS from ffmpeg (libx264 High with B-frames + AAC): what it delivers must
// match ffprobe packet for packet (count, size, 90 kHz timestamps, keyframes) and match what the RTMP/FLV path
// delivers for the same streams remuxed to FLV (decoder configuration, NAL units, AudioSpecificConfig). Then the
// same input damaged: packets dropped, bytes flipped, garbage inserted, timestamps wrapping at 2^33, oversized units,
// codecs openivs cannot carry, and streams it ignores.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parseAudioTag, parseVideoTag } from '../../src/media/ingest/flv.js';
import { TsDemuxer } from '../../src/media/ingest/mpegts/demuxer.js';
import { splitAnnexB } from '../../src/media/ingest/mpegts/h264.js';
import { PacketSync } from '../../src/media/ingest/mpegts/packet-sync.js';
import { PesAssembler } from '../../src/media/ingest/mpegts/pes.js';
import { TimestampUnwrapper, WRAP_33 } from '../../src/media/ingest/mpegts/timestamps.js';
import type { AccessUnit } from '../../src/media/types.js';
import {
  Collected,
  flvTags,
  makeTs,
  pictureNals,
  pidOf,
  prng,
  probeTs,
  readTs,
  remuxToFlv,
  tempDir,
  ticks,
  tsPackets,
  type Probe,
} from '../helpers/srt-media.js';

function demux(buf: Buffer, chunk = 1316, limits?: ConstructorParameters<typeof TsDemuxer>[1]): { c: Collected; d: TsDemuxer } {
  const c = new Collected();
  const d = new TsDemuxer(c, limits);
  for (let off = 0; off < buf.length; off += chunk) d.push(buf.subarray(off, off + chunk));
  d.end();
  return { c, d };
}

/** Every delivered unit is one of the originals, byte for byte (loss may remove units, never alter them). */
function assertSubset(delivered: AccessUnit[], original: AccessUnit[], what: string): void {
  const byDts = new Map(original.map((u) => [ticks(u.dts), u]));
  for (const u of delivered) {
    const o = byDts.get(ticks(u.dts));
    assert.ok(o, `${what}: delivered a unit at dts ${u.dts} that the clean stream does not have`);
    assert.ok(o.data.equals(u.data), `${what}: unit at dts ${u.dts} differs from the clean stream`);
    assert.equal(u.pts, o.pts);
    assert.equal(u.keyframe, o.keyframe);
  }
}

/** Every delivered non-keyframe's predecessor in the clean stream was delivered too: no unit reaches the decoder
 * without the units it predicts from (the chain back to its keyframe is whole). */
function assertDecodableChains(delivered: AccessUnit[], original: AccessUnit[]): void {
  const got = new Set(delivered.map((u) => ticks(u.dts)));
  original.forEach((u, i) => {
    if (!got.has(ticks(u.dts)) || u.keyframe || i === 0) return;
    assert.ok(got.has(ticks(original[i - 1]!.dts)), `video unit at dts ${u.dts} delivered without the one before it`);
  });
}

/** The stream_id of the PES a packet starts (0xe0: the first video stream), if it starts one. */
function pesStreamId(p: Buffer): number | undefined {
  if (!(p[1]! & 0x40)) return undefined;
  const control = (p[3]! >> 4) & 3;
  const at = control === 3 ? 5 + p[4]! : control === 1 ? 4 : 188;
  return p[at] === 0 && p[at + 1] === 0 && p[at + 2] === 1 ? p[at + 3] : undefined;
}

function assertMonotonic(units: AccessUnit[], what: string): void {
  for (let i = 1; i < units.length; i++) {
    assert.ok(units[i]!.dts > units[i - 1]!.dts, `${what}: dts not increasing at ${i} (${units[i - 1]!.dts} → ${units[i]!.dts})`);
  }
  for (const u of units) assert.ok(u.pts >= u.dts, `${what}: pts ${u.pts} < dts ${u.dts}`);
}

describe('MPEG-TS demuxer on ffmpeg output', () => {
  let dir: string;
  let tsPath: string;
  let ts: Buffer;
  let probe: Probe;
  let clean: Collected;

  before(async () => {
    dir = tempDir();
    tsPath = await makeTs(dir, 'av', { seconds: 3, size: '640x360' });
    ts = readTs(tsPath);
    probe = await probeTs(tsPath);
    clean = demux(ts).c;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('delivers what ffprobe reports: counts, size, 90 kHz timestamps, keyframes', () => {
    assert.equal(clean.unsupported.length, 0);
    assert.equal(clean.videoConfigs.length, 1, 'one decoder configuration for an unchanging SPS/PPS');
    const v = clean.videoConfigs[0]!;
    assert.equal(v.width, probe.width);
    assert.equal(v.height, probe.height);
    assert.match(v.codecString, /^avc1\.64/, 'High profile');
    assert.equal(v.nalLengthSize, 4);
    const a = clean.audioConfigs[0]!;
    assert.deepEqual([a.codecString, a.sampleRate, a.channels], ['mp4a.40.2', 48000, 2]);

    assert.equal(clean.video.length, probe.video.length, 'video access units');
    assert.equal(clean.audio.length, probe.audio.length, 'AAC frames');
    assert.ok(probe.video.length >= 89, `3 s at 30 fps, got ${probe.video.length}`);
    clean.video.forEach((u, i) => {
      const p = probe.video[i]!;
      assert.deepEqual([ticks(u.dts), ticks(u.pts), u.keyframe], [p.dts, p.pts, p.keyframe], `video unit ${i}`);
    });
    clean.audio.forEach((u, i) => {
      const p = probe.audio[i]!;
      assert.equal(ticks(u.dts), p.dts, `audio frame ${i}`);
      assert.equal(u.data.length, p.size - 7, `audio frame ${i}: raw AAC = ADTS frame minus its 7-byte header`);
    });
    assert.ok(
      clean.video.some((u) => u.pts !== u.dts),
      'B-frames: some pts differ from dts',
    );
    assertMonotonic(clean.video, 'video');
    assertMonotonic(clean.audio, 'audio');
  });

  it('hands the publish path the same media as the RTMP/FLV path for the same streams', async () => {
    const tags = flvTags(await remuxToFlv(tsPath));
    const flvVideo = tags.filter((t) => t.type === 9).map((t) => parseVideoTag(t.body));
    const flvAudio = tags.filter((t) => t.type === 8).map((t) => parseAudioTag(t.body));
    const config = flvVideo.find((t) => t.kind === 'config');
    assert.ok(config && config.kind === 'config');
    assert.ok(clean.videoConfigs[0]!.decoderConfig.equals(config.record), 'AVCDecoderConfigurationRecord identical to FLV');
    // Remuxing from TS, ffmpeg's FLV muxer writes an empty AAC sequence header first and the real one once its
    // ADTS-to-ASC filter has seen a frame.
    const asc = flvAudio.flatMap((t) => (t.kind === 'config' && t.asc.length > 0 ? [t.asc] : [])).at(-1);
    assert.ok(asc);
    assert.ok(clean.audioConfigs[0]!.audioSpecificConfig.equals(asc), 'AudioSpecificConfig identical to FLV');

    const frames = flvVideo.filter((t) => t.kind === 'frame');
    assert.equal(frames.length, clean.video.length);
    frames.forEach((f, i) => {
      const u = clean.video[i]!;
      assert.deepEqual(pictureNals(u.data), pictureNals(f.data), `video unit ${i}: same NAL units`);
      assert.equal(u.keyframe, f.keyframe, `video unit ${i}: keyframe flag`);
      assert.ok(Math.abs(u.pts - u.dts - f.cts) <= 1, `video unit ${i}: composition offset`);
    });
    const audioFrames = flvAudio.filter((t) => t.kind === 'frame');
    assert.equal(audioFrames.length, clean.audio.length);
    audioFrames.forEach((f, i) => assert.ok(clean.audio[i]!.data.equals(f.data), `AAC frame ${i} identical`));
  });

  it('hands out access units that share no memory with its input (a frame would keep a whole SRT batch alive)', async () => {
    // One AAC frame per PES at 32 kbps (~85 bytes): each audio PES fits in one TS packet, the case a view would keep.
    const small = readTs(
      await makeTs(dir, 'one-packet-pes', {
        seconds: 2,
        audio: ['-c:a', 'aac', '-b:a', '32k'],
        extra: ['-pes_payload_size', '0'],
      }),
    );
    const chunks: Buffer[] = [];
    for (let off = 0; off < small.length; off += 6 * 1316) chunks.push(Buffer.from(small.subarray(off, off + 6 * 1316)));
    const c = new Collected();
    const d = new TsDemuxer(c);
    for (const chunk of chunks) d.push(chunk);
    d.end();
    const inputs = new Set(chunks.map((b) => b.buffer));
    const sharing = [...c.video, ...c.audio].filter((u) => inputs.has(u.data.buffer as ArrayBuffer));
    assert.ok(c.audio.length > 0 && c.video.length > 0);
    assert.equal(sharing.length, 0, `${sharing.length} units are views into an input chunk`);
  });

  it('gives the same result for any chunking of the input', () => {
    const rnd = prng(7);
    const c = new Collected();
    const d = new TsDemuxer(c);
    for (let off = 0; off < ts.length;) {
      const n = 1 + Math.floor(rnd() * 3000);
      d.push(ts.subarray(off, off + n));
      off += n;
    }
    d.end();
    assert.equal(c.video.length, clean.video.length);
    assert.equal(c.audio.length, clean.audio.length);
    assertSubset(c.video, clean.video, 'video');
    assertSubset(c.audio, clean.audio, 'audio');
    assert.equal(d.stats.resyncs, 0);
  });

  it('drops only the access units that lost packets, and keeps going', () => {
    const rnd = prng(11);
    const packets = tsPackets(ts);
    let dropped = 0;
    const kept = packets.filter((p) => {
      const drop = pidOf(p) !== 0 && rnd() < 0.01;
      if (drop) dropped++;
      return !drop;
    });
    const { c, d } = demux(Buffer.concat(kept));
    assert.ok(dropped >= 10, `dropped ${dropped} packets`);
    assert.ok(d.stats.continuityGaps > 0, 'continuity gaps detected');
    assertSubset(c.video, clean.video, 'video');
    assertSubset(c.audio, clean.audio, 'audio');
    assert.ok(c.video.length < clean.video.length, 'some video units were lost');
    assertDecodableChains(c.video, clean.video);
    assert.ok(d.stats.skippedVideoUnits > 0, 'units after a loss were skipped until the next keyframe');
    // A lost packet costs at most the audio frame it belonged to and the one before (when it carried the unit start).
    assert.ok(c.audio.length >= clean.audio.length - 2 * dropped);
    assert.ok(
      c.video.some((u) => u.keyframe && u.dts > c.video[0]!.dts),
      'video came back at a later keyframe',
    );
  });

  it('after a lost video unit, skips to the next keyframe and delivers everything from there', () => {
    const packets = tsPackets(ts);
    const videoPid = pidOf(packets.find((p) => pesStreamId(p) === 0xe0)!);
    // One packet from the middle of the stream's video: the unit it belonged to and its successors up to the next
    // keyframe go; the rest arrives.
    const middle = packets.findIndex((p, i) => i > packets.length / 3 && pidOf(p) === videoPid);
    const { c, d } = demux(Buffer.concat(packets.filter((_p, i) => i !== middle)));
    assertDecodableChains(c.video, clean.video);
    const missing = clean.video.filter((u) => !c.video.some((v) => v.dts === u.dts));
    assert.ok(missing.length >= 1, 'the unit that lost a packet is gone');
    const resumed = c.video.find((u) => u.dts > missing[0]!.dts)!;
    assert.ok(resumed.keyframe, 'delivery resumed at a keyframe');
    assert.deepEqual(
      missing.map((u) => u.dts),
      clean.video.filter((u) => u.dts >= missing[0]!.dts && u.dts < resumed.dts).map((u) => u.dts),
      'exactly the units from the loss to the next keyframe are missing',
    );
    assert.equal(d.stats.skippedVideoUnits + d.stats.droppedVideoUnits, missing.length);
    assert.equal(c.audio.length, clean.audio.length, 'audio is unaffected');
  });

  it('drops packets flagged with transport_error_indicator and units they belonged to', () => {
    const packets = tsPackets(ts).map((p, i) => {
      if (i % 97 !== 50) return p;
      const q = Buffer.from(p);
      q[1] = q[1]! | 0x80;
      return q;
    });
    const { c, d } = demux(Buffer.concat(packets));
    assert.ok(d.stats.damagedPackets > 0);
    assertSubset(c.video, clean.video, 'video');
    assertSubset(c.audio, clean.audio, 'audio');
  });

  it('resynchronises after garbage between packets', () => {
    const rnd = prng(5);
    const garbage = Buffer.from(Array.from({ length: 333 }, () => Math.floor(rnd() * 256)));
    const cut = 188 * 700;
    const { c, d } = demux(Buffer.concat([ts.subarray(0, cut), garbage, ts.subarray(cut)]), 1000);
    assert.ok(d.stats.resyncs >= 1);
    assert.ok(d.stats.skippedBytes >= 300);
    assertSubset(c.video, clean.video, 'video');
    assertSubset(c.audio, clean.audio, 'audio');
    assert.ok(
      c.video.length >= clean.video.length - 3,
      `lost at most the units around the garbage (${c.video.length}/${clean.video.length})`,
    );
  });

  it('survives flipped bytes anywhere without throwing', () => {
    for (const seed of [1, 2, 3, 4]) {
      const rnd = prng(seed);
      const damaged = Buffer.from(ts);
      for (let i = 0; i < 200; i++) damaged[Math.floor(rnd() * damaged.length)] = Math.floor(rnd() * 256);
      const { c } = demux(damaged, 1316);
      assert.ok(c.video.length <= clean.video.length + 5, `seed ${seed}: no invented units`);
      for (const u of c.video) assert.ok(Number.isFinite(u.dts) && Number.isFinite(u.pts));
    }
  });

  it('drops units larger than the PES bound, and nothing else', () => {
    const keySizes = clean.video.filter((u) => u.keyframe).map((u) => u.data.length);
    // Below every keyframe: no decoder configuration ever arrives (x264 repeats SPS/PPS in each IDR), so no video.
    const tight = demux(ts, 1316, { maxVideoPesBytes: Math.min(...keySizes) - 1, maxAudioPesBytes: 256 * 1024 });
    assert.equal(tight.c.video.length, 0);
    assert.ok(tight.d.stats.droppedVideoUnits >= keySizes.length);
    assert.equal(tight.c.audio.length, clean.audio.length, 'audio is unaffected');
    // Just above the largest unit (plus its PES header): everything passes.
    const max = Math.max(...clean.video.map((u) => u.data.length));
    const loose = demux(ts, 1316, { maxVideoPesBytes: max + 200, maxAudioPesBytes: 256 * 1024 });
    assert.equal(loose.c.video.length, clean.video.length);
  });

  it('assembles a PES up to its bound, drops the one beyond it, and recovers at the next unit start', () => {
    const got: number[] = [];
    const pes = new PesAssembler(1000, (p) => got.push(p.payload.length));
    const header = Buffer.from([0, 0, 1, 0xe0, 0, 0, 0x80, 0, 0]);
    pes.push(Buffer.concat([header, Buffer.alloc(500)]), true);
    pes.push(Buffer.alloc(600), false); // 1109 bytes: over the bound
    pes.push(Buffer.alloc(100), false); // ignored until the next unit start
    pes.push(Buffer.concat([header, Buffer.alloc(300)]), true);
    pes.flush();
    assert.deepEqual(got, [300]);
    assert.equal(pes.stats.oversize, 1);
  });
});

describe('MPEG-TS demuxer: timestamps, codecs, streams', () => {
  let dir: string;
  before(() => {
    dir = tempDir();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps timestamps continuous across the 33-bit wrap', async () => {
    // Start ~1 s before 2^33 ticks (95443.7 s; ffmpeg adds its 1.4 s mux delay).
    const path = await makeTs(dir, 'wrap', { seconds: 3, extra: ['-output_ts_offset', '95441.3'] });
    const probe = await probeTs(path);
    const { c } = demux(readTs(path));
    assert.equal(c.video.length, probe.video.length);
    assert.ok(ticks(c.video[0]!.dts) < WRAP_33 && ticks(c.video.at(-1)!.dts) > WRAP_33, 'the stream crosses the wrap');
    assertMonotonic(c.video, 'video');
    assertMonotonic(c.audio, 'audio');
    for (let i = 1; i < c.video.length; i++) {
      const step = ticks(c.video[i]!.dts) - ticks(c.video[i - 1]!.dts);
      const probed = (((probe.video[i]!.dts - probe.video[i - 1]!.dts) % WRAP_33) + WRAP_33) % WRAP_33;
      assert.equal(step, probed, `dts step ${i}`);
    }
  });

  it('reports an audio codec it cannot carry once, and delivers nothing', async () => {
    const path = await makeTs(dir, 'mp2', { seconds: 1, audio: ['-c:a', 'mp2'] });
    const { c } = demux(readTs(path));
    assert.equal(c.unsupported.length, 1);
    assert.match(c.unsupported[0]!, /audio codec MPEG-1 audio \(MP2\/MP3\).*0x03.*openivs accepts AAC/);
    assert.equal(c.video.length + c.audio.length, 0);
  });

  it('reports HEVC video as unsupported', async () => {
    const path = await makeTs(dir, 'hevc', {
      seconds: 1,
      video: ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error'],
    });
    const { c } = demux(readTs(path));
    assert.equal(c.unsupported.length, 1);
    assert.match(
      c.unsupported[0]!,
      /^video codec HEVC \(H\.265\) \(MPEG-TS stream_type 0x24\) is not supported; openivs accepts H\.264/,
    );
    assert.equal(c.video.length, 0);
  });

  it('ignores streams it does not carry (a second, MP2 audio track) and keeps the AAC one', async () => {
    const path = await makeTs(dir, 'two-audio', {
      seconds: 2,
      audio: ['-map', '0:v', '-map', '1:a', '-map', '1:a', '-c:a:0', 'aac', '-c:a:1', 'mp2'],
    });
    const probe = await probeTs(path);
    const { c, d } = demux(readTs(path));
    assert.equal(c.unsupported.length, 0);
    assert.equal(c.video.length, probe.video.length);
    assert.equal(c.audio.length, probe.audio.length, 'the AAC track (ffprobe lists it first)');
    assert.ok(d.stats.ignoredPackets > 50, 'the MP2 PID was ignored');
  });

  it('splits Annex B with 3- and 4-byte start codes and unwraps 33-bit time both ways', () => {
    const annexB = Buffer.from([0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1, 0x65, 1, 2, 0, 0, 0, 0, 1, 0x41, 7]);
    assert.deepEqual(
      splitAnnexB(annexB).map(([s, e]) => [...annexB.subarray(s, e)]),
      [
        [0x09, 0xf0],
        [0x65, 1, 2],
        [0x41, 7],
      ],
    );
    const u = new TimestampUnwrapper();
    assert.equal(u.unwrap(WRAP_33 - 3000), WRAP_33 - 3000);
    assert.equal(u.unwrap(1000), WRAP_33 + 1000, 'forward across the wrap');
    assert.equal(u.unwrap(WRAP_33 - 500), WRAP_33 - 500, 'a B-frame just before it');
    assert.equal(u.unwrap(4000), WRAP_33 + 4000);
  });

  it('keeps at most one packet of carry while searching for sync', () => {
    const sync = new PacketSync(() => assert.fail('no packet in noise'));
    const noise = Buffer.alloc(10_000, 0x47 ^ 0xff);
    for (let i = 0; i < 50; i++) sync.push(noise);
    assert.ok(sync.pendingBytes <= 188);
  });
});
