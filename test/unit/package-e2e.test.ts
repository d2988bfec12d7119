// End-to-end packaging of real encoder output: ffmpeg makes an FLV (H.264 with B-frames + AAC), a test FLV reader
// turns it into access units, HlsSegmenter writes TS segments and a media playlist, and ffprobe/ffmpeg judge them.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AccessUnit } from '../../src/media/types.js';
import {
  assertSegmentPlays,
  decodeErrors,
  decodedVideoFrames,
  extinfTotal,
  makeFlvClip,
  packageTs,
} from './fixtures/package-e2e.js';
import type { FlvClip } from './fixtures/package-flv.js';
import { ffprobeJson } from './fixtures/package-probe.js';

const dir = mkdtempSync(join(tmpdir(), 'openivs-package-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let clip: FlvClip;

before(async () => {
  clip = await makeFlvClip(dir);
});

const packageTo = (name: string, units: AccessUnit[]) => packageTs(dir, clip, name, units);

describe('packaging an ffmpeg-made FLV', { timeout: 30_000 }, () => {
  it('reads the FLV into tracks and units with B-frames', () => {
    assert.equal(clip.video!.width, 640);
    assert.equal(clip.audio!.sampleRate, 48000);
    assert.ok(
      clip.units.some((u) => u.track === 'video' && u.pts !== u.dts),
      'B-frames: pts ≠ dts',
    );
  });

  it('produces ~2 s segments that each decode and start with a keyframe, and a playable playlist', async () => {
    const { segments, playlist, text } = packageTo('single', clip.units);
    assert.equal(segments.length, 4);
    for (const s of segments.slice(0, 3)) assert.ok(Math.abs(s.durationMs - 2000) <= 50, `${s.durationMs}`);
    assert.ok(Math.abs(extinfTotal(text) - 7) <= 0.2, `EXTINF total ${extinfTotal(text)}`);
    const root = join(playlist, '..');
    for (const s of segments) {
      const file = join(root, `seg-${s.sequence}.ts`);
      await assertSegmentPlays(file, s.sequence);
    }
    const packets = await ffprobeJson(['-show_packets', '-select_streams', 'v', join(root, 'seg-0.ts')]);
    assert.ok(
      packets.packets.some((p) => p.pts !== p.dts),
      'B-frames kept: pts ≠ dts in the TS',
    );
    assert.equal(await decodeErrors(playlist), '');
    assert.equal(await decodedVideoFrames(playlist), 210, 'every frame of 7 s at 30 fps decodes');
    const format = await ffprobeJson(['-show_entries', 'format=duration', playlist]);
    assert.ok(Math.abs(Number(format.format.duration) - 7) <= 0.2, `duration ${format.format.duration}`);
  });

  it('marks a discontinuity when the clip restarts at 0, and ffmpeg still decodes the playlist', async () => {
    const second = clip.units.map((u) => ({ ...u, arrival: u.arrival + 7000 }));
    const { segments, playlist, text } = packageTo('twice', [...clip.units, ...second]);
    assert.deepEqual(
      segments.map((s) => s.discontinuity),
      [false, false, false, false, true, false, false, false],
    );
    assert.equal(text.match(/#EXT-X-DISCONTINUITY\n/g)?.length, 1);
    assert.ok(Math.abs(extinfTotal(text) - 14) <= 0.3, `EXTINF total ${extinfTotal(text)}`);
    assert.equal(await decodeErrors(playlist), '');
    assert.equal(await decodedVideoFrames(playlist), 420);
  });
});
