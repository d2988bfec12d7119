// Smoke run of the SRT ingest measurements (bench/lib/srt-ingest.ts), until `bench:ingest` gets its SRT column:
// parse throughput of the TS demuxer next to the FLV path for the same clip, then CPU per stream for SRT and RTMP
// ingest in-process with the same streams. Env: SRT_SMOKE_STREAMS (1), SRT_SMOKE_WINDOW (5 s), SRT_SMOKE_RAMP (3 s).
// Run: npx tsc && node dist/bench/lib/srt-smoke.js

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeClip } from './media.js';
import { clipAsTs, demuxThroughput, flvParseThroughput, measureRtmpIngest, measureSrtIngest } from './srt-ingest.js';

const streams = Number(process.env.SRT_SMOKE_STREAMS ?? 1);
const windowSeconds = Number(process.env.SRT_SMOKE_WINDOW ?? 5);
const rampSeconds = Number(process.env.SRT_SMOKE_RAMP ?? 3);

const dir = mkdtempSync(join(tmpdir(), 'openivs-srt-bench-'));
try {
  const clip = await makeClip(dir, 10);
  const ts = await clipAsTs(clip);
  console.log(`clip: 720p30 ${clip.kbps.toFixed(0)} kbit/s FLV, ${clip.seconds} s; same streams as MPEG-TS for SRT`);
  for (const r of [demuxThroughput(ts, clip.seconds, 20), flvParseThroughput(clip.path, clip.seconds, 20)]) {
    console.log(`${r.what}: ${r.mbPerSecond.toFixed(0)} MB/s, ${r.usPerMediaSecond.toFixed(0)} µs CPU per second of media`);
  }
  for (const r of [
    await measureSrtIngest(ts, streams, rampSeconds, windowSeconds),
    await measureRtmpIngest(clip.path, streams, rampSeconds, windowSeconds),
  ]) {
    console.log(
      `${r.protocol}: ${r.streams} stream(s), ${r.cpuPerStream.toFixed(2)} % of a core per stream, ${r.unitsPerSecondPerStream.toFixed(1)} units/s per stream`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
