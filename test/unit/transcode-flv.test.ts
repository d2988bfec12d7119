// FLV stream reading and writing for the transcoder: an ffmpeg-made FLV (H.264 with B-frames + AAC) parsed
// in random-size chunks must give what a whole-buffer parse (and the packager tests' independent reader)
// gives, and units written back through flv-writer must read back identical.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { FlvStreamReader } from '../../src/media/transcode/flv-stream-reader.js';
import { flvHeader, streamPreamble, unitTag } from '../../src/media/transcode/flv-writer.js';
import type { AccessUnit, AudioTrackInfo, VideoTrackInfo } from '../../src/media/types.js';
import { BitstreamError } from '../../src/media/ingest/errors.js';
import { readFlv } from './fixtures/package-flv.js';
import { testPattern } from '../../devtools/ffmpeg.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'openivs-transcode-flv-'));
let file: Buffer;

interface Parsed {
  video: VideoTrackInfo[];
  audio: AudioTrackInfo[];
  units: AccessUnit[];
  meta: Record<string, unknown>[];
}

function parse(chunks: Buffer[], arrival?: (track: AccessUnit['track'], pts: number) => number): Parsed {
  const out: Parsed = { video: [], audio: [], units: [], meta: [] };
  const reader = new FlvStreamReader(
    {
      videoConfig: (i) => out.video.push(i),
      audioConfig: (i) => out.audio.push(i),
      unit: (au) => out.units.push(au),
      metadata: (m) => out.meta.push(m),
    },
    arrival ?? ((_track, pts) => 1_000_000 + pts),
  );
  for (const c of chunks) reader.push(c);
  assert.equal(reader.pending, 0, 'no bytes left over');
  return out;
}

/** Splits into chunks of 1..maxSize bytes (seeded, so a failure reproduces). */
function randomChunks(buf: Buffer, maxSize: number, seed = 7): Buffer[] {
  let s = seed;
  const rnd = (): number => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const out: Buffer[] = [];
  for (let pos = 0; pos < buf.length;) {
    const n = 1 + Math.floor(rnd() * maxSize);
    out.push(buf.subarray(pos, pos + n));
    pos += n;
  }
  return out;
}

const strip = (p: Parsed) => ({
  video: p.video.map((v) => ({
    ...v,
    decoderConfig: v.decoderConfig.toString('hex'),
    sps: v.sps.map(String),
    pps: v.pps.map(String),
  })),
  audio: p.audio.map((a) => ({ ...a, audioSpecificConfig: a.audioSpecificConfig.toString('hex') })),
  units: p.units.map((u) => ({ ...u, data: u.data.toString('base64') })),
});

before(async () => {
  const path = join(dir, 'clip.flv');
  await run('ffmpeg', [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    ...testPattern('640x360'),
    '-t',
    '3',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-g',
    '60',
    '-c:a',
    'aac',
    '-ar',
    '48000',
    '-f',
    'flv',
    path,
  ]);
  file = readFileSync(path);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('FlvStreamReader', () => {
  it('parses a whole ffmpeg FLV like the independent test reader does', () => {
    const whole = parse([file]);
    const ref = readFlv(file, { width: 640, height: 360 }, 1_000_000);
    assert.equal(whole.video.length, 1);
    assert.equal(whole.audio.length, 1);
    assert.deepEqual([whole.video[0]!.width, whole.video[0]!.height, whole.video[0]!.frameRate], [640, 360, 30]);
    assert.deepEqual(
      [whole.audio[0]!.sampleRate, whole.audio[0]!.channels, whole.audio[0]!.codecString],
      [48000, 1, 'mp4a.40.2'],
    );
    assert.equal(whole.units.length, ref.units.length);
    whole.units.forEach((u, i) => {
      const r = ref.units[i]!;
      assert.deepEqual([u.track, u.dts, u.pts, u.keyframe], [r.track, r.dts, r.pts, r.keyframe], `unit ${i}`);
      assert.ok(u.data.equals(r.data), `unit ${i} data`);
    });
    const video = whole.units.filter((u) => u.track === 'video');
    assert.equal(video.length, 90);
    assert.ok(
      video.some((u) => u.pts !== u.dts),
      'B-frames give composition offsets',
    );
    assert.equal(whole.units[0]!.arrival, 1_000_000 + whole.units[0]!.pts, 'arrival comes from the hook');
    assert.equal(whole.meta[0]!['width'], 640);
  });

  it('random-size chunks (1 byte up to 64 KiB) give the same result as one buffer', () => {
    const whole = strip(parse([file]));
    for (const [max, seed] of [
      [1, 1],
      [13, 2],
      [4096, 3],
      [65536, 4],
    ] as const) {
      const chunks =
        max === 1
          ? randomChunks(file.subarray(0, 200_000), 1, seed).concat([file.subarray(200_000)])
          : randomChunks(file, max, seed);
      assert.deepEqual(strip(parse(chunks)), whole, `chunks up to ${max} bytes`);
    }
  });

  it('rejects a stream that is not FLV, and waits for incomplete tags', () => {
    const reader = new FlvStreamReader({ videoConfig: () => undefined, audioConfig: () => undefined, unit: () => undefined });
    assert.throws(() => reader.push(Buffer.from('GIF89a-not-flv')), BitstreamError);
    const partial = new FlvStreamReader({
      videoConfig: () => undefined,
      audioConfig: () => undefined,
      unit: () => assert.fail('no unit yet'),
    });
    partial.push(file.subarray(0, 13 + 11 + 5)); // header, a tag header and 5 bytes of its body
    assert.equal(partial.pending, 5);
  });
});

describe('flv-writer ↔ FlvStreamReader', () => {
  it('round-trips track infos and every unit (dts, pts, keyframe, payload)', () => {
    const src = parse([file]);
    const video = src.video[0]!;
    const audio = src.audio[0]!;
    const bytes = Buffer.concat([streamPreamble(video, audio), ...src.units.map((u) => unitTag(u))]);
    const back = parse(randomChunks(bytes, 3000, 9));
    assert.deepEqual(strip(back), strip(src));
    assert.equal(back.meta[0]!['framerate'], 30);
    assert.equal(back.meta[0]!['width'], 640);
  });

  it('writes a header ffmpeg accepts: the round-tripped stream decodes cleanly', async () => {
    const src = parse([file]);
    const path = join(dir, 'rewritten.flv');
    writeFileSync(path, Buffer.concat([streamPreamble(src.video[0], src.audio[0]), ...src.units.map((u) => unitTag(u))]));
    const { stdout, stderr } = await run('ffprobe', [
      '-v',
      'error',
      '-count_frames',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=width,height,nb_read_frames',
      '-of',
      'csv=p=0',
      path,
    ]);
    assert.equal(stderr, '');
    assert.equal(stdout.trim(), '640,360,90');
  });

  it('negative composition offsets and 32-bit timestamps survive', () => {
    const src = parse([file]);
    const units: AccessUnit[] = [
      {
        track: 'video',
        dts: 0x01234567,
        pts: 0x01234567 + 66,
        keyframe: true,
        data: src.units.find((u) => u.track === 'video')!.data,
        arrival: 0,
      },
      {
        track: 'video',
        dts: 0x81234567,
        pts: 0x81234567 - 33,
        keyframe: false,
        data: Buffer.from('0000000141', 'hex'),
        arrival: 0,
      },
    ];
    const back = parse([streamPreamble(src.video[0], undefined), ...units.map((u) => unitTag(u))], () => 0);
    assert.deepEqual(
      back.units.map((u) => [u.dts, u.pts, u.keyframe]),
      units.map((u) => [u.dts, u.pts, u.keyframe]),
    );
    assert.deepEqual([...flvHeader(true, false).subarray(0, 5)], [0x46, 0x4c, 0x56, 1, 1]);
  });
});
