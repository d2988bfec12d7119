// Small concurrency helpers for the dispatcher: a counting semaphore that bounds deliveries in
// flight, and an unref'd sleep (a pending stop() timeout must not keep the process alive).

export class Semaphore {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    if (!(size >= 1)) throw new Error('concurrency must be at least 1');
    this.#free = size;
  }

  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /** Hands the slot straight to the next waiter, if any, so it cannot be taken in between. */
  release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#free++;
  }
}

export function sleep<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(resolve, ms, value).unref());
}
