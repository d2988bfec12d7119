// This node's membership in the cluster: a heartbeat every ~2 s writes its internal URL, live stream
// count and free transcode slots to the `nodes` table and renews the channel leases it holds. Other
// nodes judge it by the database's clock: silent for longer than deadAfterMs (8 s) means dead, and its
// leases (same lifetime) expire with it, so a survivor may take them over (ChannelLeaseRepository
// .stealExpired). A PostgreSQL outage makes beats fail (logged once) until it is back; nothing else
// changes, and the first beat after it renews the leases unless another node took them in between,
// which onLeasesLost reports.
//
// On SQLite the same code runs for the single node (it also keeps that node's leases renewed).

import type { Logger } from '../logging.js';
import type { ChannelLease, LeaseRef, NodeStats, Store } from '../storage/store.js';

export interface NodeRegistryOptions {
  store: Store;
  nodeId: string;
  /** Internal URL other nodes reach this one at. */
  url: string;
  /** Read at every beat. */
  stats: () => NodeStats;
  log: Logger;
  /** Default 2 s. */
  heartbeatMs?: number;
  /** A node (and its channel leases) silent for this long is dead. Default 8 s. */
  deadAfterMs?: number;
  /** The channel leases this node holds, renewed at every beat. */
  heldLeases?: () => readonly LeaseRef[];
  /** Leases a beat could not renew: another node took them over, this node no longer owns them. */
  onLeasesLost?: (lost: LeaseRef[]) => void;
  /** Rows of nodes silent for this long are deleted. Default 1 h. */
  forgetAfterMs?: number;
}

/** A node as GET /_openivs/cluster shows it. */
export interface NodeView {
  nodeId: string;
  url: string;
  self: boolean;
  alive: boolean;
  /** Milliseconds since its last heartbeat (database clock). */
  ageMs: number;
  startedAt: string;
  lastHeartbeat: string;
  liveStreams: number;
  freeTranscodeSlots: number;
}

const PRUNE_EVERY_MS = 60_000;

export class NodeRegistry {
  readonly nodeId: string;
  /** Settable until start() (a listener on port 0 learns its port late); sent with every beat. */
  url: string;
  readonly heartbeatMs: number;
  readonly deadAfterMs: number;
  readonly #opts: NodeRegistryOptions;
  #timer: NodeJS.Timeout | undefined;
  #beat: Promise<void> = Promise.resolve();
  #running = false;
  #failing = false;
  #restarted = true;
  #lastPrune = 0;
  #steadySince: number | undefined;

  constructor(opts: NodeRegistryOptions) {
    this.#opts = opts;
    this.nodeId = opts.nodeId;
    this.url = opts.url;
    this.heartbeatMs = opts.heartbeatMs ?? 2_000;
    this.deadAfterMs = opts.deadAfterMs ?? 8_000;
  }

  /**
   * Registers the node (throws if the database refuses) and starts beating. Returns the channel
   * leases this node's previous run still held, now released: their sessions were left open by a
   * crash and are the caller's to end.
   */
  async start(): Promise<ChannelLease[]> {
    if (this.#running) return [];
    const leftOver = await this.#opts.store.channelLeases.releaseAllOf(this.nodeId);
    await this.heartbeat();
    this.#steadySince = Date.now();
    this.#running = true;
    this.#schedule();
    return leftOver;
  }

  /** Stops beating and removes this node from the list (best effort: the database may be down). */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#beat;
    try {
      await this.#opts.store.nodes.remove(this.nodeId);
    } catch (err) {
      this.#opts.log.warn({ err: String(err) }, 'cluster: could not remove this node from the node list');
    }
  }

  /** One beat: the node's row, then its leases. Throws when the database refuses. */
  async heartbeat(): Promise<void> {
    const { store } = this.#opts;
    await store.nodes.heartbeat({ nodeId: this.nodeId, url: this.url, restarted: this.#restarted, ...this.#opts.stats() });
    this.#restarted = false;
    const held = this.#opts.heldLeases?.() ?? [];
    if (held.length > 0) {
      const renewed = await store.channelLeases.renew(this.nodeId, held, this.deadAfterMs);
      const kept = new Set(renewed.map((r) => `${r.channelArn}\n${r.epoch}`));
      const lost = held.filter((r) => !kept.has(`${r.channelArn}\n${r.epoch}`));
      if (lost.length > 0) this.#opts.onLeasesLost?.(lost);
    }
    const now = Date.now();
    if (now - this.#lastPrune >= PRUNE_EVERY_MS) {
      this.#lastPrune = now;
      await store.nodes.prune(this.#opts.forgetAfterMs ?? 60 * 60_000);
    }
  }

  /** Epoch ms since when heartbeats have succeeded without a failure; undefined while they fail. */
  get steadySince(): number | undefined {
    return this.#steadySince;
  }

  /** Every node the database knows, with its liveness judged on the database's clock. */
  async list(): Promise<NodeView[]> {
    const rows = await this.#opts.store.nodes.list();
    return rows.map((row) => {
      const ageMs = Math.max(0, row.readAt - row.heartbeatAt);
      return {
        nodeId: row.nodeId,
        url: row.url,
        self: row.nodeId === this.nodeId,
        alive: ageMs < this.deadAfterMs,
        ageMs,
        startedAt: new Date(row.startedAt).toISOString(),
        lastHeartbeat: new Date(row.heartbeatAt).toISOString(),
        liveStreams: row.liveStreams,
        freeTranscodeSlots: row.freeTranscodeSlots,
      };
    });
  }

  /** The nodes alive now (this one included while its heartbeats succeed). */
  async aliveNodes(): Promise<NodeView[]> {
    return (await this.list()).filter((n) => n.alive);
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      this.#beat = this.#beatOnce().finally(() => this.#schedule());
    }, this.heartbeatMs);
    this.#timer.unref();
  }

  async #beatOnce(): Promise<void> {
    try {
      await this.heartbeat();
      this.#steadySince ??= Date.now();
      if (this.#failing) this.#opts.log.info('cluster: heartbeats succeed again');
      this.#failing = false;
    } catch (err) {
      // Logged once per outage: the store logs the outage itself, and a beat every 2 s would flood.
      if (!this.#failing) this.#opts.log.warn({ err: String(err) }, 'cluster: heartbeat failed; retrying');
      this.#failing = true;
      this.#steadySince = undefined;
    }
  }
}
