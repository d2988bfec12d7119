// Playback requests counted by kind and status without a listener per request. The router files the response
// under the counter of its kind (one function per kind, made once); whichever code writes the status line counts it
// there (responses.ts), and a request whose client leaves while it is held (hold.ts) counts as status 0. The counter
// sits in a Symbol-keyed slot that the dispatcher gives every response, empty, before anything else (giveCounterSlot):
// a property added to some responses and not others would give node's HTTP code two shapes of response to handle on
// every request. A slot rather than a WeakMap: the WeakMap's set was 0.73% of a saturated server's CPU (bench:metrics,
// a profile of the metrics side against the off side), three quarters of what metrics cost it.

import type { HttpResponse } from '../../http-types.js';

/** Counts one answered request of a kind with the status it was sent with (0: the client left first). */
export type StatusCounter = (status: number) => void;

const COUNTER = Symbol('openivs.playbackStatusCounter');

type WithCounterSlot = HttpResponse & { [COUNTER]?: StatusCounter | undefined };

/** Called by the dispatcher on every response before anything else sets a property on it. */
export function giveCounterSlot(res: HttpResponse): void {
  (res as WithCounterSlot)[COUNTER] = undefined;
}

/** `res` is counted by `counter` when its status is written, once. */
export function countResponseWith(res: HttpResponse, counter: StatusCounter): void {
  (res as WithCounterSlot)[COUNTER] = counter;
}

/** Called where a playback status line is written. */
export function countStatus(res: HttpResponse, status: number): void {
  const counter = (res as WithCounterSlot)[COUNTER];
  if (counter === undefined) return;
  (res as WithCounterSlot)[COUNTER] = undefined;
  counter(status);
}

/** Called when the client of a held request went away before an answer. */
export function countAbandoned(res: HttpResponse): void {
  if (!res.headersSent) countStatus(res, 0);
}
