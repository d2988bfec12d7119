// Failover: the leases of a node that died (kill -9, power loss, cut off from the database) expire a
// few seconds after its last heartbeat; every node sweeps for expired leases once a second and takes
// each over exactly once (ChannelLeaseRepository.stealExpired: row locks and the epoch make the
// takeover unique across nodes). The new holder ends the open sessions of the channel (Stream End and
// Session Ended once each, fenced by its grant) and releases the lease, so the channel can be
// published again on any node.
//
// A node only sweeps once its own heartbeats have succeeded for a whole lease lifetime: after a
// database outage every lease looks expired, and the owners must get the chance to renew theirs
// (their first heartbeat does) before anyone takes them over.

import type { Logger } from '../logging.js';
import type { ChannelLease, LeaseRef, Store } from '../storage/store.js';

export interface FailoverOptions {
  store: Store;
  nodeId: string;
  ttlMs: number;
  log: Logger;
  /** Epoch ms since when this node's heartbeats have succeeded without a failure; undefined while failing. */
  steadySince: () => number | undefined;
  /** Ends the channel's open sessions, fenced by `lease` (inside the store transaction that writes them). */
  endSessions: (channelArn: string, lease: LeaseRef, previousNodeId: string) => Promise<number>;
  sweepMs?: number;
}

const BATCH = 20;

export class FailoverSweeper {
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #sweep: Promise<void> = Promise.resolve();

  constructor(private readonly opts: FailoverOptions) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#sweep;
  }

  /** One sweep; returns how many leases were taken over. */
  async sweepOnce(): Promise<number> {
    const { store, nodeId, ttlMs, log } = this.opts;
    const steady = this.opts.steadySince();
    if (steady === undefined || Date.now() - steady < ttlMs) return 0;
    const taken = await store.channelLeases.stealExpired(nodeId, ttlMs, BATCH);
    for (const { lease, previousNodeId } of taken) await this.#end(lease, previousNodeId);
    if (taken.length > 0) log.info({ taken: taken.length }, 'cluster: took over the channels of a dead node');
    return taken.length;
  }

  async #end(lease: ChannelLease, previousNodeId: string): Promise<void> {
    const ref: LeaseRef = { channelArn: lease.channelArn, nodeId: lease.nodeId, epoch: lease.epoch };
    try {
      const ended = await this.opts.endSessions(lease.channelArn, ref, previousNodeId);
      this.opts.log.warn(
        { channelArn: lease.channelArn, previousNodeId, sessions: ended },
        'cluster: ended the broadcast of a node that stopped heartbeating',
      );
    } catch (err) {
      // Left expired for the next sweep (of any node) once this grant expires in turn.
      this.opts.log.error({ err: String(err), channelArn: lease.channelArn }, "cluster: could not end a dead node's session");
      return;
    }
    await this.opts.store.channelLeases.release(ref).catch(() => undefined);
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      this.#sweep = this.sweepOnce()
        .then(() => undefined)
        .catch((err: unknown) => this.opts.log.debug({ err: String(err) }, 'cluster: lease sweep failed'))
        .finally(() => this.#schedule());
    }, this.opts.sweepMs ?? 1_000);
    this.#timer.unref();
  }
}
