/**
 * Local parking: the threads of this process that wait on one remote
 * primitive wait here, oldest first, each on an `Event` of the local
 * backend, while the process keeps one entry in the server's queue for all
 * of them. What the server grants the process is handed to the oldest
 * waiter; a waiter may be "claimed" while an operation runs on its behalf
 * (a put that carries its item), and then its timeout waits for the outcome.
 *
 * @module
 */
import { type Backend, Event } from "../mod.ts";

/** What ended a park. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** One parked thread. */
export class Waiter<T> {
  readonly event: Event;
  outcome: Outcome<T> | undefined = undefined;
  claimed = false;
  #claimDone: PromiseWithResolvers<void> | undefined;

  constructor(backend: Backend, readonly payload: unknown) {
    this.event = new Event({ backend });
  }

  /** Marks it as being served by an operation in flight. */
  claim(): void {
    this.claimed = true;
    this.#claimDone = Promise.withResolvers();
  }

  /** The operation in flight for it ended without an outcome. */
  unclaim(): void {
    this.claimed = false;
    this.#claimDone?.resolve();
  }

  /** Resolves once no operation is in flight for it. */
  get claimSettled(): Promise<void> {
    return this.#claimDone?.promise ?? Promise.resolve();
  }
}

/** What a park returned: the value handed over (if any) and the abort reason (if aborted). */
export interface Parked<T> {
  readonly outcome: Outcome<T> | undefined;
  readonly aborted: boolean;
  readonly reason: unknown;
}

/** The local waiters of one remote primitive, oldest first. */
export class LocalLine<T> {
  readonly #waiters: Waiter<T>[] = [];

  constructor(readonly backend: Backend) {}

  /** How many wait (including those whose operation is in flight). */
  get length(): number {
    return this.#waiters.length;
  }

  /** Whether some waiter has neither an outcome nor an operation in flight. */
  get hasIdle(): boolean {
    return this.#waiters.some((w) => w.outcome === undefined && !w.claimed);
  }

  /** The oldest waiter with neither an outcome nor an operation in flight. */
  oldestIdle(): Waiter<T> | undefined {
    return this.#waiters.find((w) => w.outcome === undefined && !w.claimed);
  }

  /** Every waiter without an outcome. */
  pending(): Waiter<T>[] {
    return this.#waiters.filter((w) => w.outcome === undefined);
  }

  /** Ends `waiter`'s park with `outcome`. */
  settle(waiter: Waiter<T>, outcome: Outcome<T>): void {
    if (waiter.outcome !== undefined) return;
    waiter.outcome = outcome;
    waiter.event.set();
    waiter.unclaim();
  }

  /** Hands `value` to the oldest idle waiter, and returns it (`undefined` if there is none). */
  grant(value: T): Waiter<T> | undefined {
    const waiter = this.oldestIdle();
    if (waiter !== undefined) this.settle(waiter, { ok: true, value });
    return waiter;
  }

  /**
   * Waits until handed something, or `timeout` ms (`Infinity`: forever), or `signal` aborts.
   * A waiter handed something as its timeout elapsed keeps it; one aborted while an operation
   * runs for it waits for that operation's outcome.
   */
  async park(
    timeout: number,
    signal: AbortSignal | undefined,
    payload?: unknown,
    onEnter?: (waiter: Waiter<T>) => void,
    front = false,
  ): Promise<Parked<T>> {
    const waiter = new Waiter<T>(this.backend, payload);
    if (front) this.#waiters.unshift(waiter);
    else this.#waiters.push(waiter);
    onEnter?.(waiter);
    let aborted = false;
    let reason: unknown;
    try {
      await waiter.event.wait({ timeout: timeout === Infinity ? null : timeout, signal });
    } catch (error) {
      aborted = true;
      reason = error;
    }
    if (waiter.claimed) await waiter.claimSettled;
    const at = this.#waiters.indexOf(waiter);
    if (at >= 0) this.#waiters.splice(at, 1);
    return { outcome: waiter.outcome, aborted, reason };
  }
}

/**
 * One thread waiting for a grant to its own ticket in the server's queue
 * (locks and semaphores, whose order across processes is the server's).
 * A grant that arrives before the thread parks is kept until it does.
 */
export class Parker<T> {
  #event: Event | undefined;
  outcome: Outcome<T> | undefined = undefined;

  constructor(readonly backend: Backend, readonly owner: unknown) {}

  /** Hands `value` over; `false` if the park already ended. */
  settle(outcome: Outcome<T>): boolean {
    if (this.outcome !== undefined || this.#gaveUp) return false;
    this.outcome = outcome;
    this.#event?.set();
    return true;
  }

  #gaveUp = false;

  /** Waits for a grant, `timeout` ms (`Infinity`: forever), or an abort. */
  async park(timeout: number, signal: AbortSignal | undefined): Promise<Parked<T>> {
    let aborted = false;
    let reason: unknown;
    if (this.outcome === undefined) {
      const event = this.#event = new Event({ backend: this.backend });
      try {
        await event.wait({ timeout: timeout === Infinity ? null : timeout, signal });
      } catch (error) {
        aborted = true;
        reason = error;
      }
    } else if (signal?.aborted) {
      aborted = true;
      reason = signal.reason;
    }
    // From here a grant is refused: the caller takes the ticket out of the queue.
    if (this.outcome === undefined) this.#gaveUp = true;
    return { outcome: this.outcome, aborted, reason };
  }
}
