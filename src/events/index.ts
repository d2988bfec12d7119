// Event delivery entry point: turns the sink configuration into sinks, the write side (EventOutbox)
// and the delivery side (Dispatcher). The composition root calls createEvents once, start()s the
// dispatcher after the store is open and stop()s it before closing the store.

import type { Logger } from '../logging.js';
import type { Store } from '../storage/store.js';
import { Dispatcher, type DispatcherOptions } from './dispatcher.js';
import { EventOutbox } from './outbox.js';
import type { RetryPolicy } from './retry.js';
import type { Sink } from './sink.js';
import { EventBridgeSink, type EventBridgeSinkOptions } from './sinks/eventbridge.js';
import { LiveEvents } from './sinks/sse.js';
import { WebhookSink, type WebhookSinkOptions } from './sinks/webhook.js';

export type SinkConfig = ({ kind: 'webhook' } & WebhookSinkOptions) | ({ kind: 'eventbridge' } & EventBridgeSinkOptions);

export interface EventsOptions extends Omit<DispatcherOptions, 'sinks' | 'retry'> {
  store: Store;
  sinks: readonly SinkConfig[];
  log: Logger;
  retry?: Partial<RetryPolicy>;
}

export interface Events {
  outbox: EventOutbox;
  dispatcher: Dispatcher;
  /** Live listeners (SSE endpoint); receives every recorded event after commit. */
  live: LiveEvents;
  sinks: readonly Sink[];
}

export function createSink(config: SinkConfig): Sink {
  switch (config.kind) {
    case 'webhook':
      return new WebhookSink(config);
    case 'eventbridge':
      return new EventBridgeSink(config);
  }
}

export function createEvents(opts: EventsOptions): Events {
  const sinks = opts.sinks.map(createSink);
  const names = sinks.map((s) => s.name);
  // Two sinks with one name would share outbox rows: each event would reach only one of them.
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new Error(`two event sinks have the same target (${dup})`);
  const dispatcher = new Dispatcher({ ...opts, sinks });
  const live = new LiveEvents();
  const outbox = new EventOutbox(names, live, () => dispatcher.wake());
  return { outbox, dispatcher, live, sinks };
}

export * from './envelope.js';
export { Dispatcher, type DispatcherOptions } from './dispatcher.js';
export { EventOutbox, type Emit } from './outbox.js';
export { backoffDelay, DEFAULT_RETRY, retryPolicy, type RetryPolicy } from './retry.js';
export { sinkName, type Delivery, type Sink } from './sink.js';
export { EventBridgeSink, toPutEventsEntry, type EventBridgeSinkOptions } from './sinks/eventbridge.js';
export { formatSse, LiveEvents, type EventListener } from './sinks/sse.js';
export { signWebhook, verifyWebhookSignature, WebhookSink, type WebhookSinkOptions } from './sinks/webhook.js';
