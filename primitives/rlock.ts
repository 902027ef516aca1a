/**
 * `RLock`: Python's reentrant lock.
 *
 * @module
 */
import { currentIdentity, type ThreadIdentity } from "../runtime/current_thread.ts";
import { type Backend, HOLDER_RETURNED } from "../backends/types.ts";
import { openGuard, runExclusiveOf } from "./_guard.ts";
import { LOCK_RACE, RawLock, RESOLVED_TRUE } from "./_raw_lock.ts";
import { type CoreOptions, exposeHandle, type PrimitiveOptions, REVIVE_AT } from "./core.ts";
import { threadName } from "../runtime/thread_names.ts";
import { abortedSignal, checkAcquire, FOREVER, type Wait, type WaitOptions } from "../runtime/wait_options.ts";
import { AbandonedLockError, RuntimeError } from "../runtime/errors.ts";
import { registerShareable } from "./revive.ts";

// Cells: 0 the lock state (see _raw_lock.ts), 1 the owner's ident (0: none),
// 2 the recursion count. Only the owner writes cells 1 and 2, while it holds
// the lock, so they are read and written without a fence (`loadRelaxed`,
// `storeRelaxed`): the lock's own release orders them for the next owner. A
// thread that reads the owner meanwhile sees some owner's ident or 0, never
// its own unless it is the owner (it wrote 0 there itself, in order, before
// it let go), which is all an owner check needs (CPython's RLock reads its
// owner so too). Only an owner reads the count, and an owner writes it
// first (`acquired`, `acquireRestore`): letting go leaves it as it is.
const OWNER = 1;
const COUNT = 2;

/** What `RLock.releaseSave` returns and `acquireRestore` takes. */
export type RLockSavedState = readonly [count: number, owner: number];

// The owner takes the lock with a count of one.
class RLockCore extends RawLock {
  override acquired(thread: ThreadIdentity | undefined): void {
    this.cells.storeRelaxed(OWNER, (thread ?? currentIdentity()).ident);
    this.cells.storeRelaxed(COUNT, 1);
  }

  override holder(): string | undefined {
    const owner = this.cells.loadRelaxed(OWNER);
    return owner === 0 ? undefined : threadName(owner);
  }

  override giveBack(): void {
    this.cells.storeRelaxed(OWNER, 0);
    this.unlock();
  }
}
// On the prototype: no `kind` field per lock. Only its owner may release an RLock: once the owner's
// thread has ended in any way, nobody can, and the lock is abandoned.
Object.defineProperty(RLockCore.prototype, "kind", { value: "RLock" });
Object.defineProperty(RLockCore.prototype, "robustWait", {
  value: Object.freeze({ recheck: LOCK_RACE, abandonedAt: HOLDER_RETURNED }),
});

/**
 * A reentrant lock (Python's `threading.RLock`): owned by the thread that
 * acquired it, which may acquire it again without blocking. Each `acquire`
 * must be matched by a `release` of the same thread; the lock is free when
 * the outermost one is released. Ownership follows the thread (the async task
 * on in-isolate backends) across every `await`.
 *
 * Waiters are served oldest first, as for {@linkcode Lock}. On `atomics`,
 * an RLock whose owner's Worker ends while owning it, however it ends, is
 * abandoned (nobody else may release it): the thread that takes it next
 * gets {@linkcode AbandonedLockError}, owning it with a count of one.
 *
 * @example Taken twice by its owner
 * ```ts
 * import { RLock } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * const rlock = new RLock();
 * await rlock.acquire();
 * assertEquals(await rlock.acquire(false), true);
 * rlock.release();
 * rlock.release();
 * assertEquals(rlock.locked(), false);
 * ```
 */
export class RLock {
  readonly #core: RLockCore;
  // The getter behind the handle a structured clone carries (one for all instances).
  static readonly #shared: PropertyDescriptor = {
    enumerable: true,
    get(this: RLock) {
      return this.#core.handle();
    },
  };

  /**
   * Creates an unlocked reentrant lock.
   *
   * @param options `backend`: the backend by name or object.
   * @throws {TypeError} If the backend is unknown, or `options` is not an options object with only `backend`.
   */
  constructor(options?: PrimitiveOptions) {
    this.#core = new RLockCore("RLock", 3, options);
    exposeHandle(this, RLock.#shared);
  }

  /**
   * Acquires the lock. If the calling thread owns it already, the recursion
   * count goes up and the call returns `true` at once; otherwise it waits as
   * `Lock.acquire` does.
   *
   * @param blocking Whether to wait (default `true`), or the options object.
   * @param timeout Milliseconds to wait; omitted, `null` or `-1`: forever.
   * @returns `true` once acquired; `false` if not acquired.
   * @throws {ValueError} If `timeout` is negative (other than -1), or given with `blocking` false.
   * @throws {OverflowError} If `timeout` is above `TIMEOUT_MAX`.
   * @throws {AbandonedLockError} If it took the lock from an owner whose thread ended (the caller owns it).
   *
   * @example Reentry
   * ```ts
   * import { RLock } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const rlock = new RLock();
   * await rlock.acquire();
   * assertEquals(await rlock.acquire(), true);
   * rlock.release();
   * rlock.release();
   * ```
   */
  acquire(blocking?: boolean, timeout?: number | null): Promise<boolean>;
  /**
   * Acquires the lock with options `{ blocking, timeout, signal }`.
   *
   * @param options How to wait.
   * @returns `true` once acquired; `false` if not acquired.
   */
  acquire(options: WaitOptions): Promise<boolean>;
  acquire(blocking?: boolean | WaitOptions, timeout?: number | null): Promise<boolean> {
    const aborted = abortedSignal(blocking);
    if (aborted) return Promise.reject(aborted.reason);
    let wait: Wait;
    try {
      wait = blocking === undefined && timeout === undefined
        ? FOREVER
        : checkAcquire(`acquire ${this.#core.label}`, blocking, timeout);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.acquireChecked(wait);
  }

  /**
   * Acquires with arguments already checked.
   *
   * @internal
   * @param wait A checked wait.
   * @returns Whether the lock was acquired.
   */
  acquireChecked(wait: Wait): Promise<boolean> {
    const core = this.#core;
    const entered = core.enter("acquire");
    return entered === undefined ? this.acquireOwned(wait) : entered.then(() => this.acquireOwned(wait));
  }

  /** Acquires: at once if the caller owns the lock already, else as `RawLock`. */
  private acquireOwned(wait: Wait): Promise<boolean> {
    const cells = this.#core.cells;
    if (cells.loadRelaxed(OWNER) === currentIdentity().ident) {
      cells.storeRelaxed(COUNT, cells.loadRelaxed(COUNT) + 1);
      return RESOLVED_TRUE;
    }
    return this.#core.mutex.lock(wait);
  }

  /**
   * Acquires the lock, blocking the calling thread (see `Lock.acquireSync`).
   *
   * @param blocking Whether to wait (default `true`).
   * @param timeout Milliseconds to wait; omitted, `null` or `-1`: forever.
   * @returns `true` once acquired; `false` if not acquired.
   * @throws {ValueError} If `timeout` is negative (other than -1), or given with `blocking` false.
   * @throws {OverflowError} If `timeout` is above `TIMEOUT_MAX`.
   * @throws {AbandonedLockError} If it took the lock from an owner whose thread ended (the caller owns it).
   * @throws {DeadlockError} If it would wait forever where nothing can wake it.
   *
   * @example Reentry without awaiting
   * ```ts
   * import { RLock } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const rlock = new RLock();
   * assertEquals(rlock.acquireSync(), true);
   * assertEquals(rlock.acquireSync(), true);
   * rlock.release();
   * rlock.release();
   * ```
   */
  acquireSync(blocking?: boolean, timeout?: number | null): boolean {
    const wait = blocking === undefined && timeout === undefined
      ? FOREVER
      : checkAcquire(`acquire ${this.#core.label}`, blocking, timeout);
    // The re-entry of `acquireOwned`, written out again: as a shared private method it made an uncontended
    // pair on `atomics` 1.57x -> 1.75x the raw one (`bench/atomics_ratios.ts`).
    const cells = this.#core.cells;
    if (cells.loadRelaxed(OWNER) === currentIdentity().ident) {
      cells.storeRelaxed(COUNT, cells.loadRelaxed(COUNT) + 1);
      return true;
    }
    return this.#core.mutex.lockSync(wait);
  }

  /**
   * Releases one level of ownership; the lock is freed (and handed to the
   * oldest waiter, if any) when the count reaches zero.
   *
   * @throws {RuntimeError} If the calling thread does not own the lock.
   *
   * @example Only the owner may release
   * ```ts
   * import { RLock, RuntimeError } from "@locksmith/threading";
   * import { assertThrows } from "@std/assert";
   *
   * assertThrows(() => new RLock().release(), RuntimeError);
   * ```
   */
  release(): void {
    const core = this.#core;
    const cells = core.cells;
    if (cells.loadRelaxed(OWNER) !== currentIdentity().ident) throw this.notOwned();
    const count = cells.loadRelaxed(COUNT) - 1;
    if (count === 0) {
      cells.storeRelaxed(OWNER, 0);
      this.#core.mutex.unlock();
    } else cells.storeRelaxed(COUNT, count);
    core.record("release");
  }

  /** The error of a release by a thread that does not own the lock. */
  private notOwned(): RuntimeError {
    const core = this.#core;
    return new RuntimeError(
      `Cannot release un-acquired lock: ${core.label} is not owned by thread '${currentIdentity().name}'${
        this.locked() ? ` (owner: ${core.holder()})` : ""
      }`,
    );
  }

  /**
   * Says whether the lock is held by any thread.
   *
   * @returns `true` if locked.
   *
   * @example A new reentrant lock is unlocked
   * ```ts
   * import { RLock } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new RLock().locked(), false);
   * ```
   */
  locked(): boolean {
    return this.#core.mutex.isLocked();
  }

  /**
   * Acquires and returns a `Disposable` that releases exactly once.
   *
   * @param options How to wait; a guard that could not acquire rejects.
   * @returns A disposable that releases one level.
   * @throws {TimeoutError} If not acquired.
   *
   * @example Nested guards
   * ```ts
   * import { RLock } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const rlock = new RLock();
   * {
   *   using _outer = await rlock.guard();
   *   using _inner = await rlock.guard();
   *   assertEquals(rlock.locked(), true);
   * }
   * assertEquals(rlock.locked(), false);
   * ```
   */
  guard(options?: WaitOptions): Promise<Disposable> {
    return openGuard(this, this.#core.label, options);
  }

  /**
   * Runs `fn` while holding the lock and releases it however `fn` ends.
   *
   * @param fn The critical section.
   * @returns What `fn` returns.
   *
   * @example Running under the lock
   * ```ts
   * import { RLock } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(await new RLock().runExclusive(() => "done"), "done");
   * ```
   */
  runExclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    return runExclusiveOf(this, FOREVER, fn);
  }

  /**
   * Whether the calling thread owns the lock (Python's `_is_owned`).
   *
   * @internal
   * @returns `true` if owned by the caller.
   */
  isOwned(): boolean {
    return this.#core.cells.loadRelaxed(OWNER) === currentIdentity().ident;
  }

  /**
   * Releases every level at once and returns what restores them (used by
   * `Condition.wait`; Python's `_release_save`).
   *
   * @internal
   * @returns The saved recursion count and owner.
   * @throws {RuntimeError} If the calling thread does not own the lock.
   */
  releaseSave(): RLockSavedState {
    const cells = this.#core.cells;
    // As Python's `_release_save`: never free a lock the caller does not own.
    if (cells.loadRelaxed(OWNER) !== currentIdentity().ident) throw this.notOwned();
    const saved = [cells.loadRelaxed(COUNT), cells.loadRelaxed(OWNER)] as const;
    cells.storeRelaxed(OWNER, 0);
    this.#core.mutex.unlock();
    return saved;
  }

  /**
   * Re-acquires and restores what `releaseSave` returned.
   *
   * @internal
   * @param saved What `releaseSave` returned.
   * @param sync Block the thread instead of awaiting.
   * @returns Resolves once re-acquired.
   */
  acquireRestore(saved: RLockSavedState, sync: boolean): Promise<void> | void {
    const cells = this.#core.cells;
    const restore = () => {
      cells.storeRelaxed(OWNER, saved[1]);
      cells.storeRelaxed(COUNT, saved[0]);
    };
    if (sync) {
      try {
        // The notifier holds the lock and is about to let go: the first sleep may spin.
        this.#core.mutex.lockSync(FOREVER, true);
      } catch (error) {
        // Abandoned by a dead owner: taken all the same, at the depth the waiter held it.
        if (error instanceof AbandonedLockError) restore();
        throw error;
      }
      restore();
      return;
    }
    return this.#core.mutex.lock(FOREVER).then(restore, (error) => {
      if (error instanceof AbandonedLockError) restore();
      throw error;
    });
  }

  /** `RLock#N`, for messages and traces. */
  get label(): string {
    return this.#core.label;
  }

  /**
   * The lock's backend.
   *
   * @internal
   */
  get backend(): Backend {
    return this.#core.backend;
  }

  /**
   * Describes the lock, as Python's repr does.
   *
   * @returns Owner and count, such as `<locked RLock#2 owner=MainThread count=1>` or `<unlocked RLock#2 count=0>`.
   */
  toString(): string {
    const cells = this.#core.cells;
    return this.locked()
      ? `<locked ${this.#core.label} owner=${this.#core.holder()} count=${cells.loadRelaxed(COUNT)}>`
      : `<unlocked ${this.#core.label} count=0>`;
  }
}

registerShareable("RLock", RLock, (backend, _facts, at) => new RLock({ backend, [REVIVE_AT]: at } as CoreOptions));
