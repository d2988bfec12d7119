// The process's own health figures for tests and operators on the same machine: the longest
// event-loop delay since the last reading (a stall of the one thread that serves every port shows
// here, whatever caused it) and the resident memory. Read with `GET /_openivs/health?loop` from
// loopback only; each reading starts a new measuring window.

import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface LoopReading {
  /** Longest event-loop delay in the window, in milliseconds (10 ms resolution). */
  maxDelayMs: number;
  /** Mean delay in the window, in milliseconds. */
  meanDelayMs: number;
  /** Resident set size now, in bytes. */
  rssBytes: number;
  /** Length of the window, in milliseconds. */
  windowMs: number;
}

export class LoopMonitor {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private windowStart = Date.now();

  constructor() {
    this.histogram.enable();
  }

  /** The figures since the previous reading; starts a new window. */
  read(): LoopReading {
    const h = this.histogram;
    const now = Date.now();
    const reading: LoopReading = {
      maxDelayMs: h.count === 0 ? 0 : Math.round(h.max / 1e5) / 10,
      meanDelayMs: h.count === 0 ? 0 : Math.round(h.mean / 1e5) / 10,
      rssBytes: process.memoryUsage.rss(),
      windowMs: now - this.windowStart,
    };
    h.reset();
    this.windowStart = now;
    return reading;
  }

  stop(): void {
    this.histogram.disable();
  }
}

/** True for a peer on this machine (IPv4, IPv6 or IPv4-mapped loopback). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
