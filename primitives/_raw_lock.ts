/**
 * The lock algorithm shared by `Lock` and `RLock`, over one state cell.
 *
 * State table (cell 0):
 *
 * | value | meaning                                  |
 * |-------|------------------------------------------|
 * | 0     | unlocked                                 |
 * | 1     | locked, nobody parked                    |
 * | 3     | locked, one or more waiters parked       |
 * | 2     | unlocked, waiters parked (one was woken to race for it) |
 *
 * The PARKED bit is set by a waiter's `validate` and cleared by the last
 * waiter to leave by timeout or abort, both under the parking lot's
 * bookkeeping for the cell. `release` with waiters parked hands the lock
 * straight to the oldest waiter: the state stays locked and the waiter wakes
 * owning it, so a task that releases and re-acquires in a loop can never
 * barge ahead of a waiter (FIFO hand-off; a futex-style "clear and wake"
 * lets the releaser win nearly every time in one isolate).
 *
 * On a backend with `eventualFairness` (`atomics`), a hand-off between
 * Workers costs a sleeping thread's wake-up (about 8 us), so strict hand-off
 * would cap a contended lock at one owner per wake-up. There the release
 * frees the lock (state 0, or 2 while others stay parked) and wakes the
 * oldest waiter to race for it (token RACE), and hands off only when the
 * parking lot says `beFair` (about once a millisecond, parking_lot's fair
 * timeout): a waiter may be overtaken, but not for long.
 *
 * @module
 */
import { PARK_INVALID, type ParkRequest, type UnparkResult } from "../backends/types.ts";
import { CoreBase, type PrimitiveOptions } from "./core.ts";
import { FOREVER, type Wait } from "../runtime/wait_options.ts";

const LOCKED = 1;
const PARKED = 2;
const HANDOFF = 1;
// The state cell.
const STATE = 0;
const RACE = 2;

/** A resolved `true`, shared: awaiting it is as cheap as awaiting a fresh one. */
export const RESOLVED_TRUE: Promise<boolean> = Promise.resolve(true);
/** A resolved `false`, shared. */
export const RESOLVED_FALSE: Promise<boolean> = Promise.resolve(false);

/** What a lock makes on first contention and keeps: one field instead of two. */
interface SlowPath {
  // The request of a plain `acquire()` is the same every time.
  forever: ParkRequest<boolean | null> | undefined;
  // The callback of `unparkOne`, made once rather than per release.
  onUnpark: ((result: UnparkResult) => number) | undefined;
}

/**
 * A lock over cell 0 of a primitive's cells; see the module doc for the
 * state table. It is the primitive's `Core` too (one object per lock, not
 * two). Subclasses say what happens when a thread takes the lock
 * (`onAcquired`) and put their `kind` on their prototype.
 */
export class RawLock extends CoreBase {
  #slow: SlowPath | undefined = undefined;

  /**
   * @param kind The primitive's class name.
   * @param cellCount How many cells (cell 0 is the lock's state).
   * @param options The constructor's options.
   */
  constructor(kind: string, cellCount: number, options: PrimitiveOptions | undefined) {
    super(kind, cellCount, options);
  }

  /** Runs in the thread that has just taken the lock. */
  onAcquired(): void {}

  // Strict FIFO hand-off: every backend without `eventualFairness`.
  private get strict(): boolean {
    return !this.backend.capabilities.eventualFairness;
  }

  private slowPath(): SlowPath {
    return this.#slow ??= { forever: undefined, onUnpark: undefined };
  }

  /** Takes the lock if it is free; says whether it did. */
  tryAcquire(): boolean {
    const cells = this.cells;
    const i = STATE;
    // The common case in one step: free, nobody parked.
    if (cells.cas(i, 0, LOCKED)) {
      this.onAcquired();
      return true;
    }
    for (;;) {
      const state = cells.load(i);
      if (state & LOCKED) return false;
      if (cells.cas(i, state, state | LOCKED)) {
        this.onAcquired();
        return true;
      }
    }
  }

  /** Acquires, waiting as `wait` allows. */
  acquire(wait: Wait): Promise<boolean> {
    if (this.tryAcquire()) return RESOLVED_TRUE;
    if (!wait.blocking) return RESOLVED_FALSE;
    const request = this.request(wait);
    for (;;) {
      const parked = this.backend.park(this.cells, STATE, request);
      if (parked !== PARK_INVALID) return this.strict ? parked as Promise<boolean> : this.raceLater(parked, wait);
      // The lock was released between our try and the park: try again.
      if (this.tryAcquire()) return RESOLVED_TRUE;
    }
  }

  // Out of line, so that `acquire` itself makes no closure.
  private raceLater(parked: Promise<boolean | null>, wait: Wait): Promise<boolean> {
    const deadline = wait.timeout === Infinity ? Infinity : this.backend.now() + wait.timeout;
    return parked.then((got) => got !== null ? got : this.raceAgain(wait, deadline));
  }

  // Woken to race for the lock (eventual fairness): try, else park again
  // for what is left of the timeout.
  private raceAgain(wait: Wait, deadline: number): Promise<boolean> | boolean {
    if (this.tryAcquire()) return true;
    if (wait.signal?.aborted) throw wait.signal.reason;
    if (deadline === Infinity) return this.acquire(wait);
    const remaining = deadline - this.backend.now();
    if (remaining <= 0) return false;
    return this.acquire({ blocking: true, timeout: remaining, signal: wait.signal });
  }

  /** Acquires, blocking the calling thread as `wait` allows. */
  acquireSync(wait: Wait): boolean {
    if (this.tryAcquire()) return true;
    if (!wait.blocking) return false;
    let request = this.request(wait);
    const deadline = wait.timeout === Infinity ? Infinity : this.backend.now() + wait.timeout;
    for (;;) {
      const parked = this.backend.parkSync(this.cells, STATE, request);
      if (parked === true || parked === false) return parked;
      // Released between our try and the park, or woken to race for it.
      if (this.tryAcquire()) return true;
      if (parked === null && deadline !== Infinity) {
        const remaining = deadline - this.backend.now();
        if (remaining <= 0) return false;
        request = this.makeRequest({ blocking: true, timeout: remaining, signal: undefined });
      }
    }
  }

  /** Whether the lock is held. */
  locked(): boolean {
    return (this.cells.load(STATE) & LOCKED) !== 0;
  }

  /** Releases; returns `false` if the lock was not held. */
  release(): boolean {
    const cells = this.cells;
    const i = STATE;
    if (cells.cas(i, LOCKED, 0)) return true;
    if (!(cells.load(i) & LOCKED)) return false;
    this.backend.unparkOne(cells, i, this.#slow?.onUnpark ?? this.makeOnUnpark());
    return true;
  }

  private makeOnUnpark(): (result: UnparkResult) => number {
    return this.slowPath().onUnpark = this.strict
      ? (result) => this.handOff(result)
      : (result) => this.unparked(result);
  }

  // Strict FIFO: the lock stays locked and passes to the woken waiter.
  private handOff(result: UnparkResult): number {
    if (!result.unparked) {
      this.cells.store(STATE, 0);
      return 0;
    }
    if (!result.haveMore) this.cells.store(STATE, LOCKED);
    return HANDOFF;
  }

  private unparked(result: UnparkResult): number {
    const cells = this.cells;
    const i = STATE;
    if (!result.unparked) {
      cells.store(i, 0);
      return 0;
    }
    if (result.beFair === false && this.backend.capabilities.eventualFairness) {
      // Eventual fairness: free the lock and let the woken waiter race for it.
      cells.store(i, result.haveMore ? PARKED : 0);
      return RACE;
    }
    // Hand-off: the lock stays locked and passes to the woken waiter.
    if (!result.haveMore) cells.store(i, LOCKED);
    return HANDOFF;
  }

  private request(wait: Wait): ParkRequest<boolean | null> {
    if (wait === FOREVER) return this.#slow?.forever ?? (this.slowPath().forever = this.makeRequest(wait));
    return this.makeRequest(wait);
  }

  private makeRequest(wait: Wait): ParkRequest<boolean | null> {
    const cells = this.cells;
    const i = STATE;
    return {
      subject: this,
      op: "acquire",
      timeout: wait.timeout,
      signal: wait.signal,
      timeoutValue: false,
      validate() {
        for (;;) {
          const state = cells.load(i);
          if (!(state & LOCKED)) return false;
          if (state & PARKED || cells.cas(i, state, state | PARKED)) return true;
        }
      },
      timedOut(wasLast) {
        if (!wasLast) return;
        for (;;) {
          const state = cells.load(i);
          if (cells.cas(i, state, state & ~PARKED)) return;
        }
      },
      // `null`: woken to race for the lock, not handed it (never, on a strict backend).
      wake: this.strict
        ? () => {
          this.onAcquired();
          return true;
        }
        : (token) => {
          if (token === RACE) return null;
          this.onAcquired();
          return true;
        },
    };
  }
}
