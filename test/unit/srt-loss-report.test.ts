// What an operator reads when an SRT publish loses media for good: srt-live-transmit sends, over a real SRT link
// into the listener and the publish bridge, the bytes of a TS file with every 50th packet cut out (loss SRT cannot
// repair, since the sender never had those packets; ffmpeg would remux the file and renumber the packets). The log gets a warning with the lost counters while the stream is live, another with the
// totals when it ends, and never the stream key. A clean file ends with one info line and zero loss.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { PublishSession } from '../../src/media/ingest/ports.js';
import { SrtListener } from '../../src/media/ingest/srt/listener.js';
import { LOSS_CHECK_MS } from '../../src/media/ingest/srt/loss-report.js';
import { feedPublishSession } from '../../src/media/ingest/srt/publish-bridge.js';
import { killAllChildren, pollUntil, sleep } from '../helpers/live.js';
import { makeTs, tempDir } from '../helpers/srt-media.js';
import { srtUrl } from '../helpers/srt-publishers.js';

const KEY = 'sk_us-west-2_srtLossKey0003';

interface LogLine {
  level: number;
  msg: string;
  key?: string;
  lost?: Record<string, number>;
}

class EndingSession implements PublishSession {
  units = 0;
  ended = false;
  onMetadata(): void {}
  onVideoConfig(): void {}
  onAudioConfig(): void {}
  onAccessUnit(): void {
    this.units++;
  }
  onUnsupported(): void {}
  onEnd(): void {
    this.ended = true;
  }
}

/** srt-live-transmit sending `ts` byte for byte, paced over `seconds` (in 1316-byte datagrams, 7 TS packets). */
async function sendBytes(ts: Buffer, url: string, seconds: number): Promise<void> {
  const slt = spawn('srt-live-transmit', ['-a', 'no', '-c', '1316', 'file://con', url], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  slt.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  slt.stdin.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => slt.on('close', (code) => resolve(code)));
  const steps = seconds * 20;
  const step = Math.ceil(ts.length / steps / 1316) * 1316;
  for (let at = 0; at < ts.length; at += step) {
    slt.stdin.write(ts.subarray(at, at + step));
    await sleep(50);
  }
  await sleep(500); // the last datagrams leave before stdin's end stops the sender
  slt.stdin.end();
  const code = await exited;
  assert.equal(code, 0, `srt-live-transmit: ${stderr}`);
}

/** Sends `ts` over SRT into a listener feeding the publish bridge; returns every log line once the session ended. */
async function publishAndLog(ts: Buffer, seconds: number): Promise<{ lines: LogLine[]; raw: string; session: EndingSession }> {
  let raw = '';
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        raw += chunk.toString();
        done();
      },
    }),
  );
  const session = new EndingSession();
  const listener = SrtListener.listen(
    { host: '127.0.0.1', port: 0 },
    { connection: (conn) => feedPublishSession(conn, session, log), error: () => undefined },
  );
  try {
    listener.setKey(KEY, null);
    await sendBytes(ts, srtUrl(listener.port, { streamid: KEY }), seconds);
    await pollUntil('the session to end', () => session.ended || undefined, { timeoutMs: 20_000 });
  } finally {
    await listener.close();
  }
  const lines = raw
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LogLine);
  return { lines, raw, session };
}

describe('SRT loss report (a real SRT link, the publish bridge)', { timeout: 120_000 }, () => {
  // Longer than one check interval, so that the live warning fires before the end.
  const seconds = Math.ceil(LOSS_CHECK_MS / 1000) + 2;
  let dir: string;
  let clean: Buffer;
  let damaged: Buffer;

  before(async () => {
    dir = tempDir();
    clean = readFileSync(await makeTs(dir, 'clean', { seconds, size: '320x180' }));
    const kept: Buffer[] = [];
    for (let i = 0, n = 0; i + 188 <= clean.length; i += 188, n++) {
      if (n < 20 || n % 50 !== 0) kept.push(clean.subarray(i, i + 188));
    }
    damaged = Buffer.concat(kept);
  });
  after(() => {
    killAllChildren();
    rmSync(dir, { recursive: true, force: true });
  });

  it('warns while live and at the end when media was lost for good, without the stream key', async () => {
    const { lines, raw, session } = await publishAndLog(damaged, seconds);
    assert.ok(session.units > 0, 'the rest of the stream got through');
    const live = lines.filter((l) => l.msg.startsWith('SRT publish lost media'));
    assert.ok(live.length >= 1, `a warning while live: ${raw}`);
    assert.equal(live[0]!.level, 40);
    assert.ok(live[0]!.lost!.continuityGaps! > 0, JSON.stringify(live[0]));
    const end = lines.find((l) => l.msg.startsWith('SRT publish ended'));
    assert.ok(end, raw);
    assert.equal(end.level, 40, 'the end line is a warning');
    assert.match(end.msg, /lost media/);
    assert.ok(end.lost!.continuityGaps! >= live[0]!.lost!.continuityGaps!);
    assert.ok(end.lost!.droppedVideoUnits! + end.lost!.droppedAudioPes! > 0, JSON.stringify(end.lost));
    assert.equal(end.key, 'sk_us-west-2_…');
    assert.ok(!raw.includes(KEY), 'the stream key is not in the log');
  });

  it('ends a clean publish with one info line and no loss', async () => {
    const { lines, raw } = await publishAndLog(clean, seconds);
    assert.equal(lines.filter((l) => l.msg.startsWith('SRT publish lost media')).length, 0, raw);
    const end = lines.filter((l) => l.msg.startsWith('SRT publish ended'));
    assert.equal(end.length, 1, raw);
    assert.equal(end[0]!.level, 30);
    assert.deepEqual(Object.values(end[0]!.lost!), [0, 0, 0, 0, 0, 0]);
  });
});
