// What the dispatcher needs from a delivery target. A sink delivers one stored event; resolving
// means delivered, throwing means "try again later" (the dispatcher owns retries and backoff).
//
// A sink's name is stored with each outbox row, so it must stay the same across restarts for the
// same configuration. It is a hash of the target rather than the target itself: webhook URLs often
// carry tokens, and names end up in logs and in the database.

import { createHash } from 'node:crypto';

export interface Delivery {
  eventId: string;
  /** The envelope's JSON text exactly as stored; send it unchanged (signatures cover these bytes). */
  payload: string;
  /** 1 for the first try. */
  attempt: number;
}

export interface Sink {
  readonly name: string;
  /** signal aborts when the dispatcher stops and cannot wait any longer. */
  deliver(delivery: Delivery, signal: AbortSignal): Promise<void>;
  /** Releases connections; called by the dispatcher's stop(). */
  close?(): void;
}

/** `<kind>:<first 16 hex of sha256(key)>`, e.g. webhook:3f2a…. */
export function sinkName(kind: string, key: string): string {
  return `${kind}:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/** A short, single-line description of a delivery failure for logs and outbox.last_error. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return `${err.name}: ${err.message}${cause}`.replace(/\s+/g, ' ');
  }
  return String(err);
}
