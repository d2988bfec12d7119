// In-process fan-out of events to live listeners, for a server-sent-events endpoint
// (/_openivs/events) and local tools. Nothing is persisted and nothing is retried: a listener sees
// the events recorded while it is subscribed, after their transaction committed.

import type { IvsEventEnvelope } from '../envelope.js';

export type EventListener = (envelope: IvsEventEnvelope<object>) => void;

export class LiveEvents {
  readonly #listeners = new Set<EventListener>();

  /** Returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  publish(envelopes: readonly IvsEventEnvelope<object>[]): void {
    for (const env of envelopes) {
      for (const listener of this.#listeners) {
        // One broken listener (a closed socket) must not stop the others or the caller.
        try {
          listener(env);
        } catch {
          this.#listeners.delete(listener);
        }
      }
    }
  }
}

/** One SSE message: the event id (for Last-Event-ID), its detail-type as the event name, the JSON. */
export function formatSse(envelope: IvsEventEnvelope<object>): string {
  return `id: ${envelope.id}\nevent: ${envelope['detail-type']}\ndata: ${JSON.stringify(envelope)}\n\n`;
}
