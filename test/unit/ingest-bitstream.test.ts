// H.264 SPS and AAC AudioSpecificConfig parsing. SPS bytes come from real libx264 encodes made at test
// time (high/main/baseline profiles, sizes that need cropping, 4:4:4, interlaced, custom scaling matrices),
// so the parser is checked against what encoders actually emit rather than against our own encoder.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseAudioSpecificConfig } from '../../src/media/ingest/aac.js';
import { BitReader, nalToRbsp } from '../../src/media/ingest/bit-reader.js';
import { BitstreamError } from '../../src/media/ingest/errors.js';
import { parseSps } from '../../src/media/ingest/sps.js';
import { encodeH264, splitAnnexB } from './fixtures/ingest/ffmpeg.js';

const dir = mkdtempSync(join(tmpdir(), 'openivs-sps-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function spsOf(name: string, size: string, extra: string[]): Promise<Buffer> {
  const nals = splitAnnexB(await encodeH264(dir, name, size, extra));
  const sps = nals.find((n) => (n[0]! & 0x1f) === 7);
  assert.ok(sps, 'the encode contains an SPS');
  return sps;
}

describe('H.264 SPS from real x264 encodes', { concurrency: true }, () => {
  const cases: { name: string; size: string; extra: string[]; w: number; h: number; profile: number }[] = [
    { name: 'high-720p', size: '1280x720', extra: ['-profile:v', 'high', '-pix_fmt', 'yuv420p'], w: 1280, h: 720, profile: 100 },
    {
      name: 'high-854x480-cropped',
      size: '854x480',
      extra: ['-profile:v', 'high', '-pix_fmt', 'yuv420p'],
      w: 854,
      h: 480,
      profile: 100,
    },
    {
      name: 'high-1080p-cropped',
      size: '1920x1080',
      extra: ['-profile:v', 'high', '-pix_fmt', 'yuv420p'],
      w: 1920,
      h: 1080,
      profile: 100,
    },
    { name: 'main-odd', size: '642x362', extra: ['-profile:v', 'main', '-pix_fmt', 'yuv420p'], w: 642, h: 362, profile: 77 },
    { name: 'baseline', size: '320x240', extra: ['-profile:v', 'baseline', '-pix_fmt', 'yuv420p'], w: 320, h: 240, profile: 66 },
    {
      name: 'high444-odd',
      size: '641x359',
      extra: ['-vf', 'scale=641:359', '-profile:v', 'high444', '-pix_fmt', 'yuv444p'],
      w: 641,
      h: 359,
      profile: 244,
    },
    { name: 'high422', size: '852x480', extra: ['-profile:v', 'high422', '-pix_fmt', 'yuv422p'], w: 852, h: 480, profile: 122 },
    {
      name: 'interlaced-1080',
      size: '1920x1080',
      extra: ['-pix_fmt', 'yuv420p', '-x264-params', 'interlaced=1'],
      w: 1920,
      h: 1080,
      profile: 100,
    },
    {
      name: 'scaling-matrices',
      size: '854x480',
      extra: ['-profile:v', 'high', '-pix_fmt', 'yuv420p', '-x264-params', 'cqm=jvt'],
      w: 854,
      h: 480,
      profile: 100,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.w}x${c.h}, profile ${c.profile}`, async () => {
      const sps = await spsOf(c.name, c.size, c.extra);
      const info = parseSps(sps);
      assert.equal(info.width, c.w);
      assert.equal(info.height, c.h);
      assert.equal(info.profile, c.profile);
      assert.equal(info.level, sps[3]);
      assert.equal(info.codecString, `avc1.${sps.subarray(1, 4).toString('hex')}`);
      assert.match(info.codecString, /^avc1\.[0-9a-f]{6}$/);
    });
  }

  it('high-720p has the expected codec string prefix and level', async () => {
    const info = parseSps(await spsOf('high-720p-b', '1280x720', ['-profile:v', 'high', '-pix_fmt', 'yuv420p']));
    assert.match(info.codecString, /^avc1\.6400/);
    assert.ok(info.level >= 30 && info.level <= 32, `level ${info.level}`);
  });
});

describe('H.264 SPS edge cases', () => {
  it('rejects non-SPS NAL units and truncated SPS', () => {
    assert.throws(() => parseSps(Buffer.from('68ee3c80', 'hex')), BitstreamError);
    assert.throws(() => parseSps(Buffer.from('6764001eacd9', 'hex')), BitstreamError);
  });

  it('removes emulation prevention bytes', () => {
    assert.deepEqual(nalToRbsp(Buffer.from('0000030100000302', 'hex')), Buffer.from('000001000002', 'hex'));
    const plain = Buffer.from('67640028', 'hex');
    assert.equal(nalToRbsp(plain), plain, 'no copy when nothing to remove');
  });

  it('reads Exp-Golomb codes', () => {
    // 1 | 010 | 011 | 00100 | 00101 → ue 0,1,2,3 then se of codeNum 4 = -2
    const r = new BitReader(Buffer.from([0b10100110, 0b01000010, 0b10000000]));
    assert.deepEqual([r.ue(), r.ue(), r.ue(), r.ue(), r.se()], [0, 1, 2, 3, -2]);
    assert.throws(() => new BitReader(Buffer.alloc(8)).ue(), BitstreamError);
  });
});

describe('AAC AudioSpecificConfig', () => {
  const cases: [string, string, number, number, number, string][] = [
    ['AAC-LC 48 kHz stereo', '1190', 2, 48000, 2, 'mp4a.40.2'],
    ['AAC-LC 44.1 kHz mono', '1208', 2, 44100, 1, 'mp4a.40.2'],
    ['AAC-LC 48 kHz mono (ffmpeg sine)', '1188', 2, 48000, 1, 'mp4a.40.2'],
    ['HE-AAC explicit: 24 kHz core, 48 kHz output', '2b118800', 5, 48000, 2, 'mp4a.40.5'],
    ['explicit 24-bit sample rate', '17805dc010', 2, 48000, 2, 'mp4a.40.2'],
    ['escape object type 31 → 32+', 'f82820', 33, 44100, 1, 'mp4a.40.33'],
    ['5.1 channels', '11b0', 2, 48000, 6, 'mp4a.40.2'],
    ['7.1 channels (config 7)', '11b800', 2, 48000, 8, 'mp4a.40.2'],
  ];
  for (const [name, hex, ot, rate, ch, codec] of cases) {
    it(name, () => {
      const c = parseAudioSpecificConfig(Buffer.from(hex, 'hex'));
      assert.deepEqual(c, { objectType: ot, sampleRate: rate, channels: ch, codecString: codec });
    });
  }

  it('rejects truncated and reserved values', () => {
    assert.throws(() => parseAudioSpecificConfig(Buffer.from('12', 'hex')), BitstreamError);
    assert.throws(() => parseAudioSpecificConfig(Buffer.from('0190', 'hex')), BitstreamError); // object type 0
    assert.throws(() => parseAudioSpecificConfig(Buffer.from('1690', 'hex')), BitstreamError); // index 13 reserved
    assert.throws(() => parseAudioSpecificConfig(Buffer.from('11c0', 'hex')), BitstreamError); // channels 8 reserved
    assert.throws(() => parseAudioSpecificConfig(Buffer.from('1780000010', 'hex')), /explicit sampling frequency 0 Hz/);
  });
});
