// The dispatcher's hold on one sink's delivery lane (store.outboxLanes): claimed before a drain,
// renewed before each delivery while less than half of it is left, released after. Where several
// nodes share the database this makes one dispatcher at a time deliver a sink's events, in order; a
// delivery is aborted before the grant could expire under it, so a dispatcher that takes over an
// expired lane never sends at the same time as the one it replaced. On SQLite the grant is local and
// unlimited, and all of this is a no-op.

import type { LaneLease, OutboxLaneRepository } from '../storage/store-cluster.js';

/** A delivery ends this long before the grant would expire (less for very short grants). */
const SAFETY_MARGIN_MS = 1_000;

export class LaneGrant {
  #lease: LaneLease;
  /** performance.now() by which the grant has expired, counted from before it was requested. */
  #deadline: number;

  private constructor(
    private readonly lanes: OutboxLaneRepository,
    private readonly ttlMs: number,
    lease: LaneLease,
    requestedAt: number,
  ) {
    this.#lease = lease;
    this.#deadline = requestedAt + lease.validForMs;
  }

  /** The grant, or undefined while another dispatcher holds the lane. */
  static async claim(lanes: OutboxLaneRepository, sink: string, holder: string, ttlMs: number): Promise<LaneGrant | undefined> {
    const requestedAt = performance.now();
    const lease = await lanes.claim(sink, holder, ttlMs);
    return lease === undefined ? undefined : new LaneGrant(lanes, ttlMs, lease, requestedAt);
  }

  /** What the outbox's mark* methods check. */
  get lease(): LaneLease {
    return this.#lease;
  }

  /** Renews the grant when less than half of it is left; false when it was lost. */
  async ensure(): Promise<boolean> {
    if (this.#deadline - performance.now() > this.ttlMs / 2) return true;
    const requestedAt = performance.now();
    const renewed = await this.lanes.renew(this.#lease, this.ttlMs);
    if (renewed === undefined) return false;
    this.#lease = renewed;
    this.#deadline = requestedAt + renewed.validForMs;
    return true;
  }

  /** base, plus an abort before the grant expires (none for an unlimited grant). */
  signal(base: AbortSignal): AbortSignal {
    if (!Number.isFinite(this.#deadline)) return base;
    const left = Math.floor(Math.max(0, this.#deadline - performance.now() - Math.min(SAFETY_MARGIN_MS, this.ttlMs / 10)));
    return AbortSignal.any([base, AbortSignal.timeout(left)]);
  }

  release(): Promise<void> {
    return this.lanes.release(this.#lease);
  }
}
