// TrackInterleaver (media/ingest/mpegts/interleaver.ts): an MPEG-TS input's audio, packed several frames per PES and so
// arriving late, is put back in decode-time order with the video before packaging; a track that stalls or never comes
// holds the other back no longer than the bound.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TrackInterleaver } from '../../src/media/ingest/mpegts/interleaver.js';
import type { AccessUnit } from '../../src/media/types.js';

const unit = (track: AccessUnit['track'], dts: number): AccessUnit => ({
  track,
  dts,
  pts: dts,
  keyframe: track === 'audio' || dts % 2000 === 0,
  data: Buffer.alloc(1),
  arrival: 0,
});

/** Video every 33 ms; audio (21 ms frames) in PES of 8 frames, each PES written once its last frame's time is past. */
function tsArrivalOrder(ms: number): AccessUnit[] {
  const out: AccessUnit[] = [];
  let audioFrame = 0;
  for (let v = 0; v < ms; v += 33) {
    out.push(unit('video', v));
    while ((audioFrame + 8) * 21 <= v) {
      for (let i = 0; i < 8; i++) out.push(unit('audio', (audioFrame + i) * 21));
      audioFrame += 8;
    }
  }
  return out;
}

describe('TrackInterleaver', () => {
  it('hands on TS-packed audio and its video in decode-time order, losing nothing', () => {
    const input = tsArrivalOrder(4000);
    assert.ok(
      input.some((u, i) => i > 0 && u.dts < input[i - 1]!.dts),
      'the input is out of order, as a TS muxer writes it',
    );
    const out: AccessUnit[] = [];
    const il = new TrackInterleaver((u) => out.push(u));
    for (const u of input) il.push(u);
    il.flush();
    assert.equal(out.length, input.length);
    for (let i = 1; i < out.length; i++) assert.ok(out[i]!.dts >= out[i - 1]!.dts, `unit ${i} out of order`);
    // The point of it: every audio frame before a video frame's time is handed on before that video frame.
    const key = out.findIndex((u) => u.track === 'video' && u.dts >= 2000);
    assert.ok(key > 0 && out.slice(key + 1).every((u) => u.dts >= out[key]!.dts));
  });

  it('does not hold one track back for longer than the bound when the other stalls or never comes', () => {
    const out: AccessUnit[] = [];
    const il = new TrackInterleaver((u) => out.push(u), 500);
    il.push(unit('audio', 0));
    il.push(unit('video', 0)); // both seen: interleaving from here
    for (let v = 33; v <= 3000; v += 33) il.push(unit('video', v)); // audio stopped
    assert.ok(il.heldCount <= 17, `held ${il.heldCount} video units (500 ms at 30 fps)`);
    assert.ok(out.at(-1)!.dts >= 2970 - 534, `emitted up to ${out.at(-1)!.dts} ms`);
    const videoOnly: AccessUnit[] = [];
    const alone = new TrackInterleaver((u) => videoOnly.push(u), 500);
    for (let v = 0; v <= 540; v += 33) alone.push(unit('video', v));
    assert.equal(videoOnly.length, 17, 'a stream without audio: held for the first 500 ms only');
    alone.push(unit('video', 561));
    assert.equal(videoOnly.length, 18, 'then passed straight through');
  });
});
