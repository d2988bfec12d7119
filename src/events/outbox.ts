// The write side of event delivery. Events are written as outbox rows in the caller's transaction,
// so an event exists exactly when the state change it describes committed: a crash can delay an
// event but never lose it or announce something that was rolled back. After the commit, notify()
// wakes the dispatcher (no need to wait for its poll) and hands the events to live listeners.

import type { Store } from '../storage/store.js';
import type { IvsEventEnvelope } from './envelope.js';
import type { LiveEvents } from './sinks/sse.js';

type Envelope = IvsEventEnvelope<object>;
export type Emit = (...envelopes: Envelope[]) => Promise<void>;

export class EventOutbox {
  constructor(
    /** Names of the persistent sinks: one row per event and sink. */
    private readonly sinkNames: readonly string[],
    private readonly live: LiveEvents,
    private readonly wake: () => void,
  ) {}

  /**
   * Writes the envelopes for every sink through tx (a transaction store, or the root store for a
   * standalone write). Call notify(envelopes) once the transaction has committed.
   */
  async record(tx: Store, envelopes: readonly Envelope[]): Promise<void> {
    await tx.outbox.enqueue(envelopes, this.sinkNames);
  }

  /** After commit: publishes to live listeners and nudges the dispatcher. Never throws. */
  notify(envelopes: readonly Envelope[] = []): void {
    if (envelopes.length > 0) this.live.publish(envelopes);
    this.wake();
  }

  /**
   * Runs fn in a new transaction on the root store; events passed to emit are written in it and
   * announced only after it commits (nothing is announced when fn throws). Give it the root store:
   * on a transaction store the call joins that transaction, and the announcement would precede
   * the outer commit.
   */
  async transaction<T>(store: Store, fn: (tx: Store, emit: Emit) => Promise<T>): Promise<T> {
    const emitted: Envelope[] = [];
    const result = await store.transaction((tx) =>
      fn(tx, async (...envelopes) => {
        await this.record(tx, envelopes);
        emitted.push(...envelopes);
      }),
    );
    this.notify(emitted);
    return result;
  }
}
