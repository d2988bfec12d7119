// End to end with the real encoder: ffmpeg publishes a generated test pattern over RTMP and RTMPS to an
// ingest server on a free port; we check what reaches the session, how refusals and unsupported codecs
// look to ffmpeg (exit codes, time to fail), and that hostile connections do not disturb a live publish.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createIngestServer, type IngestConfig, type IngestServer } from '../../src/media/ingest/index.js';
import { ffmpegPublish, selfSignedCert } from './fixtures/ingest/ffmpeg.js';
import { createRecorder, type Recorder } from './fixtures/ingest/recorder.js';

const dir = mkdtempSync(join(tmpdir(), 'openivs-ingest-e2e-'));
const servers: IngestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function start(config?: Partial<IngestConfig>): Promise<{ server: IngestServer; rec: Recorder; port: number }> {
  const rec = createRecorder();
  const server = createIngestServer({ hooks: rec.hooks, config });
  servers.push(server);
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, rec, port };
}

function assertNoKeyInLogs(rec: Recorder): void {
  assert.ok(rec.logLines.length > 0, 'something was logged');
  for (const line of rec.logLines) assert.ok(!line.includes('sk_good') && !line.includes('sk_bad'), line);
}

/** Sends `bytes` on a fresh connection and resolves with how long the server took to close it. */
function closeTime(port: number, bytes: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    socket.on('error', () => undefined);
    socket.resume(); // read (and discard) what the server sends, so its close is seen
    socket.on('close', () => resolve(performance.now() - started));
  });
}

describe('RTMP ingest with ffmpeg', { concurrency: true }, () => {
  it('delivers a 4 s publish: configs, 120 video access units, keyframes every 60, one onEnd', async () => {
    const { rec, port, server } = await start();
    const result = await ffmpegPublish(`rtmp://127.0.0.1:${port}/app/sk_good`, { seconds: 4 });
    assert.equal(result.code, 0, result.stderr);
    const [s] = rec.sessions;
    assert.ok(s);
    assert.ok(['unpublished', 'disconnected'].includes(await s.ended));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(s.ends.length, 1, 'onEnd exactly once');
    assert.deepEqual(
      rec.requests.map((r) => [r.app, r.streamKey, r.secure]),
      [['app', 'sk_good', false]],
    );
    const v = s.video[0]!;
    assert.deepEqual([v.width, v.height, v.nalLengthSize, v.frameRate], [640, 360, 4, 30]);
    assert.match(v.codecString, /^avc1\.64/);
    const a = s.audio[0]!;
    assert.equal(a.sampleRate, 48000);
    assert.ok(a.channels === 1 || a.channels === 2);
    assert.equal(a.codecString, 'mp4a.40.2');
    assert.ok(s.meta.length >= 1 && s.meta[0]!['width'] === 640);
    const video = s.videoUnits();
    assert.ok(video.length >= 118 && video.length <= 121, `${video.length} video access units`);
    assert.deepEqual(
      video.flatMap((u, i) => (u.keyframe ? [i] : [])),
      [0, 60],
    );
    for (let i = 1; i < video.length; i++) assert.ok(video[i]!.dts > video[i - 1]!.dts, `video dts increases at ${i}`);
    const audio = s.audioUnits();
    assert.ok(audio.length > 150, `${audio.length} audio access units`);
    for (let i = 1; i < audio.length; i++) assert.ok(audio[i]!.dts >= audio[i - 1]!.dts);
    assert.equal(server.connections(), 0);
    assertNoKeyInLogs(rec);
  });

  it('refuses a wrong key before Publish.Start: ffmpeg fails fast, nothing is delivered', async (t) => {
    const { rec, port, server } = await start();
    const result = await ffmpegPublish(`rtmp://127.0.0.1:${port}/app/sk_bad`, { seconds: 4 });
    assert.notEqual(result.code, 0);
    assert.ok(result.ms < 5000, `ffmpeg took ${result.ms} ms`);
    t.diagnostic(`wrong key: ffmpeg exited ${result.code} after ${Math.round(result.ms)} ms (process start included)`);
    assert.match(result.stderr, /unknown stream key/);
    assert.equal(rec.requests.length, 1);
    assert.equal(rec.sessions.length, 0);
    assert.equal(server.connections(), 0);
    assertNoKeyInLogs(rec);
  });

  it('accepts RTMPS with a self-signed certificate', async () => {
    const { rec, server } = await start();
    const { port } = await server.listenTls(0, '127.0.0.1', await selfSignedCert(dir));
    const result = await ffmpegPublish(`rtmps://127.0.0.1:${port}/app/sk_good`, { seconds: 2 });
    assert.equal(result.code, 0, result.stderr);
    const [s] = rec.sessions;
    assert.ok(s);
    await s.ended;
    assert.equal(rec.requests[0]!.secure, true);
    assert.equal(s.video[0]!.width, 640);
    assert.ok(s.videoUnits().length >= 58, `${s.videoUnits().length} video access units`);
    assert.equal(s.ends.length, 1);
  });

  it('closes garbage and truncated handshakes while a publish goes on unaffected', async (t) => {
    const { rec, port, server } = await start({ handshakeTimeoutMs: 800, idleTimeoutMs: 800 });
    const publishing = ffmpegPublish(`rtmp://127.0.0.1:${port}/app/sk_good`, { seconds: 2 });
    await new Promise((r) => setTimeout(r, 500));
    const garbage = Array.from({ length: 5 }, () => Buffer.concat([Buffer.of(0xaa), randomBytes(4000)]));
    const afterHandshake = Buffer.concat([Buffer.of(3), randomBytes(1536 * 2), randomBytes(2000)]);
    const [g, truncated, postHandshake] = await Promise.all([
      Promise.all(garbage.map((b) => closeTime(port, b))),
      closeTime(port, Buffer.concat([Buffer.of(3), randomBytes(700)])),
      closeTime(port, afterHandshake),
    ]);
    for (const ms of g) assert.ok(ms < 500, `garbage closed after ${ms} ms`);
    t.diagnostic(
      `closed: garbage ≤ ${Math.round(Math.max(...g))} ms, truncated handshake ${Math.round(truncated)} ms, ` +
        `garbage after handshake ${Math.round(postHandshake)} ms`,
    );
    assert.ok(truncated >= 700 && truncated < 1500, `truncated handshake closed after ${truncated} ms`);
    assert.ok(postHandshake < 1500, `garbage after the handshake closed after ${postHandshake} ms`);
    const first = await publishing;
    assert.equal(first.code, 0, first.stderr);
    const second = await ffmpegPublish(`rtmp://127.0.0.1:${port}/app/sk_good`, { seconds: 1 });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(rec.sessions.length, 2);
    for (const s of rec.sessions) {
      await s.ended;
      assert.equal(s.ends.length, 1);
      assert.ok(s.videoUnits().length >= 28);
    }
    assert.equal(server.connections(), 0);
  });

  it('reports MP3 audio as unsupported and closes; ffmpeg fails', async (t) => {
    const { rec, port } = await start();
    const result = await ffmpegPublish(`rtmp://127.0.0.1:${port}/app/sk_good`, {
      seconds: 4,
      audioCodec: ['-c:a', 'libmp3lame', '-ar', '44100'],
    });
    assert.notEqual(result.code, 0);
    assert.ok(result.ms < 5000, `ffmpeg took ${result.ms} ms`); // process start included, as for the wrong key
    t.diagnostic(`MP3 audio: ffmpeg exited ${result.code} after ${Math.round(result.ms)} ms`);
    const [s] = rec.sessions;
    assert.ok(s);
    assert.equal(await s.ended, 'error');
    assert.equal(s.ends.length, 1);
    assert.equal(s.unsupported.length, 1);
    assert.match(s.unsupported[0]!, /MP3/);
    assert.match(result.stderr, /MP3/);
  });
});
