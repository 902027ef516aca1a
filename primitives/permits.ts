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
 * Robust counters (a `Semaphore` made with `robust: true`) have a second
 * cell, the permits given back by threads that died holding them. A thread
 * that can die apart (a Worker the `atomics` backend started: `Cells.holder`
 * is not 0) counts the permits it holds (taken, less given back, never
 * below 0); if it ends holding some, it gives them back as abandoned, and
 * each of the next as many acquires takes one with `AbandonedLockError`
 * (as SysV semaphores' `SEM_UNDO`, and POSIX's `EOWNERDEAD`). Plain counters
 * belong to no thread, as Python's: a permit may be taken in one thread and
 * given back by another, so a dead thread's permits are not given back.
 *
 * @module
 */
import { PARK_INVALID, type ParkRequest, type UnparkResult } from "../backends/types.ts";
import { FOREVER, type Wait } from "../runtime/wait_options.ts";
import { AbandonedLockError } from "../runtime/errors.ts";
import { onIsolateEnd } from "../runtime/isolate_end.ts";
import { Core, type CoreOptions } from "./core.ts";

// The options a semaphore's (or a queue's) permits read: `robust` besides the backend.
const PERMITS_OPTIONS: readonly string[] = ["backend", "robust"];

const PARKED = 1;
const PERMIT = 2;
const HANDOFF = 1;
const STATE = 0;
// A robust counter's permits given back by dead holders, not yet taken.
const ABANDONED = 1;
/** The largest count a counter can hold (its state is one int32 cell). */
export const PERMITS_MAX = 2 ** 30 - 1;

const RESOLVED_TRUE: Promise<boolean> = Promise.resolve(true);
const RESOLVED_FALSE: Promise<boolean> = Promise.resolve(false);

// The permits of robust counters this isolate's thread holds (in a thread that can die apart).
const held = new Map<Permits, number>();
let givesBackAtEnd = false;

// This isolate's thread is ending: what it holds goes back, as abandoned.
function giveBackHeld(): void {
  for (const [permits, n] of held) {
    permits.cells.add(ABANDONED, n);
    permits.release(n);
  }
  held.clear();
}

/** A counter of permits: see the module doc. It is the primitive's core (label, backend, cells). */
export class Permits extends Core {
  // The request of a plain wait forever, made on first contention; the release callback, on first hand-off.
  #forever: ParkRequest<boolean> | undefined = undefined;
  #onUnpark: ((result: UnparkResult) => number) | undefined = undefined;
  readonly #op: string;
  /** Whether the counter gives back the permits of a thread that dies holding them (see the module doc). */
  readonly robust: boolean;

  /**
   * @param kind The primitive's class name.
   * @param initial The permits of new cells (not of cells revived from a handle, which are live).
   * @param options The constructor's options.
   * @param op What a wait for a permit is called in traces and messages (`acquire`, `get`).
   * @param robust Give back the permits of a thread that dies holding them.
   */
  constructor(
    kind: string,
    initial: number,
    options: CoreOptions | undefined,
    op: string = "acquire",
    robust: boolean = false,
  ) {
    super(kind, robust ? 2 : 1, options, (cells) => cells.store(STATE, initial * PERMIT), PERMITS_OPTIONS);
    this.#op = op;
    this.robust = robust;
  }

  /** How many permits are free. */
  get value(): number {
    return this.cells.load(STATE) >> 1;
  }

  /**
   * How many permits are free, read without synchronizing (`Cells.loadRelaxed`):
   * for a check that is a race with other releases anyway, such as a
   * bound on a release.
   */
  get valueRelaxed(): number {
    return this.cells.loadRelaxed(STATE) >> 1;
  }

  /** Takes a permit if one is free; says whether it did. */
  tryAcquire(): boolean {
    const cells = this.cells;
    // The first guess is a plain read, which the compare-and-swap checks (an `Atomics.load` would add
    // about 7 ns, `bench/lock_shape_floor.ts`); a guess of "none free" is read again atomically before
    // the answer is no.
    let state = cells.loadRelaxed(STATE);
    for (;;) {
      // With waiters parked, permits are never left free (they are handed
      // off), so a free permit here means nobody queues ahead of us.
      if (state < PERMIT && (state = cells.load(STATE)) < PERMIT) return false;
      if (cells.cas(STATE, state, state - PERMIT)) return true;
      state = cells.load(STATE);
    }
  }

  /** Takes a permit, waiting as `wait` allows. */
  acquire(wait: Wait): Promise<boolean> {
    if (this.robust) return this.#acquirePlain(wait).then((taken) => this.#took(taken));
    return this.#acquirePlain(wait);
  }

  #acquirePlain(wait: Wait): Promise<boolean> {
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
    return this.robust ? this.#took(this.#acquireSyncPlain(wait)) : this.#acquireSyncPlain(wait);
  }

  #acquireSyncPlain(wait: Wait): boolean {
    if (this.tryAcquire()) return true;
    if (!wait.blocking) return false;
    const request = this.#request(wait);
    for (;;) {
      const parked = this.backend.parkSync(this.cells, STATE, request);
      if (parked !== PARK_INVALID) return parked;
      if (this.tryAcquire()) return true;
    }
  }

  // A robust counter: count the permit as this thread's, and say if it is one a dead holder gave back.
  #took(taken: boolean): boolean {
    if (!taken) return false;
    const cells = this.cells;
    if ((cells.holder ?? 0) !== 0) {
      held.set(this, (held.get(this) ?? 0) + 1);
      if (!givesBackAtEnd) {
        givesBackAtEnd = true;
        onIsolateEnd(giveBackHeld);
      }
    }
    for (let n = cells.load(ABANDONED); n > 0; n = cells.load(ABANDONED)) {
      if (cells.cas(ABANDONED, n, n - 1)) {
        throw new AbandonedLockError(
          `Acquired a permit of ${this.label}, abandoned by a thread that ended while holding it: the caller holds it now, and what it guards may be half-updated`,
        );
      }
    }
    return true;
  }

  /** Gives `n` permits back, each to the oldest waiter if any waits (checked by the caller). */
  release(n: number): void {
    const cells = this.cells;
    if (this.robust && held.size !== 0) {
      const mine = (held.get(this) ?? 0) - n;
      if (mine > 0) held.set(this, mine);
      else held.delete(this);
    }
    let left = n;
    // A plain read first, as in `tryAcquire`: the compare-and-swap checks it, and a wrong guess of
    // "parked" is harmless (the unpark finds nobody and adds the permit).
    let state = cells.loadRelaxed(STATE);
    while (left > 0) {
      if (!(state & PARKED)) {
        if (cells.cas(STATE, state, state + left * PERMIT)) break;
      } else {
        this.backend.unparkOne(cells, STATE, this.#onUnpark ??= (result) => this.#unparked(result));
        left--;
      }
      state = cells.load(STATE);
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
      // Dying with a permit on its way: it goes to the next waiter, or back to the count.
      handBack: () => this.release(1),
    };
  }
}

function clearParked(cells: Core["cells"]): void {
  for (;;) {
    const state = cells.load(STATE);
    if (cells.cas(STATE, state, state & ~PARKED)) return;
  }
}
