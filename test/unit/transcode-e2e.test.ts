// The transcoder end to end with the real ffmpeg: an ffmpeg-made 1280x720 30 fps clip, parsed into units,
// goes in through flv-writer; the renditions come back as track infos and units with keyframes at the
// source's instants. Also: no upscaling for a 360p source, recovery from `kill -9`, stop() leaving no
// process behind, and dropping to the next keyframe when ffmpeg's input backs up.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { liveChildren } from '../../src/media/transcode/ffmpeg-process.js';
import { FlvStreamReader } from '../../src/media/transcode/flv-stream-reader.js';
import { ladderFor, type Rendition } from '../../src/media/transcode/ladder.js';
import { Transcoder } from '../../src/media/transcode/transcoder.js';
import { detectFfmpeg } from '../../src/media/transcode/ffmpeg-process.js';
import type { AccessUnit, AudioTrackInfo, VideoTrackInfo } from '../../src/media/types.js';
import { testPattern } from '../../devtools/ffmpeg.js';

const run = promisify(execFile);
const FFMPEG = '/usr/bin/ffmpeg';
const dir = mkdtempSync(join(tmpdir(), 'openivs-transcode-e2e-'));

interface Clip {
  video: VideoTrackInfo;
  audio: AudioTrackInfo;
  units: AccessUnit[];
}

async function makeClip(name: string, size: string, seconds: number, fps = 30): Promise<Clip> {
  const path = join(dir, `${name}.flv`);
  await run(FFMPEG, [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    ...testPattern(size, fps),
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-g',
    String(2 * fps),
    '-c:a',
    'aac',
    '-ar',
    '48000',
    '-f',
    'flv',
    path,
  ]);
  const clip: Partial<Clip> & { units: AccessUnit[] } = { units: [] };
  const base = Date.now();
  new FlvStreamReader(
    {
      videoConfig: (i) => (clip.video = i),
      audioConfig: (i) => (clip.audio = i),
      unit: (au) => clip.units.push(au),
    },
    (_t, pts) => base + pts,
  ).push(readFileSync(path));
  return clip as Clip;
}

interface Collected {
  video: Map<string, VideoTrackInfo[]>;
  audio: Map<string, AudioTrackInfo[]>;
  units: Map<string, (AccessUnit & { generation: number })[]>;
  events: string[];
  log: string[];
}

function logger(lines: string[]) {
  const sink = new Writable({
    write: (c: Buffer, _e, cb) => {
      lines.push(c.toString());
      cb();
    },
  });
  return pino({ level: 'debug' }, sink);
}

function transcoder(
  ladder: Rendition[],
  extra: Partial<ConstructorParameters<typeof Transcoder>[0]> = {},
): { tx: Transcoder; got: Collected } {
  const got: Collected = { video: new Map(), audio: new Map(), units: new Map(), events: [], log: [] };
  const tx = new Transcoder({
    ladder,
    log: logger(got.log),
    ffmpegPath: FFMPEG,
    x264Preset: 'veryfast',
    sourceFrameRate: 30,
    restart: { baseMs: 100, maxMs: 1000 },
    ...extra,
  });
  const push = <T>(m: Map<string, T[]>, k: string, v: T) => m.set(k, [...(m.get(k) ?? []), v]);
  tx.on('videoConfig', (r, i) => push(got.video, r.name, i));
  tx.on('audioConfig', (r, i) => push(got.audio, r.name, i));
  tx.on('unit', (r, au) => push(got.units, r.name, { ...au, generation: tx.generation }));
  for (const e of ['started', 'exit', 'restarting', 'failed'] as const) tx.on(e, () => got.events.push(e));
  return { tx, got };
}

/** Feeds the clip's units: as fast as possible (yielding every 20 units) or paced at `speed`× real time. */
async function feed(tx: Transcoder, clip: Clip, opts: { speed?: number; offsetMs?: number } = {}): Promise<void> {
  tx.setVideoConfig(clip.video);
  tx.setAudioConfig(clip.audio);
  const started = performance.now();
  const first = clip.units[0]!.dts;
  for (const [i, au] of clip.units.entries()) {
    const shifted = { ...au, dts: au.dts + (opts.offsetMs ?? 0), pts: au.pts + (opts.offsetMs ?? 0) };
    if (opts.speed !== undefined) {
      const due = (au.dts - first) / opts.speed - (performance.now() - started);
      if (due > 2) await new Promise((r) => setTimeout(r, due));
    } else if (i % 20 === 0) {
      await new Promise((r) => setImmediate(r));
    }
    tx.writeUnit(shifted);
  }
}

const videoUnits = (got: Collected, name: string) => (got.units.get(name) ?? []).filter((u) => u.track === 'video');
const keyPts = (units: AccessUnit[]) => units.filter((u) => u.track === 'video' && u.keyframe).map((u) => u.pts);
/** A zombie (exited, not yet reaped by whoever inherited it) counts as gone. */
const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return false;
  }
};

let clip720: Clip;
let clip360: Clip;
let clip480p60: Clip;
before(async () => {
  [clip720, clip360, clip480p60] = await Promise.all([
    makeClip('720p', '1280x720', 6),
    makeClip('360p', '640x360', 3),
    makeClip('480p60', '854x480', 3, 60),
  ]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('Transcoder with ffmpeg', { timeout: 60_000 }, () => {
  it('detects ffmpeg with libx264 and aac', async () => {
    const found = await detectFfmpeg(FFMPEG);
    assert.equal(found.ok, true, found.reason);
    assert.match(found.version ?? '', /^\d/);
    assert.deepEqual((await detectFfmpeg('/nonexistent/ffmpeg')).ok, false);
  });

  it('720p30 source → 480p30, 360p30, 160p30 with keyframes at the source instants', async (t) => {
    const ladder = ladderFor({ width: 1280, height: 720, frameRate: 30 });
    assert.deepEqual(
      ladder.map((r) => r.name),
      ['480p30', '360p30', '160p30'],
    );
    const { tx, got } = transcoder(ladder);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    tx.start();
    const pid = tx.pid!;
    await feed(tx, clip720);
    await tx.stop(30_000); // end of input: ffmpeg flushes everything, then exits
    const wall = (performance.now() - t0) / 1000;
    t.diagnostic(
      `6 s of 720p30 → 3 renditions in ${wall.toFixed(2)} s wall (${(6 / wall).toFixed(2)}× real time, ` +
        `node cpu ${((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6).toFixed(2)} s)`,
    );
    assert.equal(alive(pid), false, 'ffmpeg is gone after stop()');

    const sourceKeys = keyPts(clip720.units);
    assert.equal(sourceKeys.length, 3);
    const sizes: Record<string, [number, number]> = { '480p30': [852, 480], '360p30': [640, 360], '160p30': [284, 160] };
    for (const r of ladder) {
      const v = got.video.get(r.name) ?? [];
      assert.equal(v.length, 1, `${r.name} video config`);
      assert.deepEqual([v[0]!.width, v[0]!.height, v[0]!.profile, v[0]!.frameRate], [...sizes[r.name]!, 77, 30]);
      const a = got.audio.get(r.name) ?? [];
      assert.equal(a.length, 1, `${r.name} audio config`);
      assert.equal(a[0]!.sampleRate, 48000);
      if (r.audioCopy) assert.ok(a[0]!.audioSpecificConfig.equals(clip720.audio.audioSpecificConfig), 'copied AAC');
      const units = videoUnits(got, r.name);
      assert.ok(Math.abs(units.length - 180) <= 2, `${r.name}: ${units.length} video units`);
      // Exactly the source's keyframe times (the brief allows ±1 frame; -copyts/-enc_time_base -1 give 0 ms).
      assert.deepEqual(keyPts(units), sourceKeys, `${r.name} keyframes`);
      // Arrival comes from the source unit with the same pts, not from the time ffmpeg emitted the frame.
      const srcArrival = new Map(clip720.units.filter((u) => u.track === 'video').map((u) => [u.pts, u.arrival]));
      for (const u of units) assert.equal(u.arrival, srcArrival.get(u.pts), `arrival of pts ${u.pts}`);
      const audio = (got.units.get(r.name) ?? []).filter((u) => u.track === 'audio');
      const sourceAudio = clip720.units.filter((u) => u.track === 'audio');
      if (r.audioCopy)
        assert.deepEqual(
          audio.map((u) => u.dts),
          sourceAudio.map((u) => u.dts),
          'copied audio keeps its timing',
        );
      else
        assert.ok(
          audio.length >= sourceAudio.length - 3 && Math.abs(audio[0]!.dts - sourceAudio[0]!.dts) < 50,
          `${r.name}: ${audio.length} audio units`,
        );
    }
    assert.deepEqual(got.events, ['started', 'exit']);
  });

  it('a 640x360 source gets only 160p30 (no upscaling, no duplicate of the source size); raw FLV input', async () => {
    const ladder = ladderFor({ width: 640, height: 360, frameRate: 30 });
    assert.deepEqual(
      ladder.map((r) => r.name),
      ['160p30'],
    );
    const { tx, got } = transcoder(ladder);
    tx.start();
    // The raw-bytes entry point: an FLV stream in arbitrary pieces instead of units.
    const file = readFileSync(join(dir, '360p.flv'));
    for (let pos = 0; pos < file.length; pos += 7777) tx.write(file.subarray(pos, pos + 7777));
    await tx.stop(30_000);
    assert.deepEqual([...got.video.keys()], ['160p30']);
    assert.deepEqual([got.video.get('160p30')![0]!.width, got.video.get('160p30')![0]!.height], [284, 160]);
    assert.ok(Math.abs(videoUnits(got, '160p30').length - 90) <= 2);
    assert.deepEqual(keyPts(videoUnits(got, '160p30')), keyPts(clip360.units));
  });

  it('a 60 fps source is decimated to 30 fps without losing a source keyframe', async () => {
    const ladder = ladderFor({ width: 854, height: 480, frameRate: 60 });
    assert.deepEqual(
      ladder.map((r) => `${r.name}@${r.frameRate}`),
      ['360p30@30', '160p30@30'],
    );
    const { tx, got } = transcoder(ladder, { sourceFrameRate: 60 });
    tx.start();
    await feed(tx, clip480p60);
    await tx.stop(30_000);
    const sourceKeys = keyPts(clip480p60.units);
    assert.equal(sourceKeys.length, 2);
    for (const r of ladder) {
      const units = videoUnits(got, r.name);
      assert.ok(Math.abs(units.length - 90) <= 2, `${r.name}: ${units.length} units`);
      assert.deepEqual(keyPts(units), sourceKeys, `${r.name} keyframes`);
      assert.equal(got.video.get(r.name)![0]!.frameRate, 30);
    }
  });

  it('kill -9 of ffmpeg mid-stream → restarting, then units flow again; stop() leaves no process', async () => {
    const ladder = ladderFor({ width: 640, height: 360, frameRate: 30 });
    const { tx, got } = transcoder(ladder);
    tx.start();
    const firstPid = tx.pid!;
    const restarted = new Promise<void>((resolve) => tx.once('restarting', () => resolve()));
    const feeding = (async () => {
      for (let pass = 0; pass < 4; pass++) await feed(tx, clip360, { speed: 3, offsetMs: pass * 3000 });
    })();
    await new Promise<void>((resolve) => tx.on('unit', () => resolve()));
    process.kill(firstPid, 'SIGKILL');
    await restarted;
    await feeding;
    const secondPid = tx.pid;
    await tx.stop(0);
    assert.ok(secondPid !== undefined && secondPid !== firstPid);
    assert.equal(alive(firstPid), false);
    assert.equal(alive(secondPid), false, 'stop() killed the restarted ffmpeg');
    assert.equal(liveChildren(), 0);
    assert.deepEqual(got.events.slice(0, 4), ['started', 'exit', 'restarting', 'started']);
    const second = (got.units.get('160p30') ?? []).filter((u) => u.generation === 2 && u.track === 'video');
    assert.ok(second.length > 30, `${second.length} units after the restart`);
    assert.equal(second[0]!.keyframe, true, 'the restarted ffmpeg starts at a keyframe');
    assert.equal(got.video.get('160p30')!.length, 2, 'the new ffmpeg re-announces its sequence header');
    assert.ok(got.log.some((l) => l.includes('ffmpeg exited; restarting')));
  });

  it('a restart later than the next source keyframe still leaves no GOP out: the source is replayed (standard-crash)', async () => {
    // The restart comes 2.5 s after the kill, past at least one source keyframe. Starting at the next keyframe to
    // arrive left a hole of a GOP or more in the rung, and the rung then counted one segment fewer than the source
    // for the rest of the broadcast. The kept source from the keyframe after the rung's last frame is replayed.
    const ladder = ladderFor({ width: 640, height: 360, frameRate: 30 });
    const { tx, got } = transcoder(ladder, { restart: { baseMs: 2500, maxMs: 2500 } });
    tx.start();
    const firstPid = tx.pid!;
    const passes = 4;
    const feedStart = performance.now();
    let restartedAtSourceMs = 0; // how much source had been fed (at 1×) when the second ffmpeg started
    tx.on('started', ({ generation }) => {
      if (generation === 2) restartedAtSourceMs = performance.now() - feedStart;
    });
    const feeding = (async () => {
      for (let pass = 0; pass < passes; pass++) await feed(tx, clip360, { speed: 1, offsetMs: pass * 3000 });
    })();
    // Killed once the rung has video: the first unit out may be audio (it was, in CI), and the replay starts from the
    // rung's last video frame.
    await new Promise<void>((resolve) => {
      const onUnit = (_rung: Rendition, au: AccessUnit) => {
        if (au.track !== 'video') return;
        tx.off('unit', onUnit);
        resolve();
      };
      tx.on('unit', onUnit);
    });
    process.kill(firstPid, 'SIGKILL');
    await feeding;
    await tx.stop(10_000); // closes ffmpeg's input: it flushes the tail
    const fed = Array.from({ length: passes }, (_, pass) => keyPts(clip360.units).map((k) => k + pass * 3000)).flat();
    const rung = videoUnits(got, '160p30');
    const last1 = rung.filter((u) => u.generation === 1).at(-1);
    assert.ok(last1, 'the rung had video from the first ffmpeg');
    const second = rung.filter((u) => u.generation === 2);
    assert.ok(second.length > 0, 'the restarted ffmpeg produced output');
    const firstAfter = fed.find((k) => k > last1.dts);
    assert.ok(
      firstAfter !== undefined && restartedAtSourceMs > firstAfter + 300,
      `the restart (${Math.round(restartedAtSourceMs)} ms of source fed) came after the next source keyframe (${firstAfter} ms): the case under test`,
    );
    assert.equal(second[0]!.pts, firstAfter, "the second ffmpeg starts at the source keyframe right after the rung's last frame");
    assert.deepEqual(
      keyPts(rung),
      fed.filter((k) => k <= rung.at(-1)!.pts),
      'every source keyframe is a rung keyframe: no GOP left out',
    );
    for (const track of ['video', 'audio'] as const) {
      const dts = (got.units.get('160p30') ?? []).filter((u) => u.track === track).map((u) => u.dts);
      assert.ok(
        dts.every((d, i) => i === 0 || d > dts[i - 1]!),
        `${track} DTS strictly increase across the restart`,
      );
    }
    assert.ok(
      got.log.some((l) => l.includes('transcoder input replayed')),
      'the log says the source was replayed',
    );
  });

  it('ffmpeg dies with its parent even when the parent is SIGKILLed (stdin is the lifeline)', async () => {
    const module = new URL('../../src/media/transcode/transcoder.js', import.meta.url).href;
    const script = `
      import { Transcoder } from ${JSON.stringify(module)};
      const log = { debug() {}, info() {}, warn() {}, error() {} };
      const ladder = ${JSON.stringify(ladderFor({ width: 640, height: 360 }))};
      const tx = new Transcoder({ ladder, log, ffmpegPath: ${JSON.stringify(FFMPEG)} });
      tx.on('started', ({ pid }) => console.log(pid));
      tx.start();
      setInterval(() => {}, 1000);`;
    const { spawn } = await import('node:child_process');
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve) =>
      parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(alive(pid), true, 'ffmpeg waits for input');
    parent.kill('SIGKILL');
    const deadline = Date.now() + 5000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(pid), false, 'ffmpeg exited after its parent was killed');
  });

  it('gives up with failed after maxRestarts when ffmpeg cannot run at all', async () => {
    for (const path of ['/bin/false', join(dir, 'no-such-ffmpeg')]) {
      const { tx, got } = transcoder(ladderFor({ width: 640, height: 360 }), {
        ffmpegPath: path,
        restart: { baseMs: 10, maxMs: 20, maxRestarts: 2 },
      });
      const failed = new Promise<Error>((resolve) => tx.once('failed', resolve));
      tx.start();
      assert.match((await failed).message, /after 2 restarts/);
      assert.equal(got.events.filter((e) => e === 'restarting').length, 2, path);
      assert.equal(tx.pid, undefined);
      await tx.stop();
    }
  });

  it('drops input to the next keyframe instead of buffering when ffmpeg falls behind', async () => {
    const ladder = ladderFor({ width: 640, height: 360, frameRate: 30 });
    const { tx, got } = transcoder(ladder, { maxBufferedBytes: 64 * 1024 });
    tx.start();
    tx.setVideoConfig(clip360.video);
    tx.setAudioConfig(clip360.audio);
    for (const au of clip360.units) tx.writeUnit(au); // synchronously: nothing drains meanwhile
    await tx.stop(30_000);
    assert.ok(got.log.some((l) => l.includes('dropping source frames until the next keyframe')));
    const units = videoUnits(got, '160p30');
    assert.ok(units.length > 0 && units.length < 90, `${units.length} units: some were dropped`);
    assert.equal(units[0]!.keyframe, true);
  });
});
