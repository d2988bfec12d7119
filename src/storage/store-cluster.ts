// Store port, part three: what several openivs nodes sharing one PostgreSQL database coordinate through
// (migration 0004): the node list with heartbeats, one lease per live channel, and one delivery lane
// per event sink. SQLite implements the same contract for its single node. store.ts re-exports these.
//
// Times here (heartbeats, expiries) are epoch milliseconds read from the database's clock, the one
// clock every node shares; callers pass durations, never absolute times.

import type { Scope } from '../domain/context.js';

export interface NodeRow {
  nodeId: string;
  /** Internal URL the other nodes reach this one at (`--node-url`). */
  url: string;
  startedAt: number;
  heartbeatAt: number;
  liveStreams: number;
  freeTranscodeSlots: number;
  /** Database time when the row was read, so ages need no local clock. */
  readAt: number;
}

export interface NodeStats {
  liveStreams: number;
  freeTranscodeSlots: number;
}

export interface NodeRepository {
  /** Inserts or refreshes the node's row: url, stats and heartbeat (startedAt reset when `restarted`). */
  heartbeat(node: { nodeId: string; url: string; restarted: boolean } & NodeStats): Promise<void>;
  /** Every known node, by id. */
  list(): Promise<NodeRow[]>;
  /** Removes a node's row (clean shutdown). */
  remove(nodeId: string): Promise<boolean>;
  /** Removes rows whose last heartbeat is older than olderThanMs; returns how many. */
  prune(olderThanMs: number): Promise<number>;
}

/** Identifies one grant of a channel lease; the epoch fences writes by an owner that lost it. */
export interface LeaseRef {
  channelArn: string;
  nodeId: string;
  epoch: number;
}

export interface ChannelLease extends LeaseRef {
  account: string;
  region: string;
  acquiredAt: number;
  expiresAt: number;
}

export type AcquireResult =
  | { ok: true; lease: ChannelLease; /** The node whose expired lease was taken over, if any. */ tookOverFrom?: string }
  | { ok: false; reason: 'held'; holder: ChannelLease }
  | { ok: false; reason: 'quota'; live: number };

export interface AcquireRequest {
  scope: Scope;
  channelArn: string;
  nodeId: string;
  ttlMs: number;
  /** The concurrent-broadcasts quota: live leases allowed in the scope, this one included. */
  maxLive: number;
}

export interface ChannelLeaseRepository {
  /**
   * Grants nodeId the channel unless another node holds a live lease on it, or the scope already has
   * maxLive live leases. The count and the grant commit together (inside the caller's transaction when
   * called on a transaction store), serialized per scope across nodes. A grant always gets a higher
   * epoch than any earlier grant of the channel. A node re-acquiring its own live lease (a restart with
   * the same node id) gets a new epoch.
   */
  acquire(request: AcquireRequest): Promise<AcquireResult>;
  /** Extends the leases of nodeId that are still exactly these grants; returns the ones renewed. */
  renew(nodeId: string, held: readonly LeaseRef[], ttlMs: number): Promise<LeaseRef[]>;
  /** Ends a grant; false when it is no longer current (stolen, or already released). */
  release(ref: LeaseRef): Promise<boolean>;
  /** Ends every lease of nodeId (its previous run's, on start); returns them. */
  releaseAllOf(nodeId: string): Promise<ChannelLease[]>;
  /**
   * Takes over up to `limit` expired leases (their holder stopped renewing) for nodeId with a new
   * epoch and a ttlMs lease, each exactly once across nodes; returns the new grants with the previous
   * holder, so the caller can end what that node left behind and then release.
   */
  stealExpired(nodeId: string, ttlMs: number, limit: number): Promise<Array<{ lease: ChannelLease; previousNodeId: string }>>;
  /**
   * Throws LeaseLostError unless ref is the channel's current grant. Inside a transaction it also locks
   * the lease until commit, so no takeover slips between this check and the writes that follow.
   */
  assertHeld(ref: LeaseRef): Promise<void>;
  /** The channel's current lease (live or expired), if any. */
  get(channelArn: string): Promise<ChannelLease | undefined>;
  /** Live (unexpired) leases of a scope, or of every scope. */
  listLive(scope?: Scope): Promise<ChannelLease[]>;
}

/** A grant of an event sink's delivery lane: while held, only its holder delivers that sink's rows. */
export interface LaneLease {
  sink: string;
  holder: string;
  epoch: number;
  /** Milliseconds the lease was valid for when granted (Infinity when the database is not shared). */
  validForMs: number;
}

export interface OutboxLaneRepository {
  /** Grants the lane to holder if it is free or expired (or already holder's); undefined when taken. */
  claim(sink: string, holder: string, ttlMs: number): Promise<LaneLease | undefined>;
  /** Extends a grant; undefined when it was lost. */
  renew(lease: LaneLease, ttlMs: number): Promise<LaneLease | undefined>;
  release(lease: LaneLease): Promise<void>;
  /** Milliseconds until the lane's current grant expires (0 when free), for a waiting dispatcher. */
  expiresIn(sink: string): Promise<number>;
}
