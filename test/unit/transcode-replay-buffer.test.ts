// The transcoder's replay buffer: whole GOPs, bounded by the window and by bytes, replayed from the first kept
// keyframe after a given DTS.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplayBuffer } from '../../src/media/transcode/replay-buffer.js';
import type { AccessUnit } from '../../src/media/types.js';

/** 30 fps video with a keyframe every `gop` frames, an audio unit after each video frame; `size` bytes each. */
function units(seconds: number, gop = 60, size = 100): AccessUnit[] {
  const out: AccessUnit[] = [];
  for (let i = 0; i < seconds * 30; i++) {
    const dts = Math.round((i * 1000) / 30);
    const data = Buffer.alloc(size);
    out.push({ track: 'video', dts, pts: dts, keyframe: i % gop === 0, data, arrival: dts });
    out.push({ track: 'audio', dts: dts + 1, pts: dts + 1, keyframe: true, data, arrival: dts });
  }
  return out;
}

const keyframes = (list: AccessUnit[] | undefined) =>
  (list ?? []).filter((u) => u.track === 'video' && u.keyframe).map((u) => u.dts);

describe('ReplayBuffer', () => {
  it('keeps whole GOPs covering the window, and replays from the first keyframe after a DTS', () => {
    const buf = new ReplayBuffer({ windowMs: 6000 });
    for (const au of units(20)) buf.push(au); // keyframes every 2 s: 0 … 18000; newest DTS 19967
    // 19967 - 14000 < 6000 keeps the GOP at 12000 (the one starting at 14000 alone would not cover the window).
    assert.deepEqual(keyframes(buf.after(10000)), [12000, 14000, 16000, 18000]);
    assert.deepEqual(keyframes(buf.after(14000)), [16000, 18000]);
    const from = buf.after(13990)!;
    assert.equal(from[0]!.dts, 14000);
    assert.equal(from[0]!.keyframe, true);
    assert.equal(from.at(-1)!.dts, 19968, 'up to the newest unit, audio included');
    assert.equal(buf.after(18000), undefined, 'no kept keyframe after the newest one');
    // The keyframe after 9000 (10000) was dropped: what is kept would not continue from there without a hole.
    assert.equal(buf.after(9000), undefined);
    assert.equal(buf.after(-1), undefined);
  });

  it('ignores units before the first keyframe, and forgets everything on clear()', () => {
    const buf = new ReplayBuffer();
    const list = units(4).slice(2); // starts with frame 1: no keyframe until 2000
    for (const au of list) buf.push(au);
    assert.deepEqual(keyframes(buf.after(-1)), [2000]);
    assert.equal(buf.after(-1)![0]!.dts, 2000);
    buf.clear(); // a new decoder configuration: what comes next starts at its keyframe
    assert.equal(buf.after(-1), undefined);
    assert.equal(buf.heldBytes, 0);
    for (const au of units(8).filter((u) => u.dts >= 4000)) buf.push(au);
    assert.deepEqual(keyframes(buf.after(2500)), [4000, 6000], 'continues from a frame of the cleared GOP');
    assert.equal(buf.after(1500), undefined, 'not from before the cleared GOP');
  });

  it('is bounded in bytes: old GOPs go first, and a single GOP over the cap is not kept', () => {
    const buf = new ReplayBuffer({ windowMs: 60_000, maxBytes: 40_000 });
    for (const au of units(20, 60, 100)) buf.push(au); // 12,000 bytes per GOP (60 video + 60 audio units)
    assert.ok(buf.heldBytes <= 40_000, `${buf.heldBytes} bytes held`);
    assert.deepEqual(keyframes(buf.after(12000)), [14000, 16000, 18000]);
    assert.equal(buf.after(11000), undefined, 'the GOP at 12000 was dropped');
    const long = new ReplayBuffer({ maxBytes: 50_000 });
    for (const au of units(10, 600, 100)) long.push(au); // one 10 s GOP of 120,000 bytes
    assert.equal(long.after(-1), undefined);
    assert.equal(long.heldBytes, 0);
    assert.ok(long.heldBytes <= 50_000);
  });
});
