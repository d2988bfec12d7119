// GET /_openivs/events: the caller's account and region's events as Server-Sent Events (text/event-stream), for
// the console's event pane and for applications (a local stand-in for EventBridge rules). Authenticated with SigV4
// like the API, usually as a presigned URL since EventSource cannot set headers; a presigned stream ends when its
// URL expires (the client signs a new URL and reconnects, with lastEventId to resume). Optional filters:
// channelArn, detailType. Each message is `id: <event id>`, `event: <detail-type>`, `data: <EventBridge envelope>`.
// Bounded: connections per account and in all, bytes queued for a slow reader (past it the stream is closed).

import { ServerResponse } from 'node:http';
import { throttled, validation } from '../../domain/errors.js';
import { formatSse } from '../../events/sinks/sse.js';
import type { HttpRequest, HttpResponse } from '../../http-types.js';
import type { Authenticated } from '../auth.js';
import { CORS_HEADERS } from '../http.js';
import type { EventFeed, FeedFilter } from './event-feed.js';

export const EVENT_STREAM_LIMITS = {
  perAccount: 50,
  total: 1_000,
  /** Unsent bytes a reader may fall behind by before its stream is closed. */
  maxQueuedBytes: 1024 * 1024,
  heartbeatMs: 15_000,
  /** Reconnection delay suggested to EventSource. */
  retryMs: 2_000,
};

const DETAIL_TYPES = new Set([
  'IVS Stream State Change',
  'IVS Stream Health Change',
  'IVS Limit Breach',
  'IVS Recording State Change',
]);

export class EventStreams {
  private readonly open = new Set<() => void>();

  constructor(
    private readonly feed: EventFeed,
    private readonly limits = EVENT_STREAM_LIMITS,
  ) {}

  /** Validates and admits before any byte of the stream is written: errors are still JSON responses. */
  start(req: HttpRequest, res: HttpResponse, caller: Authenticated, query: URLSearchParams): void {
    const filter = filterOf(caller, query);
    if (this.feed.size >= this.limits.total || this.feed.countFor(caller.account) >= this.limits.perAccount) {
      throw throttled('Too many event streams are open for this account');
    }
    const lastEventId = headerValue(req.headers['last-event-id']) ?? query.get('lastEventId') ?? undefined;
    // HTTP/1.1: the connection closes with the stream, so a server draining for shutdown is not kept waiting.
    if (res instanceof ServerResponse) res.shouldKeepAlive = false;
    res.writeHead(200, {
      ...CORS_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no', // nginx in front: do not buffer the stream
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    let closed = false;
    let unsubscribe = () => {};
    let heartbeat: NodeJS.Timeout | undefined = undefined; // set once the stream is subscribed
    let expiry: NodeJS.Timeout | undefined;
    const close = () => {
      if (closed) return;
      closed = true;
      unsubscribe();
      clearInterval(heartbeat);
      clearTimeout(expiry);
      this.open.delete(close);
      res.end();
    };
    const write = (text: string) => {
      if (closed) return;
      (res as { write(chunk: string): boolean }).write(text);
      if (res.writableLength > this.limits.maxQueuedBytes) close();
    };
    this.open.add(close);
    write(`retry: ${this.limits.retryMs}\n: openivs events for account ${caller.account} in ${caller.region}\n\n`);
    if (lastEventId !== undefined) for (const env of this.feed.replay(filter, lastEventId)) write(formatSse(env));
    if (closed) return;
    unsubscribe = this.feed.subscribe(filter, (env) => write(formatSse(env)));
    heartbeat = setInterval(() => write(': keep-alive\n\n'), this.limits.heartbeatMs);
    heartbeat.unref();
    if (caller.expiresAt !== undefined) {
      expiry = setTimeout(close, Math.max(0, caller.expiresAt - Date.now()));
      expiry.unref();
    }
    res.on('close', close);
    req.on('error', close);
  }

  get count(): number {
    return this.open.size;
  }

  /** Ends every stream (server shutdown), so draining does not wait for them. */
  closeAll(): void {
    for (const close of [...this.open]) close();
  }
}

function filterOf(caller: Authenticated, query: URLSearchParams): FeedFilter {
  const filter: FeedFilter = { account: caller.account, region: caller.region };
  const channelArn = query.get('channelArn');
  if (channelArn !== null && channelArn !== '') {
    if (channelArn.length > 128)
      throw validation("Value at 'channelArn' failed to satisfy constraint: Member must have length less than or equal to 128");
    filter.channelArn = channelArn;
  }
  const detailType = query.get('detailType');
  if (detailType !== null && detailType !== '') {
    if (!DETAIL_TYPES.has(detailType)) {
      throw validation(
        `Value '${detailType.slice(0, 100)}' at 'detailType' failed to satisfy constraint: Member must be one of ${[...DETAIL_TYPES].join(', ')}`,
      );
    }
    filter.detailType = detailType;
  }
  return filter;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return typeof v === 'string' && v.length <= 256 ? v : undefined;
}
