// The transcode slots this node holds for other nodes (cluster): a peer reserves one (POST
// /_openivs/node/transcode/reserve) before it accepts a publish it cannot transcode itself, then opens the relay
// with the reservation id. A reservation takes a real slot at once (so heartbeats show it taken and a second peer
// cannot race for it), is single-use and bound to the node that made it, and expires when unused: a peer that
// vanishes between the two steps cannot leak the slot.

import { randomBytes } from 'node:crypto';

/** This node's slot counter (TranscodeService, wired by app.ts). */
export interface TranscodeSlots {
  reserve(): boolean;
  release(): void;
}

interface Held {
  nodeId: string;
  timer: NodeJS.Timeout;
}

/** Long enough for the publisher's first keyframe to arrive (the relay opens then), short enough not to leak. */
const DEFAULT_TTL_MS = 30_000;

export class TranscodeReservations {
  readonly #held = new Map<string, Held>();

  constructor(
    private readonly slots: TranscodeSlots,
    private readonly ttlMs = DEFAULT_TTL_MS,
  ) {}

  /** A reservation id for nodeId, or undefined when this node has no free slot. */
  reserve(nodeId: string): string | undefined {
    if (!this.slots.reserve()) return undefined;
    const id = randomBytes(16).toString('hex');
    const timer = setTimeout(() => this.release(id, nodeId), this.ttlMs);
    timer.unref();
    this.#held.set(id, { nodeId, timer });
    return id;
  }

  /**
   * Takes a reservation for its relay: true once per id, for the node that made it. The slot then belongs to the
   * relay, which releases it (`slots.release()`) when it ends.
   */
  consume(id: string, nodeId: string): boolean {
    const held = this.#held.get(id);
    if (held === undefined || held.nodeId !== nodeId) return false;
    clearTimeout(held.timer);
    this.#held.delete(id);
    return true;
  }

  /** Gives back a reservation never used (the publish it was for did not go live); false when unknown. */
  release(id: string, nodeId: string): boolean {
    if (!this.consume(id, nodeId)) return false;
    this.slots.release();
    return true;
  }

  get size(): number {
    return this.#held.size;
  }

  /** Releases every unused reservation (node shutdown). */
  clear(): void {
    for (const [id, held] of this.#held) this.release(id, held.nodeId);
  }
}
