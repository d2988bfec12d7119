// Concurrent viewers as IVS counts them (a new view counts within about 15 s and leaves within about a minute), made
// hard to inflate. What arrives here is already authentic: a viewer session id the server minted into the
// multivariant playlist (deliver/auth/viewer-session.ts checks its MAC, stream and age before calling seen()), riding
// on media-playlist URLs, so segments stay identical for everyone (cacheable) while playlist refreshes mark a viewer
// as present. Authentic is not enough, since anyone can mint sessions by fetching the multivariant playlist in a
// loop; so a session is counted only when
//   1. it behaves like a player: at least `countAfterRequests` media-playlist requests spanning `countAfterMs`
//      (every HLS player reloads a live playlist at least once per target duration, 2 s; a fetch-once script never
//      counts), and
//   2. its client has room: at most `perAddress` counted sessions per client address and `perNetwork` per network
//      (client-address.ts: IPv4 /32 in /24, IPv6 /64 in /48), per stream.
// Sessions not counted yet ("pending") are bounded the same way and forgotten after `pendingIdleMs` without a
// request, and a stream tracks at most `maxTracked` sessions; a session that cannot be tracked is simply not counted.
//
// Why these bounds: the harm of counting too many is a lockout (over the account's concurrent-viewers quota the
// multivariant playlist answers 429 on every channel of the account), the harm of counting too few is a low
// viewerCount. So the bound errs low. Viewers behind one NAT (a household, an office, a carrier-grade NAT) share
// an address: up to `perAddress` of them count, the others play normally and are counted as soon as one of the
// counted leaves. An attacker needs a fresh address for every `perAddress` sessions and a fresh network for every
// `perNetwork`, per channel, and each counted session costs a request every few seconds for as long as it counts.
// A CDN in front makes every request come from a few edge addresses: the viewer's address must then come from a
// header the CDN sets (see PlaybackDeps.clientAddress), or every viewer behind one edge shares one bound.

import { clientBuckets } from './client-address.js';

export interface ViewerLimits {
  /** A counted session leaves after this long without a media-playlist request. */
  activeWindowMs: number;
  /** A session not counted yet is forgotten after this long without one. */
  pendingIdleMs: number;
  /** Counted once it made this many media-playlist requests... */
  countAfterRequests: number;
  /** ...spanning at least this long. */
  countAfterMs: number;
  /** Counted sessions per client address (IPv4 address, IPv6 /64) and per network (IPv4 /24, IPv6 /48), per stream. */
  perAddress: number;
  perNetwork: number;
  /** Sessions not counted yet, per client address and per network, per stream. */
  pendingPerAddress: number;
  pendingPerNetwork: number;
  /** Sessions tracked per stream, counted or not. */
  maxTracked: number;
}

export const VIEWER_LIMITS: Readonly<ViewerLimits> = {
  activeWindowMs: 60_000,
  pendingIdleMs: 15_000,
  countAfterRequests: 3,
  countAfterMs: 4_000,
  perAddress: 16,
  perNetwork: 64,
  pendingPerAddress: 32,
  pendingPerNetwork: 128,
  maxTracked: 30_000,
};

interface Session {
  address: string;
  network: string;
  firstMs: number;
  lastMs: number;
  requests: number;
  counted: boolean;
}

interface Bucket {
  counted: number;
  pending: number;
}

const PRUNE_EVERY_MS = 1_000;

export class ViewerCounter {
  private readonly limits: ViewerLimits;
  private readonly sessions = new Map<string, Session>();
  private readonly buckets = new Map<string, Bucket>();
  private counted = 0;
  private lastPrune = -Infinity;

  constructor(limits: Partial<ViewerLimits> = {}) {
    this.limits = { ...VIEWER_LIMITS, ...limits };
  }

  /** A media-playlist request of an authentic session from `remoteAddress`. */
  seen(sessionId: string, remoteAddress: string | undefined, nowMs: number): void {
    if (!this.touch(sessionId, nowMs)) this.track(sessionId, remoteAddress, nowMs);
  }

  /**
   * A media-playlist request of a session, counted if it is tracked (its MAC was checked when it was first seen):
   * false if it is not, and the caller checks it and calls seen(). One lookup for the usual request, and no client
   * address needed for it.
   */
  touch(sessionId: string, nowMs: number): boolean {
    this.pruneIfDue(nowMs);
    const session = this.sessions.get(sessionId);
    if (!session) return false;
    session.lastMs = nowMs;
    session.requests++;
    if (
      !session.counted &&
      session.requests >= this.limits.countAfterRequests &&
      nowMs - session.firstMs >= this.limits.countAfterMs
    ) {
      this.promote(session);
    }
    return true;
  }

  /** Sessions counted as viewers now. Cheap: pruning runs at most once a second. */
  count(nowMs: number): number {
    this.pruneIfDue(nowMs);
    return this.counted;
  }

  /** Sessions tracked (counted and pending), for tests and health figures. */
  get tracked(): number {
    return this.sessions.size;
  }

  private track(sessionId: string, remoteAddress: string | undefined, nowMs: number): void {
    if (this.sessions.size >= this.limits.maxTracked) return;
    const { address, network } = clientBuckets(remoteAddress);
    const a = this.bucket(address);
    const n = this.bucket(network);
    if (a.pending >= this.limits.pendingPerAddress || n.pending >= this.limits.pendingPerNetwork) return;
    a.pending++;
    n.pending++;
    this.sessions.set(sessionId, { address, network, firstMs: nowMs, lastMs: nowMs, requests: 1, counted: false });
  }

  private promote(session: Session): void {
    const a = this.bucket(session.address);
    const n = this.bucket(session.network);
    if (a.counted >= this.limits.perAddress || n.counted >= this.limits.perNetwork) return;
    a.pending--;
    n.pending--;
    a.counted++;
    n.counted++;
    session.counted = true;
    this.counted++;
  }

  private bucket(key: string): Bucket {
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = { counted: 0, pending: 0 }));
    return b;
  }

  private pruneIfDue(nowMs: number): void {
    if (nowMs - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = nowMs;
    for (const [id, s] of this.sessions) {
      const idle = nowMs - s.lastMs;
      if (idle <= (s.counted ? this.limits.activeWindowMs : this.limits.pendingIdleMs)) continue;
      this.sessions.delete(id);
      this.release(s.address, s.counted);
      this.release(s.network, s.counted);
      if (s.counted) this.counted--;
    }
  }

  private release(key: string, counted: boolean): void {
    const b = this.buckets.get(key)!;
    if (counted) b.counted--;
    else b.pending--;
    if (b.counted === 0 && b.pending === 0) this.buckets.delete(key);
  }
}
