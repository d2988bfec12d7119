// Process and runtime figures under prom-client's default names (process_*, nodejs_*), stoppable and restartable.
// prom-client's collectDefaultMetrics starts two things it gives no way to stop: an event-loop delay monitor (a libuv
// timer every 10 ms) and a PerformanceObserver on garbage collections. An app that stops (tests build many in one
// process) would leave both running for good. So the collectors that only read at scrape time are taken from
// prom-client one by one, and those two are made here, with the same names, ended by stop() and started again by
// start() (Metrics.pause/resume).

import { createRequire } from 'node:module';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { collectDefaultMetrics, Gauge, Histogram, type Registry } from 'prom-client';

type Collector = (register: Registry, config: object) => void;

/** prom-client's default collectors that start nothing: they read the process when a scrape collects them. */
const READ_AT_SCRAPE = [
  'processCpuTotal',
  'processStartTime',
  'osMemoryHeap',
  'processOpenFileDescriptors',
  'processMaxFileDescriptors',
  'processResources',
  'processHandles',
  'processRequests',
  'heapSizeAndUsed',
  'heapSpacesSizeAndUsed',
  'version',
];
/** The two made here instead. */
const REPLACED = ['eventLoopLag', 'gc'];

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

function defaultCollectors(): Collector[] {
  // A prom-client upgrade that adds a collector must be looked at (does it start anything?), not silently dropped.
  const known = new Set([...READ_AT_SCRAPE, ...REPLACED]);
  const unknown = collectDefaultMetrics.metricsList.filter((name) => !known.has(name));
  if (unknown.length > 0)
    throw new Error(`prom-client has default collectors metrics/runtime.ts does not know: ${unknown.join(', ')}`);
  const require = createRequire(import.meta.url);
  return READ_AT_SCRAPE.filter((name) => collectDefaultMetrics.metricsList.includes(name)).map(
    (name) => require(`prom-client/lib/metrics/${name}`) as Collector,
  );
}

export class RuntimeMetrics {
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });
  private readonly gcObserver: PerformanceObserver;

  constructor(register: Registry) {
    for (const collect of defaultCollectors()) collect(register, {});
    const registers = [register];
    const loop = this.loopDelay;
    const seconds = (ns: number) => (loop.count === 0 ? 0 : ns / 1e9);
    const figures: [string, string, () => number][] = [
      ['nodejs_eventloop_lag_min_seconds', 'The minimum recorded event loop delay.', () => seconds(loop.min)],
      ['nodejs_eventloop_lag_max_seconds', 'The maximum recorded event loop delay.', () => seconds(loop.max)],
      ['nodejs_eventloop_lag_mean_seconds', 'The mean of the recorded event loop delays.', () => seconds(loop.mean)],
      [
        'nodejs_eventloop_lag_stddev_seconds',
        'The standard deviation of the recorded event loop delays.',
        () => seconds(loop.stddev),
      ],
      [
        'nodejs_eventloop_lag_p50_seconds',
        'The 50th percentile of the recorded event loop delays.',
        () => seconds(loop.percentile(50)),
      ],
      [
        'nodejs_eventloop_lag_p90_seconds',
        'The 90th percentile of the recorded event loop delays.',
        () => seconds(loop.percentile(90)),
      ],
      [
        'nodejs_eventloop_lag_p99_seconds',
        'The 99th percentile of the recorded event loop delays.',
        () => seconds(loop.percentile(99)),
      ],
    ];
    const gauges: { gauge: Gauge; read: () => number }[] = [];
    // Registered before the figures it sets: a scrape reads the metrics in the order they were registered, and reads a
    // gauge without a collect at once, so figures registered first would show the previous scrape's window.
    new Gauge({
      name: 'nodejs_eventloop_lag_seconds',
      help: 'Lag of event loop in seconds.',
      registers,
      // One collect reads the delay histogram into every figure, then starts a new window (as prom-client does).
      async collect() {
        for (const { gauge, read } of gauges) gauge.set(read());
        loop.reset();
        const start = process.hrtime.bigint();
        await new Promise<void>((resolve) => setImmediate(resolve));
        this.set(Number(process.hrtime.bigint() - start) / 1e9);
      },
    });
    for (const [name, help, read] of figures) gauges.push({ gauge: new Gauge({ name, help, registers }), read });
    const gc = new Histogram({
      name: 'nodejs_gc_duration_seconds',
      help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
      labelNames: ['kind'],
      buckets: [0.001, 0.01, 0.1, 1, 2, 5],
      registers,
    });
    this.gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const detail = (entry as { detail?: { kind?: number } }).detail;
        const kind = GC_KINDS[detail?.kind ?? -1] ?? 'unknown';
        gc.observe({ kind }, entry.duration / 1000);
      }
    });
    this.start();
  }

  /** Starts (again) the event-loop monitor and the GC observer. */
  start(): void {
    this.loopDelay.enable();
    this.gcObserver.observe({ entryTypes: ['gc'] });
  }

  /** Ends the event-loop monitor and the GC observer. */
  stop(): void {
    this.loopDelay.disable();
    this.gcObserver.disconnect();
  }
}
