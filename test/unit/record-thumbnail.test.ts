// Thumbnail capture with the real ffmpeg on an ffmpeg-made MPEG-TS clip: JPEG bytes checked with ffprobe
// (size, aspect, no upscaling), and clear errors for an offset past the end, a missing file and a missing ffmpeg;
// each run both in this process and through the command helper the server uses.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CommandRunner, runCommand, type RunCommand } from '../../src/media/record/command-runner.js';
import { captureThumbnail as capture, thumbnailHeight, type CaptureOptions } from '../../src/media/record/thumbnail-capture.js';

const dir = mkdtempSync(join(tmpdir(), 'openivs-thumb-'));
const clip = join(dir, 'clip.ts');
const helper = new CommandRunner();
after(() => {
  helper.close();
  rmSync(dir, { recursive: true, force: true });
});

before(() => {
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=640x360:rate=30',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440',
    '-t',
    '3',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '30',
    '-c:a',
    'aac',
    '-f',
    'mpegts',
    '-y',
    clip,
  ]);
});

/** Width, height and codec of an image, read back by ffprobe. */
function probeJpeg(jpeg: Buffer): { width: number; height: number; codec: string } {
  const path = join(dir, `t-${Math.random().toString(36).slice(2)}.jpg`);
  writeFileSync(path, jpeg);
  const out = execFileSync('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=width,height,codec_name',
    '-of',
    'json',
    path,
  ]).toString();
  const s = JSON.parse(out).streams[0];
  return { width: s.width, height: s.height, codec: s.codec_name };
}

describe('thumbnail resolution mapping', () => {
  it('maps the model enum to rendition heights; no resolution means source size', () => {
    assert.equal(thumbnailHeight('LOWEST_RESOLUTION'), 160);
    assert.equal(thumbnailHeight('SD'), 480);
    assert.equal(thumbnailHeight('HD'), 720);
    assert.equal(thumbnailHeight('FULL_HD'), 1080);
    assert.equal(thumbnailHeight(undefined), undefined);
  });
});

for (const [where, run] of [
  ['in this process', runCommand],
  ['through the command helper', helper.run],
] as [string, RunCommand][]) {
  const captureThumbnail = (opts: CaptureOptions) => capture(opts, run);
  describe(`captureThumbnail ${where}`, () => {
    it('grabs one JPEG at source size', async () => {
      const jpeg = await captureThumbnail({ ffmpegPath: 'ffmpeg', inputPath: clip, offsetSeconds: 1.5 });
      assert.equal(jpeg[0], 0xff);
      assert.equal(jpeg[1], 0xd8);
      assert.deepEqual(probeJpeg(jpeg), { width: 640, height: 360, codec: 'mjpeg' });
    });

    it('scales down keeping the aspect with an even width, and never up', async () => {
      const small = await captureThumbnail({
        ffmpegPath: 'ffmpeg',
        inputPath: clip,
        offsetSeconds: 0,
        height: thumbnailHeight('LOWEST_RESOLUTION'),
      });
      assert.deepEqual(probeJpeg(small), { width: 284, height: 160, codec: 'mjpeg' });
      const big = await captureThumbnail({
        ffmpegPath: 'ffmpeg',
        inputPath: clip,
        offsetSeconds: 2,
        height: thumbnailHeight('FULL_HD'),
      });
      assert.deepEqual(probeJpeg(big), { width: 640, height: 360, codec: 'mjpeg' });
    });

    it('rejects with a clear message when there is no frame, no file or no ffmpeg', async () => {
      await assert.rejects(captureThumbnail({ ffmpegPath: 'ffmpeg', inputPath: clip, offsetSeconds: 30 }), /no frame at 30 s/);
      await assert.rejects(
        captureThumbnail({ ffmpegPath: 'ffmpeg', inputPath: join(dir, 'missing.ts'), offsetSeconds: 0 }),
        /ffmpeg exited with 1: .*missing\.ts/,
      );
      await assert.rejects(
        captureThumbnail({ ffmpegPath: join(dir, 'no-ffmpeg'), inputPath: clip, offsetSeconds: 0 }),
        /cannot run .*no-ffmpeg: .*ENOENT/,
      );
    });
  });
}
