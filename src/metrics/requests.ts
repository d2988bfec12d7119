// The counters the request paths increment: API requests by operation and status with a latency histogram, and
// playback requests by kind and status. Cheap by construction: a child metric per label set is looked up once and
// cached in a Map, so a request costs a Map lookup and an increment. Playback hands the router one counter function
// per kind, which the code writing a response's status calls (src/media/deliver/request-counting.ts).

import { Counter, Histogram, type Registry } from 'prom-client';

/** Seconds; IVS API calls are mostly a few milliseconds, CreateChannel with its key a little more. */
const API_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class RequestMetrics {
  private readonly apiCount: Counter<'operation' | 'status'>;
  private readonly apiSeconds: Histogram<'operation'>;
  private readonly playbackCount: Counter<'kind' | 'status'>;
  private readonly apiChildren = new Map<string, { count: Counter.Internal; seconds: Histogram.Internal<'operation'> }>();
  private readonly playbackCounters = new Map<string, (status: number) => void>();

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
    this.playbackCount = new Counter({
      name: 'openivs_playback_requests_total',
      help: 'Playback requests by kind (multivariant, media_playlist, blocking_reload, part, segment, init, other) and HTTP status.',
      labelNames: ['kind', 'status'],
      registers: [register],
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
      const byStatus = new Map<number, Counter.Internal>();
      counter = (status: number) => {
        let child = byStatus.get(status);
        if (child === undefined) {
          child = this.playbackCount.labels(kind, String(status));
          byStatus.set(status, child);
        }
        child.inc();
      };
      this.playbackCounters.set(kind, counter);
    }
    return counter;
  };
}
