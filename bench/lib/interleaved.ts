// Interleaved wrk windows: rounds of one short window per contender (the first is the baseline), the order reversed
// every other round, the servers pinned to CPU 0 and wrk (one thread) to CPU 1. On this noisy 2-core machine a
// server's rate moves by a third from one minute to the next; ratios taken within a round, and their median over the
// rounds, resolve differences of a few percent that one long window per server cannot.

import { cpuTimes, percentile, pinToCpu, unpin } from './processes.js';
import type { SignedHttp } from './signing.js';
import { wrkLoad } from './wrk.js';

export interface Contender {
  name: string;
  port: number;
  request: SignedHttp;
  pid: number;
}

export const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

export const quartiles = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `${percentile(sorted, 25).toFixed(2)}–${percentile(sorted, 75).toFixed(2)}`;
};

/**
 * Runs `rounds` rounds of a `windowS`-second window per contender (after a 2 s warm-up each). Prints each contender's
 * median rate and server CPU per request with its kernel part (on loopback the kernel time of sending a response
 * includes delivering it to wrk and waking wrk, which costs more when a slower server finds wrk idle), and the median
 * of the rounds' ratios to the baseline (the first contender);
 * returns those ratios by contender name.
 */
export async function interleaved(contenders: Contender[], rounds: number, windowS: number): Promise<Map<string, number[]>> {
  const pids = [...new Set(contenders.map((c) => c.pid))];
  for (const pid of pids) pinToCpu(pid, 0);
  const rates = new Map(contenders.map((c) => [c.name, [] as number[]]));
  const cpu = new Map(contenders.map((c) => [c.name, [] as number[]]));
  const kernel = new Map(contenders.map((c) => [c.name, [] as number[]]));
  try {
    for (const c of contenders) await wrkLoad(c.port, c.request, 2, 32, 1, 1);
    for (let round = 0; round < rounds; round++) {
      for (const c of round % 2 === 0 ? contenders : [...contenders].reverse()) {
        const before = cpuTimes(c.pid);
        const r = await wrkLoad(c.port, c.request, windowS, 32, 1, 1);
        if (r.errors > 0 || r.non2xx > 0) throw new Error(`${c.name}: ${r.errors} errors, ${r.non2xx} non-2xx`);
        const after = cpuTimes(c.pid);
        rates.get(c.name)!.push(r.rps);
        const perRequest = (seconds: number) => (seconds / r.requests) * 1e6;
        cpu.get(c.name)!.push(perRequest(after.user - before.user + after.system - before.system));
        kernel.get(c.name)!.push(perRequest(after.system - before.system));
      }
    }
  } finally {
    for (const pid of pids) unpin(pid);
  }
  const base = rates.get(contenders[0]!.name)!;
  const ratios = new Map<string, number[]>();
  for (const c of contenders) {
    const own = rates.get(c.name)!;
    ratios.set(
      c.name,
      own.map((rps, i) => rps / base[i]!),
    );
    console.log(
      `  ${c.name.padEnd(26)} ${median(own).toFixed(0).padStart(7)} req/s  server CPU ${median(cpu.get(c.name)!).toFixed(1)} µs/request` +
        ` (kernel ${median(kernel.get(c.name)!).toFixed(1)})` +
        (c === contenders[0]
          ? ''
          : `  ratio ${median(ratios.get(c.name)!).toFixed(2)} (quartiles ${quartiles(ratios.get(c.name)!)})`),
    );
  }
  return ratios;
}
