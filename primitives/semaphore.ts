/**
 * `Semaphore` and `BoundedSemaphore`: Python's counting semaphores.
 *
 * @module
 */
import type { Backend } from "../backends/types.ts";
import { type CoreOptions, exposeHandle, type PrimitiveOptions, REVIVE_AT } from "./core.ts";
import { openGuard, runExclusiveOf } from "./_guard.ts";
import { Permits, PERMITS_MAX } from "./permits.ts";
import { describe } from "../runtime/describe.ts";
import { abortedSignal, checkAcquire, FOREVER, type Wait, type WaitOptions } from "../runtime/wait_options.ts";
import { ValueError } from "../runtime/errors.ts";
import { registerShareable } from "./revive.ts";

/** The largest count a semaphore can hold (its state is one int32 cell). */
export const SEMAPHORE_VALUE_MAX: number = PERMITS_MAX;

/** The options of `new Semaphore()` and `new BoundedSemaphore()`. */
export interface SemaphoreOptions extends PrimitiveOptions {
  /**
   * The permits a thread takes are its own until it gives them back: if it
   * dies holding some (a Worker that raises, exits or is terminated), they
   * come back, and each of the next as many acquires takes one and rejects
   * with `AbandonedLockError`. Default `false`: as in Python, a permit
   * belongs to no thread (one thread may take it and another give it back),
   * and a dead thread's permits stay taken.
   */
  robust?: boolean;
}

/**
 * A counting semaphore (Python's `threading.Semaphore`): a counter of
 * permits. `acquire()` takes one, waiting while there are none; `release(n)`
 * gives `n` back.
 *
 * Permits released while threads wait go straight to the oldest waiters
 * (FIFO hand-off), so a thread that releases and re-acquires in a loop
 * cannot starve them.
 *
 * On `atomics`, a semaphore made with `{ robust: true }` takes back the
 * permits of a Worker that dies holding them, and tells the threads that
 * take them next (`AbandonedLockError`), as a `Lock` does for its holder.
 *
 * @example At most two at a time
 * ```ts
 * import { Semaphore } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * const slots = new Semaphore(2);
 * await slots.acquire();
 * await slots.acquire();
 * assertEquals(await slots.acquire(false), false);
 * slots.release(2);
 * assertEquals(slots.value, 2);
 * ```
 */
export class Semaphore {
  // The counting algorithm (`permits.ts`), and the semaphore's cells and label.
  readonly #core: Permits;
  // The getter behind the handle a structured clone carries (one for all instances).
  static readonly #shared: PropertyDescriptor = {
    enumerable: true,
    get(this: Semaphore) {
      return this.#core.handle();
    },
  };

  /**
   * Creates a semaphore holding `value` permits.
   *
   * @param value The initial count (default 1).
   * @param options `backend`: the backend by name or object; `robust`: give back a dead thread's permits.
   * @throws {ValueError} If `value` is negative or above 2^30 - 1.
   * @throws {TypeError} If `value` is not an integer, `options` is not an options object with only `backend` and
   *   `robust`, or `robust` is not a boolean.
   */
  constructor(value: number = 1, options?: SemaphoreOptions) {
    const kind = new.target?.name ?? "Semaphore";
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw new TypeError(`Cannot create ${kind} as 'value' must be an integer: received ${describe(value)}`);
    }
    if (value < 0) throw new ValueError(`Cannot create ${kind} as 'value' must be >= 0: received ${value}`);
    if (value > SEMAPHORE_VALUE_MAX) {
      throw new ValueError(`Cannot create ${kind} as 'value' must be <= ${SEMAPHORE_VALUE_MAX}: received ${value}`);
    }
    const robust = options?.robust;
    if (robust !== undefined && typeof robust !== "boolean") {
      throw new TypeError(`Cannot create ${kind} as 'robust' must be a boolean: received ${describe(robust)}`);
    }
    // A revived semaphore's count is live in its cells already: only new cells get `value`.
    this.#core = new Permits(kind, value, options, "acquire", robust === true);
    if (kind === "BoundedSemaphore") this.#core.facts = { bound: value, robust: robust === true };
    else if (robust === true) this.#core.facts = { robust: true };
    exposeHandle(this, Semaphore.#shared);
  }

  /**
   * Takes a permit, waiting while there is none (or, with `blocking` false,
   * only if one is free now).
   *
   * @param blocking Whether to wait (default `true`), or the options object.
   * @param timeout Milliseconds to wait; omitted, `null` or `-1`: forever.
   * @returns `true` once a permit is taken; `false` if not.
   * @throws {ValueError} If `timeout` is negative (other than -1), or given with `blocking` false.
   * @throws {OverflowError} If `timeout` is above `TIMEOUT_MAX`.
   *
   * @example A timed acquire
   * ```ts
   * import { Semaphore } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const sem = new Semaphore(0);
   * assertEquals(await sem.acquire({ timeout: 10 }), false);
   * ```
   */
  acquire(blocking?: boolean, timeout?: number | null): Promise<boolean>;
  /**
   * Takes a permit with options `{ blocking, timeout, signal }`.
   *
   * @param options How to wait.
   * @returns `true` once a permit is taken; `false` if not.
   */
  acquire(options: WaitOptions): Promise<boolean>;
  acquire(blocking?: boolean | WaitOptions, timeout?: number | null): Promise<boolean> {
    // A plain `acquire()` first, kept small so that V8 inlines the whole hot path into the caller.
    if (blocking === undefined && timeout === undefined) return this.acquireChecked(FOREVER);
    return this.#acquireChecking(blocking, timeout);
  }

  #acquireChecking(blocking: boolean | WaitOptions | undefined, timeout: number | null | undefined): Promise<boolean> {
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
   * Takes a permit with arguments already checked.
   *
   * @internal
   * @param wait A checked wait.
   * @returns Whether a permit was taken.
   */
  acquireChecked(wait: Wait): Promise<boolean> {
    const core = this.#core;
    const entered = core.enter("acquire");
    return entered === undefined ? core.acquire(wait) : entered.then(() => core.acquire(wait));
  }

  /**
   * Takes a permit, blocking the calling thread (see `Lock.acquireSync` for
   * backends without blocking waits).
   *
   * @param blocking Whether to wait (default `true`).
   * @param timeout Milliseconds to wait; omitted, `null` or `-1`: forever.
   * @returns `true` once a permit is taken; `false` if not.
   * @throws {DeadlockError} If it would wait forever where nothing can wake it.
   *
   * @example Taking the last permit
   * ```ts
   * import { Semaphore } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const sem = new Semaphore(1);
   * assertEquals(sem.acquireSync(), true);
   * assertEquals(sem.acquireSync(true, 0), false);
   * ```
   */
  acquireSync(blocking?: boolean, timeout?: number | null): boolean {
    const wait = blocking === undefined && timeout === undefined
      ? FOREVER
      : checkAcquire(`acquire ${this.#core.label}`, blocking, timeout);
    return this.#core.acquireSync(wait);
  }

  /**
   * Gives back `n` permits, handing each to the oldest waiter if any waits.
   *
   * @param n How many (default 1).
   * @throws {ValueError} If `n` is less than 1 (or, for a `BoundedSemaphore`, the count would exceed its initial value).
   *
   * @example Releasing several at once
   * ```ts
   * import { Semaphore } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const sem = new Semaphore(0);
   * sem.release(3);
   * assertEquals(sem.value, 3);
   * ```
   */
  release(n: number = 1): void {
    const core = this.#core;
    if (n !== 1) this.#checkCount(n);
    // Bounds that race with other releases however the value is read: read without a fence.
    const value = core.valueRelaxed;
    this.checkRelease(n, value);
    if (value + n > SEMAPHORE_VALUE_MAX) this.#tooMany();
    core.release(n);
    core.record("release");
  }

  // Errors out of line: the hot paths stay small enough for V8 to inline them.
  #checkCount(n: number): void {
    if (typeof n !== "number" || !Number.isInteger(n)) {
      throw new TypeError(`Cannot release ${this.#core.label} as 'n' must be an integer: received ${describe(n)}`);
    }
    if (n < 1) throw new ValueError(`Cannot release ${this.#core.label} as 'n' must be one or more: received ${n}`);
  }

  #tooMany(): never {
    throw new ValueError(`Cannot release ${this.#core.label}: its value would exceed ${SEMAPHORE_VALUE_MAX}`);
  }

  /**
   * Checks a release of `n` before it happens (`BoundedSemaphore` refuses to
   * exceed its initial value).
   *
   * @internal
   * @param _n How many permits are to be released.
   * @param _value The value before the release (read without a fence: another thread may release meanwhile).
   */
  protected checkRelease(_n: number, _value: number): void {}

  /**
   * The number of free permits now.
   *
   * @example A new semaphore's value
   * ```ts
   * import { Semaphore } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new Semaphore(5).value, 5);
   * ```
   */
  get value(): number {
    return this.#core.value;
  }

  /**
   * Takes a permit and returns a `Disposable` that gives it back once.
   *
   * @param options How to wait.
   * @returns A disposable that releases the permit.
   * @throws {TimeoutError} If no permit was taken.
   *
   * @example Python's `with sem:`
   * ```ts
   * import { Semaphore } from "@locksmith/threading";
   *
   * const sem = new Semaphore(3);
   * {
   *   using _ = await sem.guard();
   * }
   * ```
   */
  guard(options?: WaitOptions): Promise<Disposable> {
    return openGuard(this, this.#core.label, options);
  }

  /**
   * Runs `fn` holding a permit, and gives it back however `fn` ends.
   *
   * @param fn The work to do.
   * @returns What `fn` returns.
   *
   * @example Limited concurrency
   * ```ts
   * import { Semaphore } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const sem = new Semaphore(2);
   * assertEquals(await sem.runExclusive(() => "ok"), "ok");
   * ```
   */
  runExclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    return runExclusiveOf(this, FOREVER, fn);
  }

  /** `Semaphore#N`, for messages and traces. */
  get label(): string {
    return this.#core.label;
  }

  /**
   * The semaphore's backend.
   *
   * @internal
   */
  get backend(): Backend {
    return this.#core.backend;
  }

  /**
   * Describes the semaphore.
   *
   * @returns Such as `<Semaphore#4 value=2>`.
   */
  toString(): string {
    return `<${this.#core.label} value=${this.value}>`;
  }
}

/**
 * A semaphore that refuses to be released above its initial value (Python's
 * `threading.BoundedSemaphore`): an over-release is a bug, and it is caught.
 *
 * @example Catching an over-release
 * ```ts
 * import { BoundedSemaphore, ValueError } from "@locksmith/threading";
 * import { assertThrows } from "@std/assert";
 *
 * const sem = new BoundedSemaphore(1);
 * assertThrows(() => sem.release(), ValueError);
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  readonly #initial: number;

  /**
   * Creates a bounded semaphore holding `value` permits, which is also its bound.
   *
   * @param value The initial count and bound (default 1).
   * @param options `backend`: the backend by name or object; `robust`: give back a dead thread's permits.
   * @throws {ValueError} If `value` is negative.
   */
  constructor(value: number = 1, options?: SemaphoreOptions) {
    super(value, options);
    this.#initial = value;
  }

  /**
   * Refuses a release that would exceed the initial value.
   *
   * @internal
   * @param n How many permits are to be released.
   * @param value The value before the release.
   */
  protected override checkRelease(n: number, value: number): void {
    if (value + n > this.#initial) {
      throw new ValueError(
        `Cannot release ${this.label}: semaphore released too many times (value ${value} + ${n} would exceed its bound ${this.#initial})`,
      );
    }
  }

  /**
   * Describes the semaphore with its bound, as Python's repr does.
   *
   * @returns Such as `<BoundedSemaphore#4 value=2/3>`.
   */
  override toString(): string {
    return `<${this.label} value=${this.value}/${this.#initial}>`;
  }
}

// A revived semaphore's count is live in its cells: the value given here is not used.
registerShareable(
  "Semaphore",
  Semaphore,
  (backend, facts, at) => new Semaphore(0, { backend, robust: facts.robust === true, [REVIVE_AT]: at } as CoreOptions),
);
registerShareable(
  "BoundedSemaphore",
  BoundedSemaphore,
  (backend, facts, at) =>
    new BoundedSemaphore(
      facts.bound as number,
      { backend, robust: facts.robust === true, [REVIVE_AT]: at } as CoreOptions,
    ),
);
