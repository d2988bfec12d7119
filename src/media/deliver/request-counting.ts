// Playback requests counted by kind and status without a listener per request. The router files the response
// under the counter of its kind (one function per kind, made once); whichever code writes the status line counts it
// there (responses.ts), and a request whose client leaves while it is held (hold.ts) counts as status 0. A WeakMap,
// not a property on the response: a property added to some ServerResponse objects and not others gives node's HTTP
// code two shapes of response to handle on every request, metrics on or off.

import type { HttpResponse } from '../../http-types.js';

/** Counts one answered request of a kind with the status it was sent with (0: the client left first). */
export type StatusCounter = (status: number) => void;

const counters = new WeakMap<HttpResponse, StatusCounter>();

/** `res` is counted by `counter` when its status is written, once. */
export function countResponseWith(res: HttpResponse, counter: StatusCounter): void {
  counters.set(res, counter);
}

/** Called where a playback status line is written. */
export function countStatus(res: HttpResponse, status: number): void {
  const counter = counters.get(res);
  if (counter === undefined) return;
  counters.delete(res);
  counter(status);
}

/** Called when the client of a held request went away before an answer. */
export function countAbandoned(res: HttpResponse): void {
  if (!res.headersSent) countStatus(res, 0);
}
