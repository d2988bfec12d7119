// Fair shares of held requests. LL-HLS lets a client park requests on the server (a blocking playlist reload, a
// hinted part) for up to three target durations; each one costs a socket, a timer and a waiter. A stream bounds
// them all together (blocking.ts, 4 per allowed concurrent viewer), but one client filling that bound would turn
// every other viewer's blocking reloads into 503s. So each client may hold at most `perAddress` requests per stream,
// and each network `perNetwork` (client-address.ts: IPv4 /32 in /24, IPv6 /64 in /48). A player holds one or two per
// rendition it plays (hls.js: the playlist reload and the hinted part), so 32 per address is sixteen players behind
// one NAT, and an attacker needs many networks, not many connections, to reach the stream's bound. Over its share a
// request is answered 503 at once (what a held request gets when its wait runs out; players retry).

import type { HttpResponse } from '../../http-types.js';
import { clientBuckets } from '../registry/client-address.js';

export interface HeldLimits {
  perAddress: number;
  perNetwork: number;
}

export const HELD_LIMITS: Readonly<HeldLimits> = { perAddress: 32, perNetwork: 128 };

export class HeldRequests {
  /** Per stream (a LiveStream object, collected with it): requests in flight by client bucket. */
  private readonly byStream = new WeakMap<object, Map<string, number>>();

  constructor(private readonly limits: HeldLimits = HELD_LIMITS) {}

  /**
   * Counts a request that may be held against its client's shares of `stream` until `res` closes (answered or
   * abandoned); false, counting nothing, when a share is used up.
   */
  admit(stream: object, remoteAddress: string | undefined, res: HttpResponse): boolean {
    let counts = this.byStream.get(stream);
    if (!counts) this.byStream.set(stream, (counts = new Map<string, number>()));
    const { address, network } = clientBuckets(remoteAddress);
    const a = counts.get(address) ?? 0;
    const n = counts.get(network) ?? 0;
    if (a >= this.limits.perAddress || n >= this.limits.perNetwork) return false;
    counts.set(address, a + 1);
    counts.set(network, n + 1);
    const map = counts;
    res.once('close', () => {
      release(map, address);
      release(map, network);
    });
    return true;
  }

  /** Requests counted for a client of `stream` now (tests). */
  inFlight(stream: object, remoteAddress: string | undefined): number {
    return this.byStream.get(stream)?.get(clientBuckets(remoteAddress).address) ?? 0;
  }
}

function release(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left <= 0) counts.delete(key);
  else counts.set(key, left);
}
