// The counters the request paths increment: API requests by operation and status with a latency histogram, and
// playback requests by kind and status. Cheap by construction: both count in plain numbers, in a Map per operation
// or kind, copied into the Prometheus counter only when a scrape collects it, because prom-client's own increment
// and observe build and check a label key on every call (profiled on both paths: ~3 µs per API request under load).
// Each path asks once per operation or kind for its counting function and keeps it: playback hands the router one
// per kind, which the code writing a response's status calls (src/media/deliver/request-counting.ts).

import { Counter, type Registry } from 'prom-client';
import { PlainHistogram } from './plain-histogram.js';

/** Seconds; IVS API calls are mostly a few milliseconds, CreateChannel with its key a little more. */
const API_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** A counter of answers by one label and HTTP status, in plain numbers until a scrape. */
class StatusCounts {
  private readonly counters = new Map<string, (status: number) => void>();
  /** Answers so far, by the first label's value: 200s in a number (most answers; no Map update), the rest by status. */
  private readonly counts = new Map<string, { ok: { n: number }; byStatus: Map<number, number> }>();

  constructor(register: Registry, name: string, help: string, label: string) {
    const counts = this.counts;
    new Counter({
      name,
      help,
      labelNames: [label, 'status'],
      registers: [register],
      // The counts only grow, so setting the counter to them at each scrape keeps it monotonic.
      collect() {
        this.reset();
        for (const [value, { ok, byStatus }] of counts) {
          if (ok.n > 0) this.inc({ [label]: value, status: '200' }, ok.n);
          for (const [status, n] of byStatus) this.inc({ [label]: value, status: String(status) }, n);
        }
      },
    });
  }

  /** The counting function of one label value, made once per value; called with each answer's status. */
  counterFor(value: string): (status: number) => void {
    let counter = this.counters.get(value);
    if (counter === undefined) {
      const ok = { n: 0 };
      const byStatus = new Map<number, number>();
      this.counts.set(value, { ok, byStatus });
      counter = (status: number) => {
        if (status === 200) ok.n++;
        else byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      };
      this.counters.set(value, counter);
    }
    return counter;
  }
}

export class RequestMetrics {
  private readonly apiCounts: StatusCounts;
  private readonly apiSeconds: PlainHistogram;
  private readonly apiRecorders = new Map<string, { count: (status: number) => void; seconds: (value: number) => void }>();
  private readonly playbackCounts: StatusCounts;

  constructor(register: Registry) {
    this.apiCounts = new StatusCounts(
      register,
      'openivs_api_requests_total',
      'IVS API requests answered, by operation (- when none matched) and HTTP status.',
      'operation',
    );
    this.apiSeconds = new PlainHistogram(
      'openivs_api_request_duration_seconds',
      'Time to answer an IVS API request (authentication to serialized response), by operation.',
      'operation',
      API_BUCKETS,
      register,
    );
    this.playbackCounts = new StatusCounts(
      register,
      'openivs_playback_requests_total',
      'Playback requests by kind (multivariant, media_playlist, blocking_reload, part, segment, init, other) and HTTP status.',
      'kind',
    );
  }

  /** For ApiPipeline: `startedAt` is performance.now() when the request came in. */
  readonly api = (operation: string, status: number, startedAt: number): void => {
    let recorders = this.apiRecorders.get(operation);
    if (recorders === undefined) {
      recorders = { count: this.apiCounts.counterFor(operation), seconds: this.apiSeconds.recorder(operation) };
      this.apiRecorders.set(operation, recorders);
    }
    recorders.count(status);
    recorders.seconds((performance.now() - startedAt) / 1000);
  };

  /** For playback: the counter of one kind of request, made once per kind; called with each answer's status. */
  readonly playbackCounter = (kind: string): ((status: number) => void) => this.playbackCounts.counterFor(kind);
}
