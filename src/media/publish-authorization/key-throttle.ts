// Throttles wrong stream keys per source address, so a client cannot guess keys at line rate: each
// address may fail a few times per window; past that it is refused without even looking the key up.

export class KeyThrottle {
  private readonly failures = new Map<string, { count: number; windowStart: number }>();

  constructor(
    private readonly maxFailures = 5,
    private readonly windowMs = 60_000,
  ) {}

  isBlocked(address: string, nowMs: number): boolean {
    const entry = this.failures.get(address);
    if (!entry) return false;
    if (nowMs - entry.windowStart > this.windowMs) {
      this.failures.delete(address);
      return false;
    }
    return entry.count >= this.maxFailures;
  }

  recordFailure(address: string, nowMs: number): void {
    const entry = this.failures.get(address);
    if (!entry || nowMs - entry.windowStart > this.windowMs) {
      this.failures.set(address, { count: 1, windowStart: nowMs });
      if (this.failures.size > 10_000) this.prune(nowMs); // bound memory under a scan
    } else {
      entry.count += 1;
    }
  }

  private prune(nowMs: number): void {
    for (const [address, entry] of this.failures) {
      if (nowMs - entry.windowStart > this.windowMs) this.failures.delete(address);
    }
  }
}
