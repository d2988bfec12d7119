// Delivers outbox rows to their sinks, at least once.
//
// Each sink is a FIFO lane: rows go out one at a time in id order, and a failing row holds back the
// rows behind it until it succeeds or is abandoned (retry.maxAgeMs). So a receiver sees Session
// Created → Stream Start → Stream End → Session Ended in order, though a retry after an ambiguous
// failure (timeout) can still repeat an event. Lanes run in parallel up to `concurrency`.
//
// Rows live in the store, so nothing is lost on restart: start() resumes whatever is pending. A
// lane wakes on notify(), on its next row's retry time, and on a slow poll (a backstop for rows
// written without notify, e.g. by another process sharing a PostgreSQL database).
//
// Several nodes on one PostgreSQL: a lane drains only while it holds the sink's grant (LaneGrant), so
// one dispatcher at a time delivers a sink's rows. A dispatcher that finds the lane taken leaves the
// rows to the holder, which re-reads the queue after releasing the grant (so rows committed while it
// held the lane are not stranded), and tries again when the grant would expire (a dead holder).

import { randomUUID } from 'node:crypto';
import type { Logger } from '../logging.js';
import type { OutboxRow } from '../storage/store-events.js';
import type { Store } from '../storage/store.js';
import { LaneGrant } from './lane-grant.js';
import { backoffDelay, retryPolicy, type RetryPolicy } from './retry.js';
import { describeError, type Sink } from './sink.js';
import { Semaphore, sleep } from './concurrency.js';

export interface DispatcherOptions {
  store: Store;
  sinks: readonly Sink[];
  log: Logger;
  retry?: Partial<RetryPolicy>;
  /** Deliveries in flight at once, across sinks (each sink has at most one). Default 4. */
  concurrency?: number;
  /** Rows read per query. Default 20. */
  batchSize?: number;
  /** Backstop poll. Default 5 s. */
  pollIntervalMs?: number;
  /** Delivered and abandoned rows are pruned after this long. Default 24 h. */
  retentionMs?: number;
  /** Who holds lane grants (shared database): unique per dispatcher. Default: a random id. */
  holder?: string;
  /** Lane grants last this long unless renewed (shared database). Default 30 s. */
  laneTtlMs?: number;
}

/** How a delivery attempt left the lane. */
type Outcome = 'next' | 'retry' | 'lost';

interface Lane {
  sink: Sink;
  /** Set by kick(); a running lane re-reads the queue while it is set. */
  dirty: boolean;
  active: boolean;
  done: Promise<void>;
  timer: NodeJS.Timeout | undefined;
  timerAt: number;
}

export class Dispatcher {
  readonly #store: Store;
  readonly #log: Logger;
  readonly #retry: RetryPolicy;
  readonly #lanes: Lane[];
  readonly #batch: number;
  readonly #pollMs: number;
  readonly #retentionMs: number;
  readonly #slots: Semaphore;
  readonly #holder: string;
  readonly #laneTtlMs: number;
  /** One life only: stop() closes the sinks' connections, so a stopped dispatcher cannot restart. */
  #state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  readonly #abort = new AbortController();
  #poll: NodeJS.Timeout | undefined;
  #lastPrune = 0;
  /** Failed deliveries by sink (each retry counts; `abandoned`: given up on), for metrics. */
  readonly failures = new Map<string, { retried: number; abandoned: number }>();

  constructor(opts: DispatcherOptions) {
    this.#store = opts.store;
    this.#log = opts.log;
    this.#retry = retryPolicy(opts.retry);
    this.#batch = opts.batchSize ?? 20;
    this.#pollMs = opts.pollIntervalMs ?? 5_000;
    this.#retentionMs = opts.retentionMs ?? 24 * 60 * 60_000;
    this.#slots = new Semaphore(opts.concurrency ?? 4);
    this.#holder = opts.holder ?? `dispatcher:${randomUUID()}`;
    this.#laneTtlMs = opts.laneTtlMs ?? 30_000;
    this.#lanes = opts.sinks.map((sink) => ({
      sink,
      dirty: false,
      active: false,
      done: Promise.resolve(),
      timer: undefined,
      timerAt: 0,
    }));
  }

  get running(): boolean {
    return this.#state === 'running';
  }

  /** Resumes pending deliveries (from earlier runs too) and starts watching for new ones. */
  async start(): Promise<void> {
    if (this.#state === 'running') return;
    if (this.#state !== 'idle') throw new Error('a stopped dispatcher cannot be restarted; create a new one');
    this.#state = 'running';
    await this.#reportOrphans();
    this.#poll = setInterval(() => this.#tick(), this.#pollMs).unref();
    this.wake();
  }

  /** Nudges every lane to look for due rows (EventOutbox.notify calls this after a commit). */
  wake(): void {
    for (const lane of this.#lanes) this.#kick(lane);
  }

  /**
   * Stops taking new rows and waits up to timeoutMs for deliveries in flight; after that they are
   * aborted and stay pending (delivered again on the next start: at-least-once).
   */
  async stop(timeoutMs = 5_000): Promise<void> {
    if (this.#state !== 'running') return;
    this.#state = 'stopping';
    clearInterval(this.#poll);
    for (const lane of this.#lanes) {
      clearTimeout(lane.timer);
      lane.timer = undefined;
    }
    const drained = Promise.all(this.#lanes.map((l) => l.done)).then(() => true);
    if (!(await Promise.race([drained, sleep(timeoutMs, false)]))) {
      this.#log.warn({ timeoutMs }, 'events: aborting deliveries still in flight at stop');
      this.#abort.abort(new Error('dispatcher stopped'));
      await Promise.race([drained, sleep(1_000, false)]);
    }
    for (const lane of this.#lanes) lane.sink.close?.();
    this.#state = 'stopped';
  }

  #kick(lane: Lane): void {
    if (this.#state !== 'running') return;
    lane.dirty = true;
    if (lane.active) return;
    lane.active = true;
    lane.done = this.#runLane(lane);
  }

  async #runLane(lane: Lane): Promise<void> {
    try {
      while (lane.dirty && this.#state === 'running') {
        lane.dirty = false;
        await this.#drain(lane);
      }
    } catch (err) {
      // A store error (database busy or closing): leave the rows and let the poll try again.
      this.#log.error({ sink: lane.sink.name, err: describeError(err) }, 'events: outbox read/write failed');
    } finally {
      lane.active = false;
    }
  }

  /** Delivers the lane's due rows in id order while holding its grant, until the queue is empty or its head must wait. */
  async #drain(lane: Lane): Promise<void> {
    const lanes = this.#store.outboxLanes;
    const grant = await LaneGrant.claim(lanes, lane.sink.name, this.#holder, this.#laneTtlMs);
    if (grant === undefined) {
      // Another dispatcher delivers (and re-reads after it lets go); come back if it dies holding on.
      const wait = await lanes.expiresIn(lane.sink.name);
      this.#log.debug({ sink: lane.sink.name, retryInMs: wait }, 'events: lane held by another dispatcher');
      return this.#schedule(lane, Date.now() + Math.min(Math.max(wait, 100), this.#pollMs));
    }
    try {
      await this.#drainHolding(lane, grant);
    } finally {
      await grant.release();
    }
    // Rows another node committed while this one held the lane were left to it: look once more.
    if (this.#store.shared && this.#state === 'running') {
      const [head] = await this.#store.outbox.pendingFor(lane.sink.name, 1);
      if (head !== undefined) {
        if (head.nextAttemptAt <= Date.now()) lane.dirty = true;
        else this.#schedule(lane, head.nextAttemptAt);
      }
    }
  }

  async #drainHolding(lane: Lane, grant: LaneGrant): Promise<void> {
    for (;;) {
      const rows = await this.#store.outbox.pendingFor(lane.sink.name, this.#batch);
      if (rows.length === 0) return;
      for (const row of rows) {
        if (this.#state !== 'running') return;
        if (row.nextAttemptAt > Date.now()) return this.#schedule(lane, row.nextAttemptAt);
        if (!(await grant.ensure())) return this.#lost(lane);
        const outcome = await this.#deliver(lane, row, grant);
        if (outcome === 'lost') return this.#lost(lane);
        // On failure, re-read: the head now carries its retry time and will be scheduled.
        if (outcome === 'retry') break;
      }
    }
  }

  #lost(lane: Lane): void {
    this.#log.warn({ sink: lane.sink.name }, 'events: lost the delivery lane to another dispatcher');
  }

  async #deliver(lane: Lane, row: OutboxRow, grant: LaneGrant): Promise<Outcome> {
    const attempt = row.attempts + 1;
    const sink = lane.sink.name;
    await this.#slots.acquire();
    let failure: unknown;
    try {
      await lane.sink.deliver({ eventId: row.eventId, payload: row.payload, attempt }, grant.signal(this.#abort.signal));
    } catch (err) {
      failure = err;
    } finally {
      this.#slots.release();
    }
    const now = Date.now();
    if (failure === undefined) {
      if (!(await this.#store.outbox.markDelivered(row.id, now, grant.lease))) return 'lost';
      this.#log.debug({ sink, eventId: row.eventId, attempt }, 'events: delivered');
      return 'next';
    }
    // Aborted by stop(): not the receiver's fault, so the attempt is not counted.
    if (this.#abort.signal.aborted) return 'retry';
    const error = describeError(failure);
    const failures = this.failures.get(sink) ?? { retried: 0, abandoned: 0 };
    this.failures.set(sink, failures);
    if (now - row.createdAt >= this.#retry.maxAgeMs) {
      failures.abandoned++;
      if (!(await this.#store.outbox.abandon(row.id, now, error, grant.lease))) return 'lost';
      this.#log.error({ sink, eventId: row.eventId, attempt, error }, 'events: giving up on event');
      return 'next';
    }
    failures.retried++;
    const next = now + backoffDelay(this.#retry, attempt);
    if (!(await this.#store.outbox.markFailed(row.id, next, error, grant.lease))) return 'lost';
    this.#log.warn({ sink, eventId: row.eventId, attempt, retryInMs: next - now, error }, 'events: delivery failed');
    return 'retry';
  }

  #schedule(lane: Lane, at: number): void {
    if (lane.timer !== undefined && lane.timerAt <= at) return;
    clearTimeout(lane.timer);
    lane.timerAt = at;
    lane.timer = setTimeout(
      () => {
        lane.timer = undefined;
        this.#kick(lane);
      },
      Math.max(0, at - Date.now()),
    ).unref();
  }

  #tick(): void {
    this.wake();
    const now = Date.now();
    if (now - this.#lastPrune < Math.min(this.#retentionMs, 10 * 60_000)) return;
    this.#lastPrune = now;
    this.#store.outbox.prune(now - this.#retentionMs).catch((err: unknown) => {
      this.#log.warn({ err: describeError(err) }, 'events: pruning the outbox failed');
    });
  }

  /** Rows left for sinks no longer configured would wait forever; say so once at start. */
  async #reportOrphans(): Promise<void> {
    const known = new Set(this.#lanes.map((l) => l.sink.name));
    for (const sink of await this.#store.outbox.pendingSinks()) {
      const pending = await this.#store.outbox.pendingCount(sink);
      if (known.has(sink)) this.#log.info({ sink, pending }, 'events: resuming pending deliveries');
      else this.#log.warn({ sink, pending }, 'events: pending events for a sink that is no longer configured');
    }
  }
}
