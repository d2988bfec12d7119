// Retry policy for event delivery: exponential backoff (1 s, 2 s, 4 s … capped at 5 min) with
// jitter, so a receiver coming back after an outage is not hit by every queued retry at once, and
// a maximum age after which a row is abandoned rather than blocking its sink's queue forever.

export interface RetryPolicy {
  /** Delay after the first failure. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** 0..1: each delay is reduced by up to this fraction at random (0 = deterministic, for tests). */
  jitter: number;
  /** A row still failing this long after it was written is abandoned (logged, no longer retried). */
  maxAgeMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  jitter: 0.2,
  maxAgeMs: 24 * 60 * 60_000,
};

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const p = { ...DEFAULT_RETRY, ...overrides };
  if (!(p.baseDelayMs >= 0 && p.maxDelayMs >= p.baseDelayMs && p.jitter >= 0 && p.jitter <= 1 && p.maxAgeMs >= 0)) {
    throw new Error(`invalid retry policy: ${JSON.stringify(p)}`);
  }
  return p;
}

/** Delay before the next try after `failures` consecutive failures (1 = the first one failed). */
export function backoffDelay(policy: RetryPolicy, failures: number, random: () => number = Math.random): number {
  // Clamp the exponent: 2 ** 1000 is Infinity, and the cap is reached long before anyway.
  const exp = Math.min(Math.max(failures - 1, 0), 30);
  const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exp);
  return Math.round(delay * (1 - policy.jitter * random()));
}
