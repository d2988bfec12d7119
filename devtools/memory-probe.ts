// A preload for the server process (`node --import dist/devtools/memory-probe.js …`, e.g. through a bench's
// nodeArgs): on SIGUSR2 it writes where the process's memory is, as process.memoryUsage() sees it, to the JSON file
// named by OPENIVS_MEMORY_PROBE (and, with OPENIVS_MEMORY_PROBE_SNAPSHOT=1, a V8 heap snapshot beside it, whose
// ArrayBuffer backing stores `heap-buffers.ts` attributes to their owners). With node's --expose-gc it also runs a
// full GC and writes the figures again (`afterGc`): Buffers that died old wait for a major GC, which V8 starts only
// after ~64 MB more external memory, so the difference is garbage, not what the server holds. Otherwise it changes
// nothing in the process; the server's source is not imported (devtools/ never does). Both flags fit in NODE_OPTIONS.
// readMemoryProbe() is the other end: signal, wait for the file, parse it.

import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';

/** What the probe writes (bytes). */
export interface MemoryProbe {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  /** Memory of C++ objects bound to JavaScript, ArrayBuffer backing stores included. */
  external: number;
  /** ArrayBuffer and SharedArrayBuffer backing stores (Buffers), part of `external`. */
  arrayBuffers: number;
  /** V8's malloced memory (not the heap), from v8.getHeapStatistics(). */
  mallocedMemory: number;
  /** Path of the heap snapshot written with it, if asked for. */
  snapshot?: string;
  /** The same right after a full GC (node --expose-gc only). */
  afterGc?: Omit<MemoryProbe, 'afterGc' | 'snapshot'>;
}

function figures(): Omit<MemoryProbe, 'afterGc' | 'snapshot'> {
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    heapTotal: m.heapTotal,
    heapUsed: m.heapUsed,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    mallocedMemory: getHeapStatistics().malloced_memory,
  };
}

const out = process.env.OPENIVS_MEMORY_PROBE;
if (out) {
  process.on('SIGUSR2', () => {
    const snapshot = process.env.OPENIVS_MEMORY_PROBE_SNAPSHOT === '1' ? writeHeapSnapshot(`${out}.heapsnapshot`) : undefined;
    const probe: MemoryProbe = { ...figures(), ...(snapshot ? { snapshot } : {}) };
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) {
      gc();
      probe.afterGc = figures();
    }
    writeFileSync(`${out}.tmp`, JSON.stringify(probe));
    renameSync(`${out}.tmp`, out); // whole or absent, for the reader polling it
  });
}

/** Signals `pid` (which runs with the probe and OPENIVS_MEMORY_PROBE=`file`) and returns what it wrote. */
export async function readMemoryProbe(pid: number, file: string, timeoutMs = 60_000): Promise<MemoryProbe | undefined> {
  rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as MemoryProbe;
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}
