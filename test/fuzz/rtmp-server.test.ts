// Fuzzing whole RTMP connections against an in-process ingest server with short deadlines (issue 10):
// generated sessions (mutated handshakes, well-formed or mangled commands, every chunk header format,
// control messages, oversized and truncated messages, random bytes; some publish with the good key and
// then send junk media). Invariants: the server closes every connection by its deadlines, nothing but a
// typed rejection happens (no internal error logged), every accepted session ends exactly once, and no
// stream key reaches the logs. Budget: fuzzRuns; a failure prints its seed (replay with FUZZ_SEED).

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { createIngestServer, type IngestConfig, type IngestServer } from '../../src/media/ingest/index.js';
import { fuzzRuns, fuzzSeed } from '../helpers/fuzz-budget.js';
import { playSession } from '../helpers/rtmp-fuzz-play.js';
import { describeSession, sessionArb, type Session } from '../helpers/rtmp-fuzz.js';
import { createRecorder } from '../unit/fixtures/ingest/recorder.js';

const CONFIG: Partial<IngestConfig> = {
  handshakeTimeoutMs: 300,
  setupTimeoutMs: 500,
  idleTimeoutMs: 400,
  authorizeTimeoutMs: 200,
  closeGraceMs: 100,
};
/** The latest a connection may close: setup deadline, then the grace after a refusal, plus scheduling slack. */
const CLOSE_BY_MS = 500 + 400 + 100 + 1500;
const PARALLEL = 8;

const servers: IngestServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

describe('fuzz: RTMP connections against the ingest server', () => {
  it('every generated session is closed in time, with typed rejections only and no key in the logs', async (t) => {
    const seed = fuzzSeed();
    const sessions = fc.sample(sessionArb, { numRuns: fuzzRuns(120), seed });
    const rec = createRecorder();
    const server = createIngestServer({ hooks: rec.hooks, config: CONFIG });
    servers.push(server);
    const { port } = await server.listen(0, '127.0.0.1');
    const failures: string[] = [];
    const runOne = async (s: Session, i: number): Promise<void> => {
      const c = await playSession(port, s);
      const closed = await c.waitClosed(CLOSE_BY_MS).then(
        () => true,
        () => false,
      );
      c.destroy();
      if (!closed) failures.push(`session ${i} not closed within ${CLOSE_BY_MS} ms: ${describeSession(s)}`);
    };
    for (let i = 0; i < sessions.length; i += PARALLEL) {
      await Promise.all(sessions.slice(i, i + PARALLEL).map((s, k) => runOne(s, i + k)));
    }
    await new Promise((r) => setTimeout(r, 300));
    t.diagnostic(
      `seed ${seed}, ${sessions.length} sessions, ${rec.sessions.length} published; closes: ${closeSummary(rec.logLines)}`,
    );
    const internal = rec.logLines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50);
    const context = `(replay with FUZZ_SEED=${seed})`;
    assert.deepEqual(failures, [], context);
    assert.deepEqual(internal, [], `internal errors logged ${context}`);
    assert.equal(server.connections(), 0, `connections left open ${context}`);
    for (const session of rec.sessions)
      assert.equal(session.ends.length, 1, `a session ended ${session.ends.length} times ${context}`);
    for (const line of rec.logLines) assert.ok(!line.includes('sk_good'), `key logged: ${line} ${context}`);
  });
});

/** How the connections ended, by the start of their close detail: shows which layers the fuzzer reached. */
function closeSummary(lines: string[]): string {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const entry = JSON.parse(line) as { msg?: string; detail?: string };
    if (entry.msg !== 'rtmp connection closed') continue;
    const key = (entry.detail ?? '').replace(/[0-9]+/g, 'N').slice(0, 60);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n}× ${k}`)
    .join('; ');
}
