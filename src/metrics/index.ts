// Prometheus metrics at GET /metrics (the text exposition format, through prom-client): process and event-loop
// figures (runtime.ts, under prom-client's default names), the request counters (requests.ts), live streams
// (streams.ts) and the machinery behind them (system.ts). One Registry per app (never prom-client's global one), so
// apps built side by side in one process (tests) keep their own figures. Access as access.ts decides. src/app.ts
// wires the sources, hands the route to the HTTP dispatcher, and closes it when the app stops (nothing it started
// keeps running). With --metrics off app.ts builds none of it.

import { Registry } from 'prom-client';
import type { HttpRequest, HttpResponse } from '../http-types.js';
import { metricsAccess } from './access.js';
import type { LiveStreams, PublishingRendition } from './ports.js';
import { RequestMetrics } from './requests.js';
import { RuntimeMetrics } from './runtime.js';
import { StreamMetrics } from './streams.js';
import { SystemMetrics, type SystemSources } from './system.js';

export const METRICS_PATH = '/metrics';

export interface MetricsOptions extends SystemSources {
  live: LiveStreams;
  /** Bearer token required to scrape; undefined: loopback clients only. */
  token?: string;
}

export class Metrics {
  readonly register = new Registry();
  readonly requests: RequestMetrics;
  private readonly streams: StreamMetrics;
  private readonly system: SystemMetrics;
  private readonly runtime: RuntimeMetrics;
  private readonly access: (req: HttpRequest) => ReturnType<ReturnType<typeof metricsAccess>>;

  constructor(opts: MetricsOptions) {
    this.runtime = new RuntimeMetrics(this.register);
    this.requests = new RequestMetrics(this.register);
    this.streams = new StreamMetrics(this.register, opts.live);
    this.system = new SystemMetrics(this.register, opts);
    this.access = metricsAccess(opts.token);
  }

  /** A stream's renditions started publishing: watch them for the publish delay. */
  watchRendition(rendition: PublishingRendition): void {
    this.streams.watch(rendition);
  }

  readonly transcoderRestarted = (): void => this.system.transcoderRestarted();

  /**
   * Stops, until resume(), what metrics do that no request asks for: the event-loop delay monitor's timer, the GC
   * observer, and observing each part's and segment's publish delay. The request counters keep counting and /metrics
   * keeps answering. bench:metrics alternates paused and running windows in one process, to measure what these cost
   * without the noise of comparing two processes.
   */
  pause(): void {
    this.runtime.stop();
    this.streams.paused = true;
  }

  resume(): void {
    this.runtime.start();
    this.streams.paused = false;
  }

  /** Stops the runtime sampling and empties the registry: the app stopped. */
  close(): void {
    this.runtime.stop();
    this.register.clear();
  }

  handles(rawPath: string): boolean {
    return rawPath === METRICS_PATH;
  }

  async handle(req: HttpRequest, res: HttpResponse): Promise<void> {
    const text = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
      if (req.method === 'HEAD') res.end();
      else res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'Use GET.\n', { allow: 'GET, HEAD' });
    const access = this.access(req);
    if (!access.ok)
      return text(access.status, `${access.message}\n`, access.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
    const body = await this.register.metrics();
    text(200, body, { 'content-type': this.register.contentType });
  }
}
