// A scraper of GET /metrics every second while it runs, as a Prometheus with scrape_interval 1s would; keeps each
// scrape's latency and the size of the latest body.

import { sleep } from './processes.js';

export interface ScrapeReport {
  /** Latency of each successful scrape, ms. */
  ms: number[];
  /** Size of the latest body, bytes. */
  bytes: number;
  failures: number;
}

export function scrapeEverySecond(url: string): { stop(): Promise<ScrapeReport> } {
  let running = true;
  const report: ScrapeReport = { ms: [], bytes: 0, failures: 0 };
  const done = (async () => {
    while (running) {
      const next = sleep(1_000);
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
      await done;
      return report;
    },
  };
}
