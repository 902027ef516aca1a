/**
 * A counter of permits over one cell: the algorithm of `Semaphore` and
 * `BoundedSemaphore`, and the item count of a `SimpleQueue` whose items
 * live in this isolate (CPython's `_PySimpleQueue` is a deque and a
 * semaphore). It has no scheduling point of its own: the primitive that
 * uses it calls `enter` first.
 *
 * State (one cell): `(permits << 1) | PARKED`. Keeping both in one word
 * lets a release and a waiter's park agree atomically on "is anybody
 * waiting". The PARKED bit is set by a waiter's `validate` and cleared by
 * the last waiter to leave by timeout or abort, both under the parking
 * lot's bookkeeping for the cell. A release with waiters parked hands its
 * permit straight to the oldest waiter (FIFO hand-off): the count does not
 * change, and a thread that releases and re-acquires in a loop cannot
 * starve the waiters.
 *
 * @module
 */
import { PARK_INVALID, type ParkRequest, type UnparkResult } from "../backends/types.ts";
import { FOREVER, type Wait } from "../runtime/wait_options.ts";
import { Core, type CoreOptions } from "./core.ts";

const PARKED = 1;
const PERMIT = 2;
const HANDOFF = 1;
const STATE = 0;
/** The largest count a counter can hold (its state is one int32 cell). */
export const PERMITS_MAX = 2 ** 30 - 1;

const RESOLVED_TRUE: Promise<boolean> = Promise.resolve(true);
const RESOLVED_FALSE: Promise<boolean> = Promise.resolve(false);

/** A counter of permits: see the module doc. It is the primitive's core (label, backend, cells). */
export class Permits extends Core {
  // The request of a plain wait forever, made on first contention; the release callback, on first hand-off.
  #forever: ParkRequest<boolean> | undefined = undefined;
  #onUnpark: ((result: UnparkResult) => number) | undefined = undefined;
  readonly #op: string;

  /**
   * @param kind The primitive's class name.
   * @param initial The permits of new cells (not of cells revived from a handle, which are live).
   * @param options The constructor's options.
   * @param op What a wait for a permit is called in traces and messages (`acquire`, `get`).
   */
  constructor(kind: string, initial: number, options: CoreOptions | undefined, op: string = "acquire") {
    super(kind, 1, options, (cells) => cells.store(STATE, initial * PERMIT));
    this.#op = op;
  }

  /** How many permits are free. */
  get value(): number {
    return this.cells.load(STATE) >> 1;
  }

  /** Takes a permit if one is free; says whether it did. */
  tryAcquire(): boolean {
    const cells = this.cells;
    for (;;) {
      const state = cells.load(STATE);
      // With waiters parked, permits are never left free (they are handed
      // off), so a free permit here means nobody queues ahead of us.
      if (state < PERMIT) return false;
      if (cells.cas(STATE, state, state - PERMIT)) return true;
    }
  }

  /** Takes a permit, waiting as `wait` allows. */
  acquire(wait: Wait): Promise<boolean> {
    if (this.tryAcquire()) return RESOLVED_TRUE;
    if (!wait.blocking) return RESOLVED_FALSE;
    const request = wait === FOREVER ? this.#forever ??= this.#request(wait) : this.#request(wait);
    for (;;) {
      const parked = this.backend.park(this.cells, STATE, request);
      if (parked !== PARK_INVALID) return parked;
      if (this.tryAcquire()) return RESOLVED_TRUE;
    }
  }

  /** Takes a permit, blocking the calling thread as `wait` allows. */
  acquireSync(wait: Wait): boolean {
    if (this.tryAcquire()) return true;
    if (!wait.blocking) return false;
    const request = this.#request(wait);
    for (;;) {
      const parked = this.backend.parkSync(this.cells, STATE, request);
      if (parked !== PARK_INVALID) return parked;
      if (this.tryAcquire()) return true;
    }
  }

  /** Gives `n` permits back, each to the oldest waiter if any waits (checked by the caller). */
  release(n: number): void {
    const cells = this.cells;
    let left = n;
    while (left > 0) {
      const state = cells.load(STATE);
      if (!(state & PARKED)) {
        if (cells.cas(STATE, state, state + left * PERMIT)) break;
        continue;
      }
      this.backend.unparkOne(cells, STATE, this.#onUnpark ??= (result) => this.#unparked(result));
      left--;
    }
  }

  #unparked(result: UnparkResult): number {
    const cells = this.cells;
    if (!result.unparked) {
      clearParked(cells);
      cells.add(STATE, PERMIT);
      return 0;
    }
    if (!result.haveMore) clearParked(cells);
    return HANDOFF; // the permit passes to the waiter; the count is unchanged
  }

  #request(wait: Wait): ParkRequest<boolean> {
    const cells = this.cells;
    return {
      subject: this,
      op: this.#op,
      timeout: wait.timeout,
      signal: wait.signal,
      timeoutValue: false,
      validate() {
        for (;;) {
          const state = cells.load(STATE);
          if (state >= PERMIT) return false;
          if (state & PARKED || cells.cas(STATE, state, state | PARKED)) return true;
        }
      },
      timedOut(wasLast) {
        if (wasLast) clearParked(cells);
      },
      wake: () => true,
    };
  }
}

function clearParked(cells: Core["cells"]): void {
  for (;;) {
    const state = cells.load(STATE);
    if (cells.cas(STATE, state, state & ~PARKED)) return;
  }
}
