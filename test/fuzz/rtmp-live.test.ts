// Fuzzing the RTMP port of a real openivs server while an honest ffmpeg publisher is live on it (issue
// 10): generated sessions (see test/helpers/rtmp-fuzz.ts) run in parallel batches, some publishing to a
// channel of their own with its real key so that mangled media reaches the registry and the packager.
// Invariants: the server does not crash and logs no internal error, its event loop never stalls over
// 100 ms (a stall must repeat when its batch is replayed, see underAttackConfirmed), its RSS grows by
// less than 64 MB, and the honest stream keeps playing.
// Budget: fuzzRuns; a failure prints its seed (replay with FUZZ_SEED).

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CreateChannelCommand } from '@aws-sdk/client-ivs';
import fc from 'fast-check';
import { fuzzRuns, fuzzSeed } from '../helpers/fuzz-budget.js';
import { readLoop } from '../helpers/loop-probe.js';
import { assertStillPlaying, startHonestStream, underAttackConfirmed, type HonestStream } from '../helpers/rtmp-attack.js';
import { describeOversized, oversizedCaseArb, playOversized, playSession } from '../helpers/rtmp-fuzz-play.js';
import { describeSession, sessionArb, type Session } from '../helpers/rtmp-fuzz.js';
import { useServer } from '../helpers/use-server.js';

const MAX_STALL_MS = 100;
const MAX_RSS_GROWTH = 64 * 1024 * 1024;
const PARALLEL = 4;
/** How long a session's client waits for the server's answer before hanging up itself. */
const LINGER_MS = 300;

describe('fuzz: RTMP sessions against a live server with an honest stream', { timeout: 180_000 }, () => {
  const { server, ivs } = useServer();
  let honest: HonestStream;
  let fuzzKey: string;

  before(async () => {
    const target = await ivs.send(new CreateChannelCommand({ name: 'fuzz-target', type: 'BASIC', insecureIngest: true }));
    fuzzKey = target.streamKey!.value!;
    honest = await startHonestStream(ivs, server.rtmpPort, 'fuzz-honest');
  });

  it('no crash, no stall, bounded memory, and the honest stream keeps playing', async (t) => {
    const seed = fuzzSeed();
    const context = `(replay with FUZZ_SEED=${seed})`;
    const sessions = fc.sample(sessionArb, { numRuns: fuzzRuns(48), seed });
    const runOne = async (s: Session): Promise<void> => {
      const c = await playSession(server.rtmpPort, s, fuzzKey);
      await c.waitClosed(LINGER_MS).catch(() => undefined);
      c.destroy();
    };
    const initialRss = (await readLoop(server)).rssBytes;
    let worstStall = 0;
    let peakRss = initialRss;
    for (let i = 0; i < sessions.length; i += PARALLEL) {
      const batch = sessions.slice(i, i + PARALLEL);
      const r = await underAttackConfirmed(server, () => Promise.all(batch.map(runOne)), MAX_STALL_MS);
      if (r.replayed) t.diagnostic(`batch at ${i} replayed after a stall: ${r.stalls.join(', ')} ms`);
      worstStall = Math.max(worstStall, r.maxDelayMs);
      peakRss = Math.max(peakRss, r.peakRssBytes);
      const what = `batch at ${i}: ${batch.map(describeSession).join(' | ')} ${context}`;
      assert.ok(r.maxDelayMs < MAX_STALL_MS, `event loop stalled ${r.stalls.join(', ')} ms in ${what}`);
      assert.equal(server.proc.exitCode, null, `server exited in ${what}`);
    }
    const growthMb = ((peakRss - initialRss) / 2 ** 20).toFixed(1);
    t.diagnostic(`seed ${seed}: ${sessions.length} sessions, worst stall ${worstStall} ms, RSS +${growthMb} MB at most`);
    assert.ok(peakRss - initialRss < MAX_RSS_GROWTH, `RSS grew ${growthMb} MB ${context}`);
    const health = await fetch(`${server.url}/_openivs/health`);
    assert.equal(health.status, 200, `health ${context}`);
    await health.arrayBuffer();
    await assertStillPlaying(honest);
    const internal = server
      .logs()
      .split('\n')
      .filter((l) => /"level":(5\d|60)/.test(l));
    assert.deepEqual(internal, [], `internal errors logged ${context}`);
  });

  it('oversized messages of every kind are refused on their header: no stall, memory flat', async (t) => {
    const seed = fuzzSeed();
    const context = `(replay with FUZZ_SEED=${seed})`;
    const cases = fc.sample(oversizedCaseArb, { numRuns: fuzzRuns(10), seed });
    const initialRss = (await readLoop(server)).rssBytes;
    let peakRss = initialRss;
    for (const c of cases) {
      const r = await underAttackConfirmed(
        server,
        async () => {
          const client = await playOversized(server.rtmpPort, c, fuzzKey);
          const closed = await client.waitClosed(3000).then(
            () => true,
            () => false,
          );
          client.destroy();
          return closed;
        },
        MAX_STALL_MS,
      );
      peakRss = Math.max(peakRss, r.peakRssBytes);
      assert.ok(r.maxDelayMs < MAX_STALL_MS, `event loop stalled ${r.stalls.join(', ')} ms: ${describeOversized(c)} ${context}`);
      assert.ok(r.result, `not refused: ${describeOversized(c)} ${context}`);
      const growth = peakRss - initialRss;
      assert.ok(growth < MAX_RSS_GROWTH, `RSS grew ${(growth / 2 ** 20).toFixed(1)} MB: ${describeOversized(c)} ${context}`);
    }
    t.diagnostic(
      `seed ${seed}: ${cases.length} oversized messages, RSS +${((peakRss - initialRss) / 2 ** 20).toFixed(1)} MB at most`,
    );
    await assertStillPlaying(honest);
  });
});
