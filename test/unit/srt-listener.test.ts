// SrtListener over the native addon and Debian's libsrt, with real callers: ffmpeg and srt-live-transmit publish
// MPEG-TS with and without AES encryption, and what the listener demuxes matches what ffprobe reports for the file
// they sent. Wrong stream keys, wrong or missing passphrases and a passphrase on an unencrypted key are refused in
// the handshake (the caller fails, no connection, nothing delivered). Bounds: idle callers, connection limit; clean
// shutdown, also on process exit. These tests need the addon (scripts/install.sh builds it) and fail without it.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadSrtAddon, SRT_ADDON_PATH, SrtUnavailableError } from '../../src/media/ingest/srt/addon.js';
import { SrtListener } from '../../src/media/ingest/srt/listener.js';
import { killAllChildren, pollUntil } from '../helpers/live.js';
import { makeTs, probeTs, tempDir, ticks, type Probe } from '../helpers/srt-media.js';
import {
  ffmpegSendPattern,
  ffmpegSendTs,
  RecordingListener,
  srtLiveTransmit,
  srtUrl,
  type Recorded,
} from '../helpers/srt-publishers.js';

const KEY = 'sk_us-west-2_srtTestKey0001';
const OPEN_KEY = 'sk_us-west-2_srtOpenKey0002';
const PASSPHRASE = 'Ql2nRziUsT7QAYmcJIw9TwG1L0b6S7wxTLxOPQV9dVK9oEGLGXGRuvkFoVQXrvpA0';

/**
 * The demuxed media equals what ffprobe reports for the file that was sent: every unit, in order, with its timing.
 * Units in the last `tailMs` of the file may be missing (a sender that exits without lingering drops the packets
 * it had not sent yet, and ffmpeg's TS muxer holds audio back by up to its max_delay).
 */
function assertMatchesProbe(rec: Recorded, probe: Probe, tailMs = 0): void {
  const m = rec.media;
  assert.equal(m.unsupported.length, 0);
  assert.equal(m.videoConfigs[0]?.width, probe.width);
  assert.equal(m.videoConfigs[0]?.height, probe.height);
  for (const [name, got, sent] of [
    ['video access units', m.video, probe.video],
    ['AAC frames', m.audio, probe.audio],
  ] as const) {
    const end = sent.at(-1)!.dts - tailMs * 90;
    const required = sent.filter((p) => p.dts <= end).length;
    assert.ok(
      got.length <= sent.length && got.length >= required,
      `${name}: ${got.length} of ${sent.length} (at least ${required})`,
    );
  }
  const v0 = ticks(m.video[0]!.dts);
  m.video.forEach((u, i) => {
    const p = probe.video[i]!;
    assert.equal(ticks(u.dts) - v0, p.dts - probe.video[0]!.dts, `video unit ${i}: dts`);
    assert.equal(ticks(u.pts) - ticks(u.dts), p.pts - p.dts, `video unit ${i}: composition offset`);
    assert.equal(u.keyframe, p.keyframe, `video unit ${i}: keyframe`);
    if (i > 0) assert.ok(u.dts > m.video[i - 1]!.dts, 'dts increasing');
  });
  for (let i = 1; i < m.audio.length; i++) assert.ok(m.audio[i]!.dts > m.audio[i - 1]!.dts, 'audio dts increasing');
}

describe('SRT listener (native addon over libsrt)', { timeout: 180_000 }, () => {
  let dir: string;
  let file: string;
  let probe: Probe;

  before(async () => {
    dir = tempDir();
    file = await makeTs(dir, 'sent', { seconds: 3, size: '640x360' });
    probe = await probeTs(file);
  });
  after(() => {
    killAllChildren();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has the addon built and loading (scripts/install.sh builds it)', () => {
    assert.match(loadSrtAddon().version(), /^1\.(5|[6-9])\./, `libsrt version from ${SRT_ADDON_PATH}`);
  });

  it('says how to fix a missing addon', () => {
    const missing = join(dir, 'nowhere', 'openivs_srt.node');
    assert.throws(
      () => loadSrtAddon(missing),
      (err: unknown) => {
        assert.ok(err instanceof SrtUnavailableError);
        assert.match(err.message, /is not built/);
        assert.match(err.message, /bash scripts\/install\.sh/);
        return true;
      },
    );
    const handlers = { connection: () => undefined, error: () => undefined };
    assert.throws(() => SrtListener.listen({ host: '127.0.0.1', port: 0, addonPath: missing }, handlers), SrtUnavailableError);
  });

  it('takes ffmpeg publishing with AES-128 and delivers exactly the access units it sent, in batches', async () => {
    const srt = new RecordingListener({ flushMs: 200 });
    try {
      srt.listener.setKey(KEY, PASSPHRASE);
      // linger: libsrt's live-mode default (0) makes a sender discard its unsent last packets when it closes.
      const url = srtUrl(srt.port, { streamid: KEY, passphrase: PASSPHRASE, pbkeylen: 16, linger: 2 });
      const sender = await ffmpegSendTs(file, url).exited;
      assert.equal(sender.code, 0, sender.stderr);
      const rec = await srt.closedConnection();
      assert.equal(rec.closed.reason, 'peer');
      assert.equal(rec.conn.encrypted, true);
      assert.equal(rec.conn.streamKey, KEY);
      assert.equal(rec.conn.remoteAddress, '127.0.0.1');
      assert.ok(rec.conn.latencyMs >= 120, `negotiated latency ${rec.conn.latencyMs}`);
      assert.ok(rec.liveStats && rec.liveStats.bytesReceived >= 0, 'stats readable while live');
      assert.ok(rec.closed.stats.bytesReceived > 0.9 * rec.conn.bytesReceived, 'libsrt counted what JS received');
      assert.equal(rec.closed.stats.packetsUndecrypted, 0);
      const perBatch = rec.conn.bytesReceived / rec.batches;
      assert.ok(
        perBatch > 4 * 1316,
        `JavaScript gets batches of packets, not one call per packet (${perBatch.toFixed(0)} bytes per batch)`,
      );
      assertMatchesProbe(rec, probe);
      assert.equal(srt.refusals.length, 0);
    } finally {
      await srt.listener.close();
    }
  });

  it('takes srt-live-transmit (encrypted) and ffmpeg on an unencrypted key at the same time', async () => {
    const srt = new RecordingListener({ idleTimeoutMs: 2000 });
    try {
      srt.listener.setKey(KEY, PASSPHRASE);
      srt.listener.setKey(OPEN_KEY, null);
      const slt = srtLiveTransmit(srtUrl(srt.port, { streamid: KEY, passphrase: PASSPHRASE, pbkeylen: 16 }), file, 30);
      const ff = ffmpegSendTs(file, srtUrl(srt.port, { streamid: OPEN_KEY }));
      assert.equal((await ff.exited).code, 0);
      await pollUntil('both connections', () => srt.connections.length === 2);
      const byKey = (k: string) => srt.connections.find((c) => c.conn.streamKey === k)!;
      // srt-live-transmit stays connected after its input ends; the listener closes it once it has been idle.
      await pollUntil('both closed', () => srt.connections.every((c) => c.closed), { timeoutMs: 20_000 });
      assert.equal(byKey(KEY).conn.encrypted, true);
      assert.equal(byKey(OPEN_KEY).conn.encrypted, false);
      assert.equal(byKey(KEY).closed!.reason, 'idle');
      assert.equal(byKey(OPEN_KEY).closed!.reason, 'peer');
      // Neither lingers at exit: the last few units may be cut off, everything before them is there and exact.
      assertMatchesProbe(byKey(KEY), probe, 800);
      assertMatchesProbe(byKey(OPEN_KEY), probe, 800);
      await slt.exited;
    } finally {
      await srt.listener.close();
    }
  });

  it('refuses wrong keys and passphrases in the handshake: the caller fails, nothing is delivered', async () => {
    const srt = new RecordingListener();
    try {
      srt.listener.setKey(KEY, PASSPHRASE);
      srt.listener.setKey(OPEN_KEY, null);
      const cases: Array<{ query: Record<string, string | number>; reason: string; caller: RegExp }> = [
        { query: { streamid: 'sk_us-west-2_nosuchkey' }, reason: 'unknown-key', caller: /Application-defined rejection reason/ },
        {
          query: { streamid: KEY, passphrase: 'wrong-passphrase-1234', pbkeylen: 16 },
          reason: 'wrong-passphrase',
          caller: /Incorrect passphrase/,
        },
        { query: { streamid: KEY }, reason: 'wrong-passphrase', caller: /Password required or unexpected/ },
        {
          query: { streamid: OPEN_KEY, passphrase: PASSPHRASE },
          reason: 'unexpected-passphrase',
          caller: /Password required or unexpected/,
        },
        {
          query: { streamid: `#!::r=${OPEN_KEY},m=request` },
          reason: 'bad-stream-id',
          caller: /Application-defined rejection reason/,
        },
      ];
      for (const [i, c] of cases.entries()) {
        const result = await ffmpegSendPattern(srtUrl(srt.port, c.query), 2).exited;
        assert.notEqual(result.code, 0, `case ${i}: ffmpeg must fail`);
        assert.match(result.stderr, c.caller, `case ${i}: what the caller sees`);
        const refusal = await srt.refusal(i + 1);
        assert.equal(refusal.reason, c.reason, `case ${i}`);
        assert.equal(refusal.address, '127.0.0.1');
      }
      assert.equal(srt.refusals[0]!.rejectCode, 1403);
      assert.equal(srt.refusals[4]!.rejectCode, 1405);
      const slt = await srtLiveTransmit(
        srtUrl(srt.port, { streamid: KEY, passphrase: 'another-wrong-one-99', pbkeylen: 16 }),
        file,
        3,
      ).exited;
      assert.match(slt.stdout, /Incorrect passphrase/, 'srt-live-transmit is refused too');
      assert.equal((await srt.refusal(cases.length + 1)).reason, 'wrong-passphrase');
      assert.equal(srt.connections.length, 0, 'no connection was ever accepted');
    } finally {
      await srt.listener.close();
    }
  });

  it('accepts the access-control form #!::r=<key>,m=publish and stops accepting a deleted key', async () => {
    const srt = new RecordingListener();
    try {
      srt.listener.replaceKeys([[OPEN_KEY, null]]);
      const ok = await ffmpegSendPattern(srtUrl(srt.port, { streamid: `#!::r=${OPEN_KEY},m=publish` }), 1).exited;
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal((await srt.closedConnection()).conn.streamKey, OPEN_KEY);
      assert.equal(srt.listener.deleteKey(OPEN_KEY), true);
      assert.equal(srt.listener.keyCount, 0);
      const refused = await ffmpegSendPattern(srtUrl(srt.port, { streamid: OPEN_KEY }), 1).exited;
      assert.notEqual(refused.code, 0);
      assert.equal((await srt.refusal()).reason, 'unknown-key');
    } finally {
      await srt.listener.close();
    }
  });

  it('closes a caller that connects and sends nothing, and refuses callers beyond maxConnections', async () => {
    const srt = new RecordingListener({ idleTimeoutMs: 1500, maxConnections: 1 });
    try {
      srt.listener.setKey(OPEN_KEY, null);
      const silent = srtLiveTransmit(srtUrl(srt.port, { streamid: OPEN_KEY }), null, 10);
      await pollUntil('the silent caller to connect', () => srt.connections.length === 1);
      const second = await ffmpegSendPattern(srtUrl(srt.port, { streamid: OPEN_KEY }), 1).exited;
      assert.notEqual(second.code, 0, 'a second caller is refused while the first holds the only slot');
      const overload = await srt.refusal();
      assert.deepEqual([overload.reason, overload.rejectCode], ['overload', 1402]);
      const rec = await srt.closedConnection(0, 5000);
      assert.equal(rec.closed.reason, 'idle');
      assert.equal(rec.conn.bytesReceived, 0);
      silent.kill();
    } finally {
      await srt.listener.close();
    }
  });

  it('close() ends live connections with listener-closed; a second listener on a used port fails clearly', async () => {
    const srt = new RecordingListener();
    srt.listener.setKey(OPEN_KEY, null);
    const sender = ffmpegSendTs(file, srtUrl(srt.port, { streamid: OPEN_KEY }));
    await pollUntil('media to flow', () => (srt.connections[0]?.conn.bytesReceived ?? 0) > 0);
    assert.throws(
      () => SrtListener.listen({ host: '127.0.0.1', port: srt.port }, { connection: () => undefined, error: () => undefined }),
      /SRT listener on 127\.0\.0\.1:\d+: .*already listening on the same port/,
    );
    await srt.listener.close();
    assert.equal(srt.connections[0]!.closed?.reason, 'listener-closed');
    assert.throws(() => srt.listener.setKey(KEY, null), /closed/);
    await sender.kill();
  });

  it('leaves no thread behind after close() (ours joined, libsrt reaps its own)', async () => {
    const threads = () => readdirSync('/proc/self/task').length;
    const handlers = { connection: () => undefined, error: () => undefined };
    await SrtListener.listen({ host: '127.0.0.1', port: 0 }, handlers).close();
    const base = await pollUntil('a stable thread count', async () => {
      const before = threads();
      await new Promise((r) => setTimeout(r, 1500));
      return threads() === before ? before : undefined;
    });
    for (let i = 0; i < 20; i++) {
      const l = SrtListener.listen({ host: '127.0.0.1', port: 0 }, handlers);
      l.setKey(`k-threads-${i}`, null);
      await l.close();
    }
    await pollUntil(`the thread count back at ${base}`, () => threads() <= base, { timeoutMs: 15_000 });
  });

  it('lets the process exit: after close(), and when it exits with connections open', async () => {
    const script = join(dir, 'exit-child.mjs');
    writeFileSync(
      script,
      `
      import { SrtListener } from ${JSON.stringify(new URL('../../src/media/ingest/srt/listener.js', import.meta.url).href)};
      const mode = process.argv[2];
      const l = SrtListener.listen({ host: '127.0.0.1', port: 0 }, {
        connection: (c) => c.attach({ data: () => { if (mode === 'exit') process.exit(7); if (mode === 'close') l.close(); }, close: () => {} }),
        error: () => {},
      });
      l.setKey('k-open-0001', null);
      console.log(l.port);
    `,
    );
    for (const mode of ['exit', 'close']) {
      const child = spawn(process.execPath, [script, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const port = await new Promise<number>((resolve) =>
        child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))),
      );
      const sender = ffmpegSendTs(file, srtUrl(port, { streamid: 'k-open-0001' }));
      const started = Date.now();
      const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
        child.on('exit', (c, s) => resolve([c, s])),
      );
      assert.equal(signal, null, `${mode}: no crash (${stderr})`);
      assert.equal(code, mode === 'exit' ? 7 : 0, `${mode}: exit code (${stderr})`);
      assert.ok(Date.now() - started < 10_000, `${mode}: exited promptly`);
      await sender.kill();
    }
  });
});
