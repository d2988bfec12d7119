// A scraper of GET /metrics every `intervalMs` while it runs (first at once), as a Prometheus with that
// scrape_interval would; keeps each scrape's latency and the size of the latest body.

import { setTimeout as sleep } from 'node:timers/promises';

export interface ScrapeReport {
  /** Latency of each successful scrape, ms. */
  ms: number[];
  /** Size of the latest body, bytes. */
  bytes: number;
  failures: number;
}

export function scrapeEvery(url: string, intervalMs: number): { stop(): Promise<ScrapeReport> } {
  let running = true;
  const report: ScrapeReport = { ms: [], bytes: 0, failures: 0 };
  const stopped = new AbortController();
  const done = (async () => {
    while (running) {
      const next = sleep(intervalMs, undefined, { signal: stopped.signal }).catch(() => undefined);
      const t0 = performance.now();
      try {
        const res = await fetch(url);
        const body = await res.text();
        if (res.status === 200) {
          report.ms.push(performance.now() - t0);
          report.bytes = Buffer.byteLength(body);
        } else report.failures++;
      } catch {
        report.failures++;
      }
      await next;
    }
  })();
  return {
    stop: async () => {
      running = false;
      stopped.abort();
      await done;
      return report;
    },
  };
}
