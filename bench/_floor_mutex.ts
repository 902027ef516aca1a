/**
 * The floor the benchmarks measure against: the smallest FIFO promise-queue
 * mutex one would write by hand, and a condition variable made of promises
 * over it. No timeouts, no abort, no registry, no backend: whatever the
 * library costs above these is the price of its features.
 *
 * @module
 */

const RESOLVED: Promise<void> = Promise.resolve();

/** A FIFO mutex: a flag and a queue of resolvers; release hands off to the oldest waiter. */
export class FloorMutex {
  #locked = false;
  readonly #waiters: (() => void)[] = [];

  /** Resolves once the mutex is held. */
  acquire(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return RESOLVED;
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Passes the mutex to the oldest waiter, or frees it. */
  release(): void {
    const waiters = this.#waiters;
    if (waiters.length > 0) waiters.shift()!();
    else this.#locked = false;
  }
}

/** A condition variable over a {@linkcode FloorMutex}: FIFO waiters, notify wakes the oldest. */
export class FloorCondition {
  readonly #waiters: (() => void)[] = [];

  /** @param mutex The mutex the waiters hold. */
  constructor(readonly mutex: FloorMutex) {}

  /** Releases the mutex, waits for a notify, and re-acquires the mutex. */
  async wait(): Promise<void> {
    const notified = new Promise<void>((resolve) => this.#waiters.push(resolve));
    this.mutex.release();
    await notified;
    await this.mutex.acquire();
  }

  /** Wakes the oldest waiter, if any. */
  notify(): void {
    const waiters = this.#waiters;
    if (waiters.length > 0) waiters.shift()!();
  }
}
