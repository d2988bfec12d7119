// This node's channel leases: a publish claims its channel in PostgreSQL before NetStream.Publish.Start
// (ChannelLeaseRepository.acquire counts the scope's live broadcasts, cluster-wide, in the same
// transaction) and releases it once its session end is recorded. The grants held here are what the
// NodeRegistry renews at every heartbeat; a grant it could not renew was taken over by another node
// (this one was cut off from the database for longer than a lease), so the broadcast is ended here:
// the other node has already ended its session.

import type { Logger } from '../logging.js';
import type { Scope } from '../domain/context.js';
import type { ChannelClaim, ChannelClaims } from '../domain/ports.js';
import type { LeaseRef, Store } from '../storage/store.js';

export interface ChannelOwnershipOptions {
  store: Store;
  nodeId: string;
  /** Lease lifetime, renewed by every heartbeat: the node registry's deadAfterMs. */
  ttlMs: number;
  log: Logger;
  /** A lease was lost to another node: stop the local broadcast of the channel. */
  onLost: (channelArn: string) => void;
}

export class ChannelOwnership implements ChannelClaims {
  readonly #held = new Map<string, LeaseRef>();

  constructor(private readonly opts: ChannelOwnershipOptions) {}

  async claim(scope: Scope, channelArn: string, maxLive: number): Promise<ChannelClaim> {
    const { store, nodeId, ttlMs } = this.opts;
    const result = await store.channelLeases.acquire({ scope, channelArn, nodeId, ttlMs, maxLive });
    if (!result.ok) return { ok: false, reason: result.reason };
    this.#held.set(channelArn, { channelArn, nodeId, epoch: result.lease.epoch });
    return { ok: true };
  }

  async release(channelArn: string): Promise<void> {
    const ref = this.#held.get(channelArn);
    if (ref === undefined) return;
    this.#held.delete(channelArn);
    try {
      await this.opts.store.channelLeases.release(ref);
    } catch (err) {
      // It expires by itself; a survivor then finds no open session to end.
      this.opts.log.warn({ err: String(err), channelArn }, 'cluster: could not release a channel lease; it will expire');
    }
  }

  /** The grants the heartbeat renews. */
  held(): LeaseRef[] {
    return [...this.#held.values()];
  }

  /** Grants the heartbeat could not renew. */
  lost(refs: readonly LeaseRef[]): void {
    for (const ref of refs) {
      if (this.#held.get(ref.channelArn)?.epoch !== ref.epoch) continue;
      this.#held.delete(ref.channelArn);
      this.opts.log.warn(
        { channelArn: ref.channelArn },
        'cluster: another node took over this channel; ending its broadcast here',
      );
      this.opts.onLost(ref.channelArn);
    }
  }
}
