// The account-scoped live event feed behind GET /_openivs/events: subscribes once to the in-process fan-out
// (events/sinks/sse.ts), keeps the latest events in a bounded ring so a reconnecting client can resume after the
// id it last saw (Last-Event-ID), and hands each event to the subscribers of its account and region whose filters
// (channel ARN, detail-type) it matches. Nothing is persisted: the webhook and EventBridge sinks are the durable
// paths.

import type { Scope } from '../../domain/context.js';
import type { IvsEventEnvelope } from '../../events/envelope.js';
import type { EventFanOut } from '../ports.js';

export type Envelope = IvsEventEnvelope<object>;

export interface FeedFilter extends Scope {
  channelArn?: string;
  detailType?: string;
}

export const RING_CAPACITY = 1_000;

export function matches(filter: FeedFilter, env: Envelope): boolean {
  return (
    env.account === filter.account &&
    env.region === filter.region &&
    (filter.channelArn === undefined || env.resources.includes(filter.channelArn)) &&
    (filter.detailType === undefined || env['detail-type'] === filter.detailType)
  );
}

export class EventFeed {
  private readonly ring: Envelope[] = [];
  private readonly subscribers = new Set<{ filter: FeedFilter; deliver: (env: Envelope) => void }>();
  private readonly unsubscribe: () => void;

  constructor(
    source: EventFanOut,
    private readonly capacity = RING_CAPACITY,
  ) {
    this.unsubscribe = source.subscribe((env) => this.publish(env));
  }

  /** Events after `lastEventId` that match; all buffered matches when the id is unknown (it fell out of the ring). */
  replay(filter: FeedFilter, lastEventId: string): Envelope[] {
    const at = this.ring.findIndex((e) => e.id === lastEventId);
    return this.ring.slice(at + 1).filter((e) => matches(filter, e));
  }

  subscribe(filter: FeedFilter, deliver: (env: Envelope) => void): () => void {
    const entry = { filter, deliver };
    this.subscribers.add(entry);
    return () => this.subscribers.delete(entry);
  }

  /** Subscribers of one account (connection limits). */
  countFor(account: string): number {
    let n = 0;
    for (const s of this.subscribers) if (s.filter.account === account) n++;
    return n;
  }

  get size(): number {
    return this.subscribers.size;
  }

  close(): void {
    this.unsubscribe();
    this.subscribers.clear();
  }

  private publish(env: Envelope): void {
    this.ring.push(env);
    if (this.ring.length > this.capacity) this.ring.shift();
    for (const s of this.subscribers) {
      if (!matches(s.filter, env)) continue;
      try {
        s.deliver(env);
      } catch {
        this.subscribers.delete(s); // a broken connection must not stop the others
      }
    }
  }
}
