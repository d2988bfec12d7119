// HlsSegmenter tests on synthetic input: keyframe-aligned cuts, bounded window, discontinuities (timestamp jumps,
// track changes), program date time, end(), audio-only streams and metadata insertion.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HlsSegmenter, type HlsSegmenterOptions } from '../../src/media/package/segmenter.js';
import type { Segment } from '../../src/media/package/types.js';
import type { AccessUnit } from '../../src/media/types.js';
import { audioTrack, synthetic, videoTrack, type SyntheticOptions } from './fixtures/package-synthetic.js';
import { parsePackets, pesOf } from './fixtures/package-ts.js';
import { txxxFrames } from '../../devtools/id3-carriage.js';

function run(units: AccessUnit[], options: HlsSegmenterOptions = {}, end = true) {
  const seg = new HlsSegmenter(options);
  const emitted: Segment[] = [];
  seg.on('segment', (s) => emitted.push(s));
  seg.setTracks(videoTrack(), audioTrack());
  for (const u of units) seg.push(u);
  if (end) seg.end();
  return { seg, emitted };
}

const clip = (o: SyntheticOptions) => synthetic(o);

describe('HlsSegmenter cutting', () => {
  it('cuts ~2 s keyframe-aligned segments from a 2 s GOP and flushes the tail on end()', () => {
    const { seg, emitted } = run(clip({ durationMs: 10_000 }));
    assert.deepEqual(
      emitted.map((s) => s.sequence),
      [0, 1, 2, 3, 4],
    );
    assert.deepEqual(
      emitted.slice(0, 4).map((s) => s.durationMs),
      [2000, 2000, 2000, 2000],
    );
    assert.ok(Math.abs(emitted[4]!.durationMs - 2000) <= 21, 'tail ends with the last audio frame');
    for (const s of emitted) {
      const ps = parsePackets(s.bytes);
      assert.equal(ps[0]!.pid, 0, 'PAT first');
      assert.equal(ps[1]!.pid, 0x1000, 'PMT second');
      const video = pesOf(ps, 0x100);
      assert.ok(video[0]!.randomAccess, 'starts with a keyframe');
      assert.equal(video.length, 60);
      assert.ok(s.independent);
      assert.equal(s.videoFrames, 60);
    }
    assert.ok(seg.ended);
    assert.equal(seg.playlistState().ended, true);
    assert.equal(seg.playlistState().targetDurationS, 2);
  });

  it('makes longer segments when the GOP is longer, and 2 s ones from a 1 s GOP', () => {
    const long = run(clip({ durationMs: 12_000, gopFrames: 120 })).emitted.map((s) => Math.round(s.durationMs / 100));
    assert.deepEqual(long, [40, 40, 40]);
    const short = run(clip({ durationMs: 6_000, gopFrames: 30 })).emitted.map((s) => Math.round(s.durationMs / 100));
    assert.deepEqual(short, [20, 20, 20]);
  });

  it('drops units before the first keyframe', () => {
    const units = clip({ durationMs: 4000 }).filter((u) => !(u.track === 'video' && u.dts === 0));
    const { emitted } = run(units);
    assert.equal(emitted[0]!.startDts, 10_000 + 2000);
  });

  it('honours a configured target duration', () => {
    const { emitted } = run(clip({ durationMs: 8000, gopFrames: 30 }), { targetDurationMs: 4000 });
    assert.deepEqual(
      emitted.map((s) => Math.round(s.durationMs / 100)),
      [40, 40],
    );
  });

  it('cuts audio-only streams on audio frames', () => {
    const seg = new HlsSegmenter();
    const out: Segment[] = [];
    seg.on('segment', (s) => out.push(s));
    seg.setTracks(undefined, audioTrack());
    for (const u of clip({ durationMs: 6000, video: false })) seg.push(u);
    seg.end();
    assert.equal(out.length, 3);
    for (const s of out.slice(0, 2)) assert.ok(s.durationMs >= 2000 && s.durationMs < 2022, `${s.durationMs}`);
    assert.ok(Math.abs(out.reduce((a, s) => a + s.durationMs, 0) - 6000) < 30);
  });
});

describe('HlsSegmenter window', () => {
  it('keeps only the last N segments listed (plus a small retained tail) after 30 s', () => {
    const { seg, emitted } = run(clip({ durationMs: 30_000 }), { windowSize: 6, retainAfterWindow: 2 }, false);
    assert.equal(emitted.length, 14);
    const state = seg.playlistState();
    assert.equal(state.segments.length, 6);
    assert.equal(state.mediaSequence, 8);
    assert.deepEqual(
      state.segments.map((s) => s.sequence),
      [8, 9, 10, 11, 12, 13],
    );
    assert.ok(seg.window.find(6), 'retained after leaving the playlist');
    assert.equal(seg.window.find(5), undefined, 'released');
    assert.equal(seg.window.find(14), undefined);
  });
});

describe('HlsSegmenter discontinuities', () => {
  it('marks the segment after a backward timestamp jump and keeps the output timeline continuous', () => {
    const first = clip({ durationMs: 6000 });
    const second = clip({ durationMs: 6000, arrivalBase: 1_700_000_000_000 + 6000 });
    const { seg, emitted } = run([...first, ...second], { windowSize: 3 });
    assert.deepEqual(
      emitted.map((s) => s.discontinuity),
      [false, false, false, true, false, false],
    );
    for (let i = 1; i < emitted.length; i++) {
      assert.equal(emitted[i]!.startDts, emitted[i - 1]!.startDts + emitted[i - 1]!.durationMs, 'continuous');
    }
    const state = seg.playlistState();
    assert.equal(state.discontinuitySequence, 0, 'the discontinuity is still listed');
    assert.deepEqual(
      state.segments.map((s) => s.sequence),
      [3, 4, 5],
    );
  });

  it('counts discontinuities that left the window in the discontinuity sequence', () => {
    const units = [...clip({ durationMs: 4000 }), ...clip({ durationMs: 4000 }), ...clip({ durationMs: 8000 })];
    const { seg } = run(units, { windowSize: 3 });
    assert.equal(seg.playlistState().discontinuitySequence, 2);
  });

  it('marks forward jumps beyond the threshold, not a video-only stall while audio continues', () => {
    const jump = [...clip({ durationMs: 4000 }), ...clip({ startMs: 9000, durationMs: 4000 })];
    assert.deepEqual(
      run(jump).emitted.map((s) => s.discontinuity),
      [false, false, true, false],
    );
    const stall = clip({ durationMs: 8000 }).filter((u) => !(u.track === 'video' && u.dts > 4100 && u.dts < 6000));
    const r = run(stall);
    assert.ok(r.emitted.every((s) => !s.discontinuity));
    assert.ok(Math.abs(r.emitted.reduce((a, s) => a + s.durationMs, 0) - 8000) < 50);
  });

  it('marks a discontinuity at the next keyframe when the video configuration changes', () => {
    const seg = new HlsSegmenter();
    const out: Segment[] = [];
    seg.on('segment', (s) => out.push(s));
    seg.setTracks(videoTrack(), audioTrack());
    const units = clip({ durationMs: 8000 });
    for (const u of units) {
      if (u.dts === 3000 && u.track === 'video') seg.setTracks(videoTrack(), audioTrack()); // identical: no effect
      if (u.dts === 5000 && u.track === 'video') {
        seg.setTracks(videoTrack(640, 360, Buffer.from([0x67, 0x42, 0xc0, 0x1e, 0x11])), audioTrack());
      }
      seg.push(u);
    }
    seg.end();
    assert.deepEqual(
      out.map((s) => [s.startDts - 10_000, s.discontinuity]),
      [
        [0, false],
        [2000, false],
        [4000, false],
        [6000, true],
      ],
    );
    assert.equal(seg.currentTracks.video!.width, 640);
    const idr = pesOf(parsePackets(out[3]!.bytes), 0x100)[0]!.payload.toString('hex');
    assert.ok(idr.includes('000000016742c01e11'), 'new SPS in front of the IDR');
  });
});

describe('HlsSegmenter program date time and metadata', () => {
  it('derives PDT from arrival, monotonic and consistent with durations', () => {
    const units = clip({ durationMs: 8000 }).map((u) => ({ ...u, arrival: u.arrival + (u.dts % 7) * 30 }));
    const { emitted } = run(units);
    assert.equal(emitted[0]!.programDateTime.getTime(), 1_700_000_000_000);
    for (let i = 1; i < emitted.length; i++) {
      const prev = emitted[i - 1]!;
      assert.equal(emitted[i]!.programDateTime.getTime(), prev.programDateTime.getTime() + prev.durationMs);
    }
  });

  it('resyncs PDT to the arrival clock after a stall, never going backwards', () => {
    const units = [...clip({ durationMs: 4000 }), ...clip({ durationMs: 4000, arrivalBase: 1_700_000_000_000 + 60_000 })];
    const { emitted } = run(units);
    assert.equal(emitted[2]!.programDateTime.getTime(), 1_700_000_060_000);
    const early = [...clip({ durationMs: 4000 }), ...clip({ durationMs: 4000, arrivalBase: 1_700_000_000_000 - 60_000 })];
    const times = run(early).emitted.map((s) => s.programDateTime.getTime());
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! > times[i - 1]!);
  });

  it('inserts ID3 tags at the latest video PTS in the open segment', () => {
    const seg = new HlsSegmenter();
    const out: Segment[] = [];
    seg.on('segment', (s) => out.push(s));
    seg.setTracks(videoTrack(), audioTrack());
    const tag = Buffer.from('ID3 test payload');
    assert.equal(seg.pushMetadata(tag), false, 'nothing open yet');
    for (const u of clip({ durationMs: 1000 })) seg.push(u);
    assert.equal(seg.pushMetadata(tag), true);
    seg.end();
    const id3 = pesOf(parsePackets(out[0]!.bytes), 0x102);
    assert.equal(id3.length, 2, 'the segmentmetadata tag, then the pushed one');
    assert.ok(id3[1]!.payload.equals(tag));
    const lastVideo = pesOf(parsePackets(out[0]!.bytes), 0x100).pop()!;
    assert.equal(id3[1]!.pts, lastVideo.pts);
  });

  it('starts every segment with the segmentmetadata tag at its first PTS: stream_offset from the first PDT, transc_r = PDT', () => {
    const { emitted } = run(clip({ durationMs: 8000 }));
    assert.equal(emitted.length, 4);
    const first = emitted[0]!.programDateTime.getTime();
    for (const s of emitted) {
      const packets = parsePackets(s.bytes);
      assert.deepEqual(
        packets.slice(0, 3).map((p) => p.pid),
        [0, 0x1000, 0x102],
        'PAT, PMT, then the tag',
      );
      const [tag, ...rest] = pesOf(packets, 0x102);
      assert.equal(rest.length, 0, 'one tag per segment');
      const frames = txxxFrames(new Uint8Array(tag!.payload));
      assert.equal(frames.length, 1);
      assert.equal(frames[0]!.description, 'segmentmetadata');
      const json = JSON.parse(frames[0]!.text) as Record<string, unknown>;
      assert.deepEqual(Object.keys(json), ['cmd', 'stream_offset', 'transc_r', 'transc_s']);
      assert.equal(json.cmd, 'ld_lat_data');
      assert.equal(json.transc_r, s.programDateTime.getTime());
      assert.ok((json.transc_s as number) >= json.transc_r);
      assert.equal(json.stream_offset, (s.programDateTime.getTime() - first) / 1000);
      assert.equal(tag!.pts, pesOf(packets, 0x100)[0]!.pts, 'presented with the first video frame');
    }
  });

  it('leaves the tag out with segmentMetadata: false', () => {
    const { emitted } = run(clip({ durationMs: 4000 }), { segmentMetadata: false });
    for (const s of emitted) assert.equal(pesOf(parsePackets(s.bytes), 0x102).length, 0);
  });

  it('ignores pushes after end()', () => {
    const { seg, emitted } = run(clip({ durationMs: 2500 }));
    seg.push(clip({ startMs: 2500, durationMs: 100 })[0]!);
    assert.equal(emitted.length, 2);
  });
});
