/**
 * The lock algorithm shared by `Lock` and `RLock`, over one state cell.
 *
 * State table (cell 0), `tag << 2 | PARKED | LOCKED`:
 *
 * | value | meaning                                  |
 * |-------|------------------------------------------|
 * | 0     | unlocked                                 |
 * | 1     | locked, nobody parked                    |
 * | 3     | locked, one or more waiters parked       |
 * | 2     | unlocked, waiters parked (one was woken to race for it) |
 *
 * The bits above those two hold the holder's tag (`Cells.holder`) where
 * the backend can tell a dead holder (a Worker of `atomics`), else 0: the
 * main isolate's threads, threads of one isolate, and a lock handed off and
 * not yet taken by the waiter it was handed to. A lock whose holder's
 * thread has ended (died, for a `Lock`; ended in any way, for an `RLock`,
 * which nobody else may release) is abandoned: the next thread to wait for
 * it takes it in its `validate`, under the lot's lock for the cell, and its
 * acquire rejects with `AbandonedLockError`, the lock held. A thread that
 * already waits is told to look again by the lot (`ParkRequest.robust`:
 * woken to race). A waiter that dies while a hand-off or a wake-up is on its
 * way to it passes it on (`ParkRequest.handBack`).
 *
 * The PARKED bit is set by a waiter's `validate` and cleared by the last
 * waiter to leave by timeout or abort, both under the parking lot's
 * bookkeeping for the cell. `release` swaps 0 in (one `exchange`, as cheap
 * as a store); if that was not the common case (held by this thread, nobody
 * parked) it repairs what the swap wrote out of line: with waiters parked it
 * puts the PARKED bit back and takes the lock again, then hands it straight
 * to the oldest waiter: the state stays locked and the waiter wakes owning
 * it, so a task that releases and re-acquires in a loop can never barge
 * ahead of a waiter (FIFO hand-off; a futex-style "clear and wake" lets the
 * releaser win nearly every time in one isolate). Between Workers another
 * thread may take the lock in the instant between the swap and the re-take;
 * the PARKED bit makes that thread's release wake a waiter instead.
 *
 * Whether to hand off is the parking lot's answer, as in parking_lot's
 * `unlock_slow`: the lot of `atomics` says `beFair: false` most of the
 * time, because a hand-off between Workers costs a sleeping thread's
 * wake-up (about 8 us), and strict hand-off would cap a contended lock at
 * one owner per wake-up. Then the release frees the lock (state 0, or 2
 * while others stay parked) and wakes the oldest waiter to race for it
 * (token RACE); the lot says `beFair` about once a millisecond (parking_lot's
 * fair timeout), so a waiter may be overtaken, but not for long. A lot that
 * does not say (the in-isolate ones) gets hand-off every time. A waiter
 * woken to race that loses parks again, inside its own wait (its `wake`
 * returns the new attempt), so a lock never asks which lot it is on.
 *
 * A backend may supply a mutex of its own (`Backend.mutex`); the lock then
 * runs on it, and this algorithm is not used (`async` does so: in one
 * isolate a flag and a queue do the same with less work).
 *
 * @module
 */
import {
  type Backend,
  type Cells,
  HOLDER_DIED,
  type MutexOwner,
  PARK_INVALID,
  type ParkRequest,
  type RawMutex,
  type UnparkResult,
} from "../backends/types.ts";
import type { ThreadIdentity } from "../runtime/current_thread.ts";
import { AbandonedLockError } from "../runtime/errors.ts";
import { CoreBase, coreCells, type PrimitiveOptions } from "./core.ts";
import { FOREVER, type Wait } from "../runtime/wait_options.ts";

const LOCKED = 1;
const PARKED = 2;
const TAG_SHIFT = 2;
const HANDOFF = 1;
// The state cell.
const STATE = 0;
const RACE = 2;
/** The token a lock's waiter is woken with to race for it (a lock's `robust.recheck`). */
export const LOCK_RACE = RACE;

// Set by a waiter's `validate` when it took an abandoned lock (who held it),
// and read by that waiter right after its park call returns, before any
// other code of this isolate runs.
let tookAbandoned: string | undefined = undefined;

/** A resolved `true`, shared: awaiting it is as cheap as awaiting a fresh one. */
export const RESOLVED_TRUE: Promise<boolean> = Promise.resolve(true);
/** A resolved `false`, shared. */
export const RESOLVED_FALSE: Promise<boolean> = Promise.resolve(false);

/** What a lock makes on first contention and keeps. */
interface SlowPath {
  // The requests of a plain `acquire()` and `acquireSync()` are the same every time, and so is the first
  // (spinning) one of a Condition waiter re-taking the lock (`lockSync(FOREVER, true)`).
  forever: ParkRequest<boolean> | undefined;
  foreverSync: ParkRequest<boolean | null> | undefined;
  foreverSoonSync: ParkRequest<boolean | null> | undefined;
  // The callback of `unparkOne`, made once rather than per release.
  onUnpark: ((result: UnparkResult) => number) | undefined;
}

// Beside the locks rather than in a field: most locks are never contended.
const slowPaths = new WeakMap<RawLock, SlowPath>();

/**
 * A lock over cell 0 of a primitive's cells; see the module doc for the
 * state table. It is the primitive's `Core` too, and for a `Lock` the
 * `Lock` itself: one object per lock (its methods, `tryLock`, `lock`,
 * `lockSync`, `unlock`, `isLocked`, are named as Rust's `lock_api` names
 * them, so that none shadows a `Lock` method of Python's name). Subclasses
 * say what happens when a thread takes the lock (`acquired`) and put their
 * `kind` on their prototype. Callers lock through `mutex`: this object, or
 * the backend's own mutex.
 *
 * It has two fields, not enumerable (a structured clone of a `Lock` carries
 * only its handle): its cells and the index of its cell 0 in them. With
 * `slot`, where the backend can (`atomics`), the cells are its slab's,
 * shared with the other primitives there, so a lock costs no cells object of
 * its own. Its backend is its cells' (an own property only where the cells
 * do not say it); its mutex is itself (an own property only where the
 * backend has its own); what a contended lock keeps is in a side table.
 */
export class RawLock extends CoreBase implements RawMutex, MutexOwner {
  /** The cells the lock's state is in, from cell `at` on. */
  declare readonly cells: Cells;
  /** The index of the lock's cell 0 in `cells`. */
  declare readonly at: number;

  /**
   * @param kind The primitive's class name.
   * @param cellCount How many cells (cell 0 is the lock's state).
   * @param options The constructor's options.
   * @param slot Take a slot of cells shared with other primitives, where the backend can (only for
   *   a primitive whose code adds `at` to every cell index).
   */
  constructor(kind: string, cellCount: number, options: PrimitiveOptions | undefined, slot = false) {
    const { backend, cells, at } = coreCells(kind, cellCount, options, { slot });
    super(backend, kind);
    // Not enumerable: a `Lock` is this object, and a structured clone of it must carry only its handle.
    Object.defineProperty(this, "cells", { value: cells });
    Object.defineProperty(this, "at", { value: at });
    if (cells.backend !== backend) Object.defineProperty(this, "backend", { value: backend });
    const own = backend.mutex;
    if (own !== undefined) Object.defineProperty(this, "mutex", { value: own.call(backend, this) });
  }

  /** The backend the lock runs on: its cells' (see the class doc). */
  get backend(): Backend {
    return this.cells.backend!;
  }

  /** The mutex to lock through: the backend's own if it has one (an own property then), else this lock. */
  get mutex(): RawMutex {
    return this;
  }

  /**
   * How the holder's thread must have ended for the lock to be abandoned,
   * as the waiters' `robust` request field says it: on the prototype. A
   * `Lock` has no owner (any thread may release it), so only a holder that
   * died abandons it, not one that returned (Python's hand-over between
   * threads); `RLock` overrides it.
   */
  declare readonly robustWait: { readonly recheck: number; readonly abandonedAt: number };

  /**
   * Runs when a thread takes the lock, before it runs on.
   *
   * @param _thread The thread that took it; `undefined`: the calling thread.
   */
  acquired(_thread: ThreadIdentity | undefined): void {}

  /** Gives up a lock that a dying thread took only to pass it on (a subclass forgets its owner first). */
  giveBack(): void {
    this.unlock();
  }

  private slowPath(): SlowPath {
    let slow = slowPaths.get(this);
    if (slow === undefined) {
      slowPaths.set(
        this,
        slow = { forever: undefined, foreverSync: undefined, foreverSoonSync: undefined, onUnpark: undefined },
      );
    }
    return slow;
  }

  /** Takes the lock if it is free; says whether it did. */
  tryLock(): boolean {
    const cells = this.cells;
    const i = this.at + STATE;
    const mine = ((cells.holder ?? 0) << TAG_SHIFT) | LOCKED;
    // The common case in one step: free, nobody parked.
    if (cells.cas(i, 0, mine)) {
      this.acquired(undefined);
      return true;
    }
    return this.tryLockSlow(mine);
  }

  // Free, with waiters parked (one woken to race), or held: out of line, so that the common case inlines.
  private tryLockSlow(mine: number): boolean {
    const cells = this.cells;
    const i = this.at + STATE;
    for (;;) {
      const state = cells.load(i);
      if (state & LOCKED) return false;
      if (cells.cas(i, state, state | mine)) {
        this.acquired(undefined);
        return true;
      }
    }
  }

  /** Takes the lock, waiting as `wait` allows. */
  lock(wait: Wait): Promise<boolean> {
    if (this.tryLock()) return RESOLVED_TRUE;
    if (!wait.blocking) return this.takeIfAbandoned() ? Promise.reject(this.abandoned()) : RESOLVED_FALSE;
    const request = wait === FOREVER ? this.slowPath().forever ??= this.makeRequest(wait) : this.makeRequest(wait);
    for (;;) {
      const parked = this.backend.park(this.cells, this.at + STATE, request);
      if (parked !== PARK_INVALID) return parked;
      if (tookAbandoned !== undefined) return Promise.reject(this.abandoned());
      // The lock was released between our try and the park: try again.
      if (this.tryLock()) return RESOLVED_TRUE;
    }
  }

  // A try that found the lock held: take it if its holder has ended, as a wait's `validate` would (and
  // there, under the lot's lock for the cell), as POSIX's `pthread_mutex_trylock` does.
  private takeIfAbandoned(): boolean {
    const cells = this.cells;
    const i = this.at + STATE;
    const state = cells.load(i);
    const tag = state >>> TAG_SHIFT;
    if (tag === 0 || cells.holderEnded!(tag) < this.robustWait.abandonedAt) return false;
    // A wait of no time: its `validate` takes the lock (and declines to queue), or it leaves at once.
    this.backend.parkSync(cells, i, this.makeSyncRequest({ blocking: true, timeout: 0, signal: undefined }));
    return tookAbandoned !== undefined;
  }

  // The error of an acquire whose `validate` took the lock from a dead holder (the caller holds it).
  private abandoned(): AbandonedLockError {
    const who = tookAbandoned;
    tookAbandoned = undefined;
    return new AbandonedLockError(
      `Acquired ${this.label}, abandoned by ${who} that ended while holding it: the caller holds it now, and what it guards may be half-updated`,
    );
  }

  // Woken to race for the lock, and the race is this waiter's to run: try,
  // else park again for what is left of the timeout.
  private raceAgain(wait: Wait, deadline: number): Promise<boolean> | boolean {
    if (this.tryLock()) return true;
    if (wait.signal?.aborted) throw wait.signal.reason;
    if (deadline === Infinity) return this.lock(wait);
    const remaining = deadline - this.backend.now();
    if (remaining <= 0) return false;
    return this.lock({ blocking: true, timeout: remaining, signal: wait.signal });
  }

  /**
   * Takes the lock, blocking the calling thread as `wait` allows; `soon`: its
   * first sleep may be preceded by a spin (see `RawMutex.lockSync`).
   */
  lockSync(wait: Wait, soon = false): boolean {
    // Kept small, the rest out of line, so that V8 inlines an uncontended acquire into the caller.
    return this.tryLock() || this.lockSyncSlow(wait, soon);
  }

  private lockSyncSlow(wait: Wait, soon: boolean): boolean {
    if (!wait.blocking) {
      if (this.takeIfAbandoned()) throw this.abandoned();
      return false;
    }
    const kept = wait === FOREVER ? this.slowPath() : undefined;
    let steady = kept ? kept.foreverSync ??= this.makeSyncRequest(wait) : this.makeSyncRequest(wait);
    // Only the first park may spin: any later one follows a race this thread lost.
    let request = steady;
    if (soon) {
      request = kept ? kept.foreverSoonSync ??= this.makeSyncRequest(wait, true) : this.makeSyncRequest(wait, true);
    }
    const deadline = wait.timeout === Infinity ? Infinity : this.backend.now() + wait.timeout;
    for (;;) {
      const parked = this.backend.parkSync(this.cells, this.at + STATE, request);
      request = steady;
      if (parked === true || parked === false) return parked;
      if (tookAbandoned !== undefined) throw this.abandoned();
      // Released between our try and the park, or woken to race for it.
      if (this.tryLock()) return true;
      if (parked === null && deadline !== Infinity) {
        const remaining = deadline - this.backend.now();
        if (remaining <= 0) return false;
        request = steady = this.makeSyncRequest({ blocking: true, timeout: remaining, signal: undefined });
      }
    }
  }

  /** Whether the lock is held. */
  isLocked(): boolean {
    return (this.cells.load(this.at + STATE) & LOCKED) !== 0;
  }

  /** Whether the lock is held, read without a fence (see `RawMutex.isLockedRelaxed`). */
  isLockedRelaxed(): boolean {
    return (this.cells.loadRelaxed(this.at + STATE) & LOCKED) !== 0;
  }

  /** Frees the lock, or hands it to the oldest waiter; returns `false` if it was not held. */
  unlock(): boolean {
    const cells = this.cells;
    // One unconditional swap, not a compare-and-swap: an `Atomics.exchange` costs what a store costs
    // (`bench/lock_shape_floor.ts`), a failed guess is repaired out of line (`unlockSlow`). Kept small, so that V8
    // inlines an uncontended release into the caller.
    const was = cells.exchange(this.at + STATE, 0);
    return was === (((cells.holder ?? 0) << TAG_SHIFT) | LOCKED) || this.unlockSlow(was);
  }

  // The release wrote 0 over `was`, which was not "held by this thread, nobody parked". Held under
  // another thread's tag (any thread may release a Lock) or not held at all, with nobody parked: that 0
  // is right. With waiters parked, it dropped the bit that says so, and until the bit is back another
  // thread may take the lock and release it without waking anyone: put it back at once (never lost: a
  // waiter's `validate` sees the lock free meanwhile and tries again instead of parking). Then, if the
  // lock was held, take it again to wake a waiter as before, unless another thread took it meanwhile:
  // the bit makes that thread's release wake one.
  private unlockSlow(was: number): boolean {
    const held = (was & LOCKED) !== 0;
    if (!(was & PARKED)) return held;
    const cells = this.cells;
    const i = this.at + STATE;
    // Made again rather than passed in by `unlock`: passing it slowed a Condition's uncontended acquire +
    // notify + release on `atomics` from 1.28x to 1.53x the raw pair (`bench/atomics_ratios.ts`).
    const mine = ((cells.holder ?? 0) << TAG_SHIFT) | LOCKED;
    for (;;) {
      const state = cells.load(i);
      if (state === 0 && held) {
        if (cells.cas(i, 0, mine | PARKED)) break;
      } else if (state & PARKED || cells.cas(i, state, state | PARKED)) return held;
    }
    this.backend.unparkOne(cells, i, this.slowPath().onUnpark ??= (result) => this.unparked(result));
    return true;
  }

  // parking_lot's `unlock_slow`: hand off unless the lot says not to be fair now.
  private unparked(result: UnparkResult): number {
    const cells = this.cells;
    const i = this.at + STATE;
    if (!result.unparked) {
      cells.store(i, 0);
      return 0;
    }
    if (result.beFair === false) {
      // Free the lock and let the woken waiter race for it.
      cells.store(i, result.haveMore ? PARKED : 0);
      return RACE;
    }
    // Hand-off: the lock stays locked and passes to the woken waiter, with no
    // holder tag until it takes it (the releaser may end meanwhile).
    cells.store(i, result.haveMore ? LOCKED | PARKED : LOCKED);
    return HANDOFF;
  }

  // A woken waiter takes the lock handed to it: its tag goes in, then it is the owner.
  private tookHandOff(): void {
    const cells = this.cells;
    const tag = cells.holder ?? 0;
    if (tag !== 0) {
      const i = this.at + STATE;
      for (;;) {
        const state = cells.load(i);
        if (cells.cas(i, state, (state & (LOCKED | PARKED)) | (tag << TAG_SHIFT))) break;
      }
    }
    this.acquired(undefined);
  }

  // The request of an awaiting acquire: a waiter woken to race runs the race
  // in its `wake`, whose promise its park then adopts.
  private makeRequest(wait: Wait): ParkRequest<boolean> {
    const deadline = wait.timeout === Infinity ? Infinity : this.backend.now() + wait.timeout;
    return this.requestOf(wait, false, (token) => {
      if (token === RACE) return this.raceAgain(wait, deadline) as boolean;
      this.tookHandOff();
      return true;
    });
  }

  // The request of a blocking acquire: `null` when woken to race (`acquireSync` loops).
  private makeSyncRequest(wait: Wait, spin = false): ParkRequest<boolean | null> {
    return this.requestOf<boolean | null>(wait, spin, (token) => {
      if (token === RACE) return null;
      this.tookHandOff();
      return true;
    });
  }

  private requestOf<T>(wait: Wait, spin: boolean, wake: (token: number) => T): ParkRequest<T> {
    const cells = this.cells;
    const i = this.at + STATE;
    const robust = this.robustWait;
    return {
      subject: this,
      op: "acquire",
      // Woken to race, a waiter that spun and lost would park again at once (see `ParkRequest.spin`):
      // only the first park of a `lockSync(wait, true)` spins.
      spin,
      timeout: wait.timeout,
      signal: wait.signal,
      timeoutValue: false as T,
      robust,
      validate: () => {
        for (;;) {
          const state = cells.load(i);
          if (!(state & LOCKED)) return false;
          const tag = state >>> TAG_SHIFT;
          if (tag !== 0 && cells.holderEnded!(tag) >= robust.abandonedAt) {
            // Its holder ended holding it: take it now, under the lot's lock for the cell.
            const who = this.holder();
            if (!cells.cas(i, state, (state & PARKED) | ((cells.holder ?? 0) << TAG_SHIFT) | LOCKED)) continue;
            tookAbandoned = who === undefined ? "a thread" : `thread '${who}'`;
            this.acquired(undefined);
            return false;
          }
          if (state & PARKED || cells.cas(i, state, state | PARKED)) return true;
        }
      },
      // Dying with the lock on its way: pass it on (handed off), or pass the wake-up on (woken to race).
      handBack: (token) => {
        if (token === HANDOFF || this.tryLock()) this.giveBack();
      },
      timedOut(wasLast) {
        if (!wasLast) return;
        for (;;) {
          const state = cells.load(i);
          if (cells.cas(i, state, state & ~PARKED)) return;
        }
      },
      wake,
    };
  }
}

Object.defineProperty(RawLock.prototype, "robustWait", {
  value: Object.freeze({ recheck: RACE, abandonedAt: HOLDER_DIED }),
});
