// The counters the request paths increment: API requests by operation and status with a latency histogram, and
// playback requests by kind and status. Cheap by construction. API: a child metric per label set is looked up once
// and cached in a Map. Playback, the hottest path: plain numbers in a Map per kind, copied into the Prometheus counter
// only when a scrape collects it, because prom-client's own increment builds and checks a label string every time.
// Playback hands the router one counter function per kind, which the code writing a response's status calls
// (src/media/deliver/request-counting.ts).

import { Counter, Histogram, type Registry } from 'prom-client';

/** Seconds; IVS API calls are mostly a few milliseconds, CreateChannel with its key a little more. */
const API_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class RequestMetrics {
  private readonly apiCount: Counter<'operation' | 'status'>;
  private readonly apiSeconds: Histogram<'operation'>;
  private readonly apiChildren = new Map<string, { count: Counter.Internal; seconds: Histogram.Internal<'operation'> }>();
  private readonly playbackCounters = new Map<string, (status: number) => void>();
  /** Requests answered so far, by kind, then by status. */
  private readonly playbackCounts = new Map<string, Map<number, number>>();

  constructor(register: Registry) {
    this.apiCount = new Counter({
      name: 'openivs_api_requests_total',
      help: 'IVS API requests answered, by operation (- when none matched) and HTTP status.',
      labelNames: ['operation', 'status'],
      registers: [register],
    });
    this.apiSeconds = new Histogram({
      name: 'openivs_api_request_duration_seconds',
      help: 'Time to answer an IVS API request (authentication to serialized response), by operation.',
      labelNames: ['operation'],
      buckets: API_BUCKETS,
      registers: [register],
    });
    const playbackCounts = this.playbackCounts;
    new Counter({
      name: 'openivs_playback_requests_total',
      help: 'Playback requests by kind (multivariant, media_playlist, blocking_reload, part, segment, init, other) and HTTP status.',
      labelNames: ['kind', 'status'],
      registers: [register],
      // The counts only grow, so setting the counter to them at each scrape keeps it monotonic.
      collect() {
        this.reset();
        for (const [kind, byStatus] of playbackCounts) {
          for (const [status, n] of byStatus) this.inc({ kind, status: String(status) }, n);
        }
      },
    });
  }

  /** For ApiPipeline: `startedAt` is performance.now() when the request came in. */
  readonly api = (operation: string, status: number, startedAt: number): void => {
    const key = `${operation} ${status}`;
    let child = this.apiChildren.get(key);
    if (child === undefined) {
      child = { count: this.apiCount.labels(operation, String(status)), seconds: this.apiSeconds.labels(operation) };
      this.apiChildren.set(key, child);
    }
    child.count.inc();
    child.seconds.observe((performance.now() - startedAt) / 1000);
  };

  /** For playback: the counter of one kind of request, made once per kind; called with each answer's status. */
  readonly playbackCounter = (kind: string): ((status: number) => void) => {
    let counter = this.playbackCounters.get(kind);
    if (counter === undefined) {
      const byStatus = new Map<number, number>();
      this.playbackCounts.set(kind, byStatus);
      counter = (status: number) => {
        byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      };
      this.playbackCounters.set(kind, counter);
    }
    return counter;
  };
}
