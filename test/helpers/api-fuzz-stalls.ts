// Event-loop stall checking for the fuzzers, from the server's own reading (/_openivs/health?loop).
// Cases run in windows of a few; a window whose longest delay exceeds the limit is not yet a failure,
// because on a shared machine another process can starve the server of CPU for longer than that. Each
// case of such a window is replayed alone, in a window of its own, several times, with the server
// process's CPU time read from /proc around each replay: a replay stalled when the loop waited over the
// limit while the server was computing. An input that stalls the loop does so again (the work is in
// the input, though GC makes its cost vary); starvation neither repeats on cue nor burns the server's
// CPU. A case that stalls in two replays or more fails the test, named. FUZZ_DEBUG=1 prints replays.

import { readFileSync } from 'node:fs';
import { readLoop } from './loop-probe.js';

export const STALL_LIMIT_MS = 100;
const WINDOW_CASES = 8;
const REPLAYS = 5;
/**
 * The server samples its loop delay with a 10 ms timer, and a stall is recorded when that timer next
 * fires; a reading taken in the same loop turn as the stalling request would miss it (the health
 * request can arrive before the timer phase). Waiting a little before each closing read fixes that.
 */
const SETTLE_MS = 30;
const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on every Linux that matters here). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, all threads) the process has used, in ms, from /proc; undefined elsewhere. */
export function cpuTimeMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND; // utime, stime
  } catch {
    return undefined;
  }
}

export class StallWatch<C> {
  private window: C[] = [];
  /** Windows over the limit that replays cleared (reported, for the record). */
  readonly starved: number[] = [];
  worstMs = 0;

  /**
   * `prepare` does the client's share of a case (building, signing) and returns the send alone, so a
   * replay's window holds only the server's work: on a 2-core machine a client hashing megabytes can
   * starve the server by itself.
   */
  constructor(
    private readonly server: { url: string; proc?: { pid?: number } },
    private readonly prepare: (c: C) => Promise<() => Promise<unknown>>,
    private readonly describe: (c: C) => string,
    private readonly limitMs = STALL_LIMIT_MS,
  ) {}

  /** Starts the first window. */
  async start(): Promise<void> {
    await readLoop(this.server);
  }

  /** Records a case that just ran; closes the window every few cases. */
  async ran(c: C): Promise<void> {
    this.window.push(c);
    if (this.window.length >= WINDOW_CASES) await this.close();
  }

  /** Closes the current window (call once more at the end); throws for a case that stalls the loop. */
  async close(): Promise<void> {
    const suspects = this.window;
    this.window = [];
    await settle();
    const reading = await readLoop(this.server);
    this.worstMs = Math.max(this.worstMs, reading.maxDelayMs);
    if (reading.maxDelayMs <= this.limitMs || suspects.length === 0) return;
    for (const c of suspects) {
      const delays: number[] = [];
      const cpus: (number | undefined)[] = [];
      for (let i = 0; i < REPLAYS; i++) {
        const send = await this.prepare(c);
        await readLoop(this.server);
        const cpuBefore = cpuTimeMs(this.server.proc?.pid);
        await send();
        await settle();
        const cpuAfter = cpuTimeMs(this.server.proc?.pid);
        delays.push((await readLoop(this.server)).maxDelayMs);
        cpus.push(cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore);
      }
      if (process.env.FUZZ_DEBUG) {
        console.log(
          `window ${reading.maxDelayMs} ms; replays ${delays.join(', ')} (cpu ${cpus.join(', ')} ms): ${this.describe(c).slice(0, 160)}`,
        );
      }
      // A replay stalled when the loop waited longer than the limit and the server computed a lot
      // meanwhile (half the limit in CPU time: an ordinary request takes a few ms). Waiting without
      // computing is another process's doing; on a starved machine a real stall also waits longer
      // than it computes, so the wait is not compared with the CPU time.
      const stalled = delays.filter((d, i) => d > this.limitMs && (cpus[i] === undefined || cpus[i] >= this.limitMs / 2));
      if (stalled.length >= 2) {
        throw new Error(
          `event loop stalled ${delays.join(', ')} ms (server CPU ${cpus.join(', ')} ms) on replays of: ${this.describe(c)}`,
        );
      }
    }
    this.starved.push(reading.maxDelayMs);
  }
}
