/**
 * `Condition`: Python's condition variable.
 *
 * @module
 */
import { PARK_INVALID, type ParkRequest } from "../backends/types.ts";
import type { Backend } from "../backends/types.ts";
import { Core, type CoreOptions, exposeHandle, PRIMITIVE_OPTIONS, type PrimitiveOptions, REVIVE_AT } from "./core.ts";
import { openGuard, runExclusiveOf } from "./_guard.ts";
import { describe } from "../runtime/describe.ts";
import { checkOptions } from "../runtime/options.ts";
import { abortedSignal, checkWait, FOREVER, type Wait, type WaitOptions } from "../runtime/wait_options.ts";
import { RuntimeError, ValueError } from "../runtime/errors.ts";
import { Lock } from "./lock.ts";
import { RLock } from "./rlock.ts";
import { registerShareable } from "./revive.ts";

const NOTIFIED = 1;
// Cells: 0 the key the waiters park on; 1 how many threads are between the
// start of a wait and its end (parked, or about to be). Changed with atomic
// adds, and only by a thread that holds the lock at the increment (a waiter
// counts itself in before its park releases the lock), so a notify, which
// holds the lock too, that reads 0 knows that nobody waits and skips the
// parking lot (whose `unparkMany` costs a bucket's lock even when nobody is
// queued).
const WAITERS = 0;
const WAITING = 1;

/**
 * A condition variable (Python's `threading.Condition`): threads holding its
 * lock `wait()` until another thread holding the lock calls `notify()`.
 *
 * `wait()` releases the lock, sleeps until notified (or until its timeout),
 * and re-acquires the lock before it returns, however it ends. `notify(n)`
 * wakes exactly `n` waiters (fewer if fewer wait), oldest first; a notify
 * never reaches a waiter that has already timed out, and none is lost
 * between a waiter's release and its sleep. A woken waiter re-acquires the
 * lock in FIFO order behind the threads already waiting for it.
 *
 * @example Producer and consumer
 * ```ts
 * import { Condition, Thread } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * const cond = new Condition();
 * const items: number[] = [];
 * const consumer = new Thread({
 *   target: async () => {
 *     using _ = await cond.guard();
 *     await cond.waitFor(() => items.length > 0);
 *     assertEquals(items.shift(), 42);
 *   },
 * });
 * consumer.start();
 * {
 *   using _ = await cond.guard();
 *   items.push(42);
 *   cond.notify();
 * }
 * await consumer.join();
 * ```
 */
export class Condition {
  readonly #core: Core;
  // The getter behind the handle a structured clone carries (one for all instances).
  static readonly #shared: PropertyDescriptor = {
    enumerable: true,
    get(this: Condition) {
      return this.#core.handle();
    },
  };
  readonly #lock: Lock | RLock;
  // The request of a plain `wait()`, made on first use; what its `beforeSleep` saved (see `#takeReleased`).
  #forever: ParkRequest<boolean> | undefined = undefined;
  #released: readonly [number, number] | undefined = undefined;

  /**
   * Creates a condition over `lock`, or over a new `RLock`.
   *
   * @param lock The lock to use (default: a new `RLock` on the same backend).
   * @param options `backend`: the backend, when no lock is given.
   * @throws {TypeError} If `lock` is not a `Lock` or `RLock`, its backend differs from `options.backend`, or
   * `options` is not an options object with only `backend`.
   */
  constructor(lock?: Lock | RLock | null, options?: PrimitiveOptions) {
    if (lock !== undefined && lock !== null && !(lock instanceof Lock) && !(lock instanceof RLock)) {
      throw new TypeError(`Cannot create Condition as 'lock' must be a Lock or RLock: received ${describe(lock)}`);
    }
    // Checked before the spread below, which would turn an array or a number into a plain object.
    checkOptions("create Condition", options, PRIMITIVE_OPTIONS);
    const core = this.#core = new Core(
      "Condition",
      2,
      lock ? { ...options, backend: options?.backend ?? lock.backend } : options,
    );
    if (lock && lock.backend !== core.backend) {
      throw new TypeError(
        `Cannot create Condition on backend '${core.backend.name}' over a lock of backend '${lock.backend.name}'`,
      );
    }
    this.#lock = lock ?? new RLock({ backend: core.backend });
    core.facts = { lock: this.#lock };
    exposeHandle(this, Condition.#shared);
  }

  /**
   * Acquires the underlying lock (see `Lock.acquire`).
   *
   * @param blocking Whether to wait (default `true`), or the options object.
   * @param timeout Milliseconds to wait.
   * @returns `true` once acquired; `false` if not.
   *
   * @example Acquire and release
   * ```ts
   * import { Condition } from "@locksmith/threading";
   *
   * const cond = new Condition();
   * await cond.acquire();
   * cond.release();
   * ```
   */
  acquire(blocking?: boolean | WaitOptions, timeout?: number | null): Promise<boolean> {
    return (this.#lock as Lock).acquire(blocking as boolean, timeout);
  }

  /**
   * Acquires the underlying lock, blocking (see `Lock.acquireSync`).
   *
   * @param blocking Whether to wait (default `true`).
   * @param timeout Milliseconds to wait.
   * @returns `true` once acquired; `false` if not.
   *
   * @example Without awaiting
   * ```ts
   * import { Condition } from "@locksmith/threading";
   *
   * const cond = new Condition();
   * cond.acquireSync();
   * cond.release();
   * ```
   */
  acquireSync(blocking?: boolean, timeout?: number | null): boolean {
    return this.#lock.acquireSync(blocking, timeout);
  }

  /**
   * Releases the underlying lock.
   *
   * @throws {RuntimeError} If the lock is not held (by the caller, for an `RLock`).
   *
   * @example Releasing
   * ```ts
   * import { Condition } from "@locksmith/threading";
   *
   * const cond = new Condition();
   * await cond.acquire();
   * cond.release();
   * ```
   */
  release(): void {
    this.#lock.release();
  }

  /**
   * Whether the underlying lock is held.
   *
   * @returns `true` if locked.
   *
   * @example A new condition's lock is free
   * ```ts
   * import { Condition } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new Condition().locked(), false);
   * ```
   */
  locked(): boolean {
    return this.#lock.locked();
  }

  /**
   * Acquires the underlying lock and returns a `Disposable` that releases it.
   *
   * @param options How to wait.
   * @returns A disposable that releases the lock once.
   * @throws {TimeoutError} If not acquired.
   *
   * @example Python's `with cond:`
   * ```ts
   * import { Condition } from "@locksmith/threading";
   *
   * const cond = new Condition();
   * {
   *   using _ = await cond.guard();
   *   cond.notifyAll();
   * }
   * ```
   */
  guard(options?: WaitOptions): Promise<Disposable> {
    return openGuard(this.#lock, this.#core.label, options);
  }

  /**
   * Runs `fn` while holding the underlying lock.
   *
   * @param fn The critical section.
   * @returns What `fn` returns.
   *
   * @example Under the lock
   * ```ts
   * import { Condition } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(await new Condition().runExclusive(() => 1), 1);
   * ```
   */
  runExclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    return runExclusiveOf(this.#lock, FOREVER, fn);
  }

  /**
   * Waits until notified or until the timeout elapses. The caller must hold
   * the lock; it is released while waiting and re-acquired before returning,
   * even when the wait times out or its signal aborts.
   *
   * @param timeout Milliseconds, or `{ timeout, signal }`; omitted: forever.
   * @returns `true` if notified, `false` if the timeout elapsed.
   * @throws {RuntimeError} If the caller does not hold the lock.
   * @throws {ValueError} If `timeout` is negative (other than -1).
   * @throws {OverflowError} If `timeout` is above `TIMEOUT_MAX`.
   *
   * @example A wait that times out
   * ```ts
   * import { Condition } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const cond = new Condition();
   * using _ = await cond.guard();
   * assertEquals(await cond.wait(10), false);
   * ```
   */
  wait(timeout?: number | WaitOptions | null): Promise<boolean> {
    const aborted = abortedSignal(timeout);
    if (aborted) return Promise.reject(aborted.reason);
    let wait: Wait;
    try {
      // A plain `wait()` skips the check, and the message it would build on every call.
      wait = timeout === undefined ? FOREVER : checkWait(`wait on ${this.#core.label}`, timeout);
      this.#checkOwned("wait on");
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#wait(wait);
  }

  #wait(wait: Wait): Promise<boolean> {
    const core = this.#core;
    const entered = core.enter("wait");
    // No scheduling point: park at once rather than a microtask later.
    return entered === undefined ? this.#park(wait) : entered.then(() => this.#park(wait));
  }

  async #park(wait: Wait): Promise<boolean> {
    const core = this.#core;
    const request = wait === FOREVER ? this.#forever ??= this.#request(wait) : this.#request(wait);
    const cells = core.cells;
    cells.add(WAITING, 1);
    let parked: Promise<boolean> | typeof PARK_INVALID;
    try {
      parked = core.backend.park(cells, WAITERS, request);
    } catch (error) {
      cells.add(WAITING, -1);
      throw error;
    }
    // Taken now, not in the `finally` below as `waitSync` does: after the await, another waiter's park may
    // have saved its own.
    const saved = this.#takeReleased();
    try {
      if (parked === PARK_INVALID) throw new RuntimeError(`Cannot wait on ${core.label}: the park was refused`);
      return await parked;
    } finally {
      // No longer waiting (notified, timed out or aborted), then re-acquire however the wait ended.
      cells.add(WAITING, -1);
      if (saved) await this.#lock.acquireRestore(saved as never, false);
    }
  }

  /**
   * Waits until notified, blocking the calling thread. On a backend without
   * blocking waits, nothing could notify meanwhile: a finite timeout returns
   * `false` at once (the lock stays held) and a wait forever throws
   * `DeadlockError`.
   *
   * @param timeout Milliseconds; omitted: forever.
   * @returns `true` if notified, `false` if the timeout elapsed.
   * @throws {RuntimeError} If the caller does not hold the lock.
   * @throws {DeadlockError} If it would wait forever where nothing can wake it.
   *
   * @example A blocking wait that times out
   * ```ts
   * import { Condition } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const cond = new Condition();
   * cond.acquireSync();
   * assertEquals(cond.waitSync(5), false);
   * cond.release();
   * ```
   */
  waitSync(timeout?: number | null): boolean {
    // A plain `waitSync()` skips the check, and the message it would build on every call.
    const wait = timeout === undefined ? FOREVER : checkWait(`wait on ${this.#core.label}`, timeout);
    this.#checkOwned("wait on");
    const core = this.#core;
    const cells = core.cells;
    let saved: readonly [number, number] | undefined;
    cells.add(WAITING, 1);
    try {
      const parked = core.backend.parkSync(cells, WAITERS, this.#request(wait));
      saved = this.#takeReleased();
      return parked === true;
    } finally {
      cells.add(WAITING, -1);
      saved ??= this.#takeReleased();
      if (saved) this.#lock.acquireRestore(saved as never, true);
    }
  }

  /**
   * Waits until `predicate()` is true, re-checking it after every wake-up,
   * for at most `timeout` ms in all. The caller must hold the lock.
   *
   * @param predicate Checked with the lock held.
   * @param timeout Milliseconds, or `{ timeout, signal }`; omitted: forever.
   * @returns The last value of the predicate (`false` on timeout).
   * @throws {RuntimeError} If the caller does not hold the lock.
   *
   * @example Waiting for a state
   * ```ts
   * import { Condition } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const cond = new Condition();
   * using _ = await cond.guard();
   * assertEquals(await cond.waitFor(() => true), true);
   * ```
   */
  async waitFor(predicate: () => boolean, timeout?: number | WaitOptions | null): Promise<boolean> {
    const aborted = abortedSignal(timeout);
    if (aborted) throw aborted.reason;
    if (typeof predicate !== "function") {
      throw new TypeError(
        `Cannot wait for predicate on ${this.#core.label} as 'predicate' must be a function: received ${
          describe(predicate)
        }`,
      );
    }
    const wait = checkWait(`wait on ${this.#core.label}`, timeout);
    const backend = this.#core.backend;
    const deadline = backend.now() + wait.timeout;
    let result = predicate();
    while (!result) {
      const remaining = deadline - backend.now();
      if (remaining <= 0) break;
      const notified = await this.wait({
        timeout: remaining === Infinity ? undefined : remaining,
        signal: wait.signal,
      });
      result = predicate();
      // A wait that timed out used up the time left.
      if (!notified) break;
    }
    return result;
  }

  /**
   * Blocking twin of {@linkcode Condition.waitFor}.
   *
   * @param predicate Checked with the lock held.
   * @param timeout Milliseconds; omitted: forever.
   * @returns The last value of the predicate.
   * @throws {DeadlockError} If it would wait forever where nothing can wake it.
   *
   * @example A predicate that already holds
   * ```ts
   * import { Condition } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const cond = new Condition();
   * cond.acquireSync();
   * assertEquals(cond.waitForSync(() => true), true);
   * cond.release();
   * ```
   */
  waitForSync(predicate: () => boolean, timeout?: number | null): boolean {
    if (typeof predicate !== "function") {
      throw new TypeError(
        `Cannot wait for predicate on ${this.#core.label} as 'predicate' must be a function: received ${
          describe(predicate)
        }`,
      );
    }
    const wait = checkWait(`wait on ${this.#core.label}`, timeout);
    const backend = this.#core.backend;
    const deadline = backend.now() + wait.timeout;
    let result = predicate();
    while (!result) {
      const remaining = deadline - backend.now();
      if (remaining <= 0) break;
      const notified = this.waitSync(remaining === Infinity ? undefined : remaining);
      result = predicate();
      // A wait that timed out used up the time left (on one thread it gives up at once: never spin).
      if (!notified) break;
    }
    return result;
  }

  /**
   * Wakes up to `n` waiting threads, oldest first. The caller must hold the
   * lock. Woken threads return from `wait` once they re-acquire it.
   *
   * @param n How many to wake (default 1).
   * @throws {RuntimeError} If the caller does not hold the lock.
   * @throws {ValueError} If `n` is negative.
   *
   * @example Notify with nobody waiting
   * ```ts
   * import { Condition } from "@locksmith/threading";
   *
   * const cond = new Condition();
   * using _ = await cond.guard();
   * cond.notify(2);
   * ```
   */
  notify(n = 1): void {
    if (typeof n !== "number" || !Number.isInteger(n)) {
      throw new TypeError(`Cannot notify ${this.#core.label} as 'n' must be an integer: received ${describe(n)}`);
    }
    if (n < 0) throw new ValueError(`Cannot notify ${this.#core.label} as 'n' must be >= 0: received ${n}`);
    this.#checkOwned("notify on");
    this.#core.record(n === Infinity ? "notifyAll" : "notify");
    if (n > 0) this.#wakeWaiters(n);
  }

  /**
   * Wakes every waiting thread. The caller must hold the lock.
   *
   * @throws {RuntimeError} If the caller does not hold the lock.
   *
   * @example Wake everyone
   * ```ts
   * import { Condition } from "@locksmith/threading";
   *
   * const cond = new Condition();
   * using _ = await cond.guard();
   * cond.notifyAll();
   * ```
   */
  notifyAll(): void {
    this.#checkOwned("notify on");
    this.#core.record("notifyAll");
    this.#wakeWaiters(Infinity);
  }

  // Wakes up to `n` waiters, if any waits. The count is read without a fence: the lock, held here and at
  // every waiter's count-in, orders it (see WAITING).
  #wakeWaiters(n: number): void {
    const core = this.#core;
    if (core.cells.loadRelaxed(WAITING) !== 0) core.backend.unparkMany(core.cells, WAITERS, n, NOTIFIED);
  }

  /** `Condition#N`, for messages and traces. */
  get label(): string {
    return this.#core.label;
  }

  /**
   * The condition's backend.
   *
   * @internal
   */
  get backend(): Backend {
    return this.#core.backend;
  }

  #checkOwned(what: string): void {
    if (!this.#lock.isOwned()) {
      throw new RuntimeError(`Cannot ${what} un-acquired lock: ${this.#core.label} requires its lock to be held`);
    }
  }

  // What `beforeSleep` saved of the lock. Every backend runs `beforeSleep`
  // inside `park`/`parkSync`, so the waiter takes it right after that call
  // returns (or throws), before any other code of this isolate can run.
  #takeReleased(): readonly [number, number] | undefined {
    const saved = this.#released;
    this.#released = undefined;
    return saved;
  }

  #request(wait: Wait): ParkRequest<boolean> {
    const lock = this.#lock;
    return {
      subject: this.#core,
      op: "wait",
      timeout: wait.timeout,
      signal: wait.signal,
      timeoutValue: false,
      validate: () => true,
      // Queued first, released second: a notify between the two finds us.
      beforeSleep: () => {
        this.#released = lock.releaseSave();
      },
      wake: () => true,
      // Dying with a notify on its way: it goes to the next waiter, as if this one had never waited.
      handBack: (token) => void this.#core.backend.unparkMany(this.#core.cells, WAITERS, 1, token),
    };
  }
}

registerShareable(
  "Condition",
  Condition,
  (backend, facts, at) => new Condition(facts.lock as Lock | RLock, { backend, [REVIVE_AT]: at } as CoreOptions),
);
