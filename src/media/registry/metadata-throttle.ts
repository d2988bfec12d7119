// PutMetadata rate limits as IVS enforces them: 5 calls per second per channel and 155 per second
// per account. A sliding one-second window per key.

export class RateWindow {
  private readonly calls = new Map<string, number[]>();

  constructor(private readonly windowMs = 1_000) {}

  /** Records a call for key unless it would exceed limit within the window; returns whether it fits. */
  tryAcquire(key: string, limit: number, nowMs: number): boolean {
    let times = this.calls.get(key);
    if (!times) {
      times = [];
      this.calls.set(key, times);
    }
    while (times.length > 0 && nowMs - times[0]! >= this.windowMs) times.shift();
    if (times.length >= limit) return false;
    times.push(nowMs);
    return true;
  }

  /** Undoes the latest acquire for key (a later check failed, so the call did not happen). */
  release(key: string): void {
    this.calls.get(key)?.pop();
  }
}
