/**
 * `Future`: Python's `concurrent.futures.Future`, awaitable.
 *
 * @module
 */
import { type BackendChoice, getBackend } from "../backends/mod.ts";
import type { Backend } from "../backends/types.ts";
import { CancelledError, DeadlockError, InvalidStateError, RuntimeError, TimeoutError } from "../runtime/errors.ts";
import { Completion } from "./_completion.ts";
import { CLAIM_CANCELLED, CLAIM_PENDING, CLAIM_TAKEN } from "../pools/wire.ts";
import { describe } from "../runtime/describe.ts";
import { checkOptions } from "../runtime/options.ts";
import { abortedSignal, checkWait, FOREVER, type Wait, type WaitOptions } from "../runtime/wait_options.ts";

/**
 * A future's state, as Python names them. `CANCELLED_AND_NOTIFIED` is a
 * cancelled future that its executor has seen (and told `wait` and
 * `asCompleted` about).
 */
export type FutureState = "PENDING" | "RUNNING" | "CANCELLED" | "CANCELLED_AND_NOTIFIED" | "FINISHED";

/** The options of `new Future()`. */
export interface FutureOptions {
  /** The backend whose clock and parking lot `result()` waits on; omitted, the default backend. */
  backend?: BackendChoice;
}

/** A future of any result type (a `Future<T>` is not a `Future<unknown>`: `T` is also an input). */
// deno-lint-ignore no-explicit-any
export type AnyFuture = Future<any>;

/** What `wait` and `asCompleted` install on the futures they watch (Python's `_Waiter`). */
export interface FutureWaiter {
  /** A watched future finished with a result. */
  addResult(future: AnyFuture): void;
  /** A watched future finished with an exception. */
  addException(future: AnyFuture): void;
  /** A watched future was cancelled and its executor has seen it. */
  addCancelled(future: AnyFuture): void;
}

let serial = 0;
/** Installs a waiter on a future (internal to `wait` and `asCompleted`). */
export let addWaiter: (future: AnyFuture, waiter: FutureWaiter) => void;
/** Removes a waiter from a future (internal to `wait` and `asCompleted`). */
export let removeWaiter: (future: AnyFuture, waiter: FutureWaiter) => void;
/** Whether a future finished with an exception (internal: an exception may be any value, `undefined` too). */
export let hasFailed: (future: AnyFuture) => boolean;
/**
 * Says that the future's call was sent to a Worker ahead of its turn, with
 * claim slot `slot` of `claims` (see `pools/wire.ts`): the future stays
 * pending, and cancellable, until a Worker claims the slot (internal: the
 * Worker executor).
 */
export let sentAhead: (future: AnyFuture, claims: Int32Array, slot: number) => void;

/**
 * The result of a call that runs asynchronously (Python's
 * `concurrent.futures.Future`), as an executor's `submit` returns it.
 *
 * A future is pending, then running, then finished with a result or an
 * exception; a pending future may instead be cancelled. `result(timeout)`
 * waits for the outcome and returns the result or throws the exception (or
 * `CancelledError`); `await future` does the same without a timeout.
 * Callbacks added with `addDoneCallback` run once the future is done, in
 * the thread that completed it (at once if it is done already); one that
 * throws is reported on stderr and the others still run.
 *
 * `setResult`, `setException` and `setRunningOrNotifyCancel` are for
 * executors (and tests), as in Python.
 *
 * A future lives in the isolate that made it: its `...Sync` twins cannot
 * wait for it to be completed (nothing else in the isolate runs while they
 * block), so they throw `TimeoutError` at once for a finite timeout and
 * `DeadlockError` for a wait forever on a future that is not done.
 *
 * @typeParam T The type of the result.
 *
 * @example Completing a future by hand
 * ```ts
 * import { Future } from "@locksmith/threading/futures";
 * import { assertEquals } from "@std/assert";
 *
 * const future = new Future<number>();
 * const seen: number[] = [];
 * future.addDoneCallback((f) => seen.push(f.resultSync()));
 * setTimeout(() => future.setResult(42), 5);
 * assertEquals(await future, 42);
 * assertEquals(seen, [42]);
 * ```
 */
export class Future<T = unknown> implements PromiseLike<T> {
  #state: FutureState = "PENDING";
  #result: T | undefined = undefined;
  #exception: unknown = undefined;
  #failed = false;
  // Typed loosely so that a Future<T> stays assignable to Future<unknown>.
  // Made on first use: most futures have no callback and no `wait`/`asCompleted` watching them.
  #callbacks: ((future: AnyFuture) => unknown)[] | undefined = undefined;
  #waiters: FutureWaiter[] | undefined = undefined;
  // Made on the first wait that has to park; set once the future is done.
  #completion: Completion | undefined = undefined;
  // Set while the call is sent ahead and not known to be claimed: a Worker's claim or our cancel decides.
  #claims: Int32Array | undefined = undefined;
  #slot = -1;
  readonly #backend: Backend;
  readonly #serial: number;

  static {
    addWaiter = (future, waiter) => (future.#waiters ??= []).push(waiter);
    removeWaiter = (future, waiter) => {
      const i = future.#waiters?.indexOf(waiter) ?? -1;
      if (i >= 0) future.#waiters!.splice(i, 1);
    };
    hasFailed = (future) => future.#state === "FINISHED" && future.#failed;
    sentAhead = (future, claims, slot) => {
      future.#claims = claims;
      future.#slot = slot;
    };
  }

  /**
   * Creates a pending future.
   *
   * @param options `backend`: whose clock and parking lot waits use.
   * @throws {TypeError} If `options` is not an object, has a key other than `backend`, or the backend is unknown.
   */
  constructor(options?: FutureOptions) {
    checkOptions("create Future", options, ["backend"]);
    this.#backend = getBackend(options?.backend);
    this.#serial = ++serial;
  }

  /**
   * The backend whose clock and parking lot the future's waits use.
   *
   * @example The default backend
   * ```ts
   * import { Future } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new Future().backend.name, "async");
   * ```
   */
  get backend(): Backend {
    return this.#backend;
  }

  /**
   * The future's state (Python's `_state`).
   *
   * @example A new future is pending
   * ```ts
   * import { Future } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new Future().state, "PENDING");
   * ```
   */
  get state(): FutureState {
    if (this.#claims !== undefined) this.#checkClaimed();
    return this.#state;
  }

  /**
   * Cancels the future if it has not started running. A cancelled future is
   * done; its `result()` throws `CancelledError`.
   *
   * @returns `true` if the future is cancelled (now or before); `false` if it
   * is running or finished.
   *
   * @example Cancelling a pending future
   * ```ts
   * import { Future } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * const future = new Future();
   * assertEquals(future.cancel(), true);
   * assertEquals(future.cancelled(), true);
   * ```
   */
  cancel(): boolean {
    const claims = this.#claims;
    if (claims !== undefined) {
      // Sent ahead: one compare-and-swap decides between this cancel and a Worker's claim.
      this.#claims = undefined;
      if (Atomics.compareExchange(claims, this.#slot, CLAIM_PENDING, CLAIM_CANCELLED) === CLAIM_TAKEN) {
        this.#state = "RUNNING";
      }
    }
    const state = this.#state;
    if (state === "RUNNING" || state === "FINISHED") return false;
    if (state === "CANCELLED" || state === "CANCELLED_AND_NOTIFIED") return true;
    this.#state = "CANCELLED";
    this.#completion?.set();
    this.#invokeCallbacks();
    return true;
  }

  /**
   * Whether the future was cancelled.
   *
   * @returns `true` if cancelled.
   *
   * @example Not cancelled
   * ```ts
   * import { Future } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new Future().cancelled(), false);
   * ```
   */
  cancelled(): boolean {
    return this.#state === "CANCELLED" || this.#state === "CANCELLED_AND_NOTIFIED";
  }

  /**
   * Whether the call is running now (it can no longer be cancelled).
   *
   * @returns `true` while running.
   *
   * @example Running
   * ```ts
   * import { Future } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * const future = new Future();
   * future.setRunningOrNotifyCancel();
   * assertEquals(future.running(), true);
   * ```
   */
  running(): boolean {
    if (this.#claims !== undefined) this.#checkClaimed();
    return this.#state === "RUNNING";
  }

  // A call sent ahead that a Worker has claimed is running (and can no longer be cancelled).
  #checkClaimed(): void {
    if (this.#state === "PENDING" && Atomics.load(this.#claims!, this.#slot) === CLAIM_TAKEN) {
      this.#claims = undefined;
      this.#state = "RUNNING";
    }
  }

  /**
   * Whether the future is done: finished or cancelled.
   *
   * @returns `true` if done.
   *
   * @example Done after a result
   * ```ts
   * import { Future } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * const future = new Future();
   * future.setResult(1);
   * assertEquals(future.done(), true);
   * ```
   */
  done(): boolean {
    const state = this.#state;
    return state === "FINISHED" || state === "CANCELLED" || state === "CANCELLED_AND_NOTIFIED";
  }

  /**
   * Waits for the future and returns its result, or throws its exception.
   *
   * @param timeout Milliseconds, or `{ timeout, signal }`; omitted: forever.
   * @returns The result.
   * @throws {CancelledError} If the future was cancelled.
   * @throws {TimeoutError} If the future is not done within the timeout.
   * @throws {unknown} The call's exception, if it raised one.
   *
   * @example A timeout
   * ```ts
   * import { Future, TimeoutError } from "@locksmith/threading/futures";
   * import { assertRejects } from "@std/assert";
   *
   * await assertRejects(() => new Future().result(10), TimeoutError);
   * ```
   */
  result(timeout?: number | WaitOptions | null): Promise<T> {
    return this.#settled(timeout, (wait) => this.#outcome(wait));
  }

  /**
   * Returns the result of a future that is done, without waiting (see the
   * class doc: nothing could complete it while the caller blocked).
   *
   * @param timeout Milliseconds; omitted: forever.
   * @returns The result.
   * @throws {CancelledError} If the future was cancelled.
   * @throws {TimeoutError} If the future is not done and `timeout` is finite.
   * @throws {DeadlockError} If the future is not done and `timeout` is forever.
   *
   * @example A finished future
   * ```ts
   * import { Future } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * const future = new Future<string>();
   * future.setResult("ok");
   * assertEquals(future.resultSync(), "ok");
   * ```
   */
  resultSync(timeout?: number | null): T {
    const wait = checkWait(`wait for ${this.#label}`, timeout);
    if (!this.done()) this.#cannotBlock(wait);
    return this.#outcome();
  }

  /**
   * Waits for the future and returns the exception its call raised, or
   * `undefined` if it returned normally.
   *
   * @param timeout Milliseconds, or `{ timeout, signal }`; omitted: forever.
   * @returns The exception, or `undefined`.
   * @throws {CancelledError} If the future was cancelled.
   * @throws {TimeoutError} If the future is not done within the timeout.
   *
   * @example A failed call
   * ```ts
   * import { Future } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * const future = new Future();
   * future.setException(new RangeError("bad"));
   * assertEquals(((await future.exception()) as Error).message, "bad");
   * ```
   */
  exception(timeout?: number | WaitOptions | null): Promise<unknown> {
    return this.#settled(timeout, (wait) => this.#exceptionOutcome(wait));
  }

  /**
   * Returns the exception of a future that is done, without waiting (see
   * `resultSync`).
   *
   * @param timeout Milliseconds; omitted: forever.
   * @returns The exception, or `undefined`.
   * @throws {CancelledError} If the future was cancelled.
   * @throws {TimeoutError} If the future is not done and `timeout` is finite.
   * @throws {DeadlockError} If the future is not done and `timeout` is forever.
   *
   * @example A successful future has no exception
   * ```ts
   * import { Future } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * const future = new Future();
   * future.setResult(5);
   * assertEquals(future.exceptionSync(), undefined);
   * ```
   */
  exceptionSync(timeout?: number | null): unknown {
    const wait = checkWait(`wait for ${this.#label}`, timeout);
    if (!this.done()) this.#cannotBlock(wait);
    return this.#exceptionOutcome();
  }

  /**
   * Adds a callback to run with the future once it is done (finished or
   * cancelled), in the order added. If the future is done already, it runs
   * now. A callback that throws is reported on stderr; the others still run.
   *
   * @param fn Called with the future.
   * @throws {TypeError} If `fn` is not a function.
   *
   * @example Logging completion
   * ```ts
   * import { Future } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * const log: string[] = [];
   * const future = new Future<number>();
   * future.addDoneCallback((f) => log.push(`done: ${f.resultSync()}`));
   * future.setResult(3);
   * assertEquals(log, ["done: 3"]);
   * ```
   */
  addDoneCallback(fn: (future: Future<T>) => unknown): void {
    if (typeof fn !== "function") {
      throw new TypeError(
        `Cannot add a done callback to ${this.#label} as 'fn' must be a function: received ${describe(fn)}`,
      );
    }
    if (!this.done()) {
      (this.#callbacks ??= []).push(fn as (future: AnyFuture) => unknown);
      return;
    }
    this.#runCallback(fn);
  }

  /**
   * For executors: marks the future running, unless it was cancelled, in
   * which case it tells `wait` and `asCompleted` so (Python's
   * `set_running_or_notify_cancel`). Call it just before running the call.
   *
   * @returns `true` if the call should run; `false` if it was cancelled.
   * @throws {RuntimeError} If the future is already running or finished.
   *
   * @example An executor's view
   * ```ts
   * import { Future } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * const future = new Future();
   * if (future.setRunningOrNotifyCancel()) future.setResult("ran");
   * assertEquals(await future, "ran");
   * ```
   */
  setRunningOrNotifyCancel(): boolean {
    if (this.#state === "CANCELLED") {
      this.#state = "CANCELLED_AND_NOTIFIED";
      if (this.#waiters !== undefined) { for (const waiter of [...this.#waiters]) waiter.addCancelled(this); }
      return false;
    }
    if (this.#state === "PENDING") {
      this.#state = "RUNNING";
      return true;
    }
    throw new RuntimeError(`Cannot run ${this.#label}: it is in an unexpected state (${this.#state})`);
  }

  /**
   * For executors: finishes the future with a result and wakes its waiters.
   *
   * @param value The result.
   * @throws {InvalidStateError} If the future is already done.
   *
   * @example Setting a result
   * ```ts
   * import { Future } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * const future = new Future<number>();
   * future.setResult(7);
   * assertEquals(await future.result(), 7);
   * ```
   */
  setResult(value: T): void {
    this.#checkNotDone("set the result of");
    this.#result = value;
    this.#claims = undefined;
    this.#state = "FINISHED";
    if (this.#waiters !== undefined) { for (const waiter of [...this.#waiters]) waiter.addResult(this); }
    this.#completion?.set();
    this.#invokeCallbacks();
  }

  /**
   * For executors: finishes the future with an exception and wakes its
   * waiters.
   *
   * @param error The exception the call raised.
   * @throws {InvalidStateError} If the future is already done.
   *
   * @example Setting an exception
   * ```ts
   * import { Future } from "@locksmith/threading/futures";
   * import { assertRejects } from "@std/assert";
   *
   * const future = new Future();
   * future.setException(new TypeError("nope"));
   * await assertRejects(() => future.result(), TypeError, "nope");
   * ```
   */
  setException(error: unknown): void {
    this.#checkNotDone("set the exception of");
    this.#exception = error;
    this.#failed = true;
    this.#claims = undefined;
    this.#state = "FINISHED";
    if (this.#waiters !== undefined) { for (const waiter of [...this.#waiters]) waiter.addException(this); }
    this.#completion?.set();
    this.#invokeCallbacks();
  }

  /**
   * Makes the future awaitable: `await future` is `await future.result()`.
   *
   * @param onfulfilled Called with the result.
   * @param onrejected Called with the exception (or `CancelledError`).
   * @returns A promise of what the called handler returns.
   *
   * @example Awaiting a future
   * ```ts
   * import { Future } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * const future = new Future<string>();
   * future.setResult("value");
   * assertEquals(await future, "value");
   * ```
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.result().then(onfulfilled, onrejected);
  }

  /**
   * Describes the future, as Python's repr does.
   *
   * @returns Such as `<Future#3 state=finished returned number>`.
   */
  toString(): string {
    const state = this.#state;
    if (state !== "FINISHED") {
      const shown = state === "CANCELLED_AND_NOTIFIED" ? "cancelled" : state.toLowerCase();
      return `<${this.#label} state=${shown}>`;
    }
    return this.#failed
      ? `<${this.#label} state=finished raised ${typeName(this.#exception)}>`
      : `<${this.#label} state=finished returned ${typeName(this.#result)}>`;
  }

  // Made on demand: most futures never need it.
  get #label(): string {
    return `Future#${this.#serial}`;
  }

  #outcome(wait?: Wait): T {
    if (this.cancelled()) throw new CancelledError(`Cannot get the result of ${this.#label}: it was cancelled`);
    if (this.#state !== "FINISHED") throw this.#timeout(wait!);
    if (this.#failed) throw this.#exception;
    return this.#result as T;
  }

  #exceptionOutcome(wait?: Wait): unknown {
    if (this.cancelled()) throw new CancelledError(`Cannot get the exception of ${this.#label}: it was cancelled`);
    if (this.#state !== "FINISHED") throw this.#timeout(wait!);
    return this.#failed ? this.#exception : undefined;
  }

  // result() and exception(): an aborted signal first, a done future at once, else wait as `timeout` allows.
  #settled<R>(timeout: number | WaitOptions | null | undefined, outcome: (wait?: Wait) => R): Promise<R> {
    const aborted = abortedSignal(timeout);
    if (aborted) return Promise.reject(aborted.reason);
    if (this.done()) {
      try {
        return Promise.resolve(outcome());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    let wait: Wait;
    try {
      // A plain wait skips the check, and the message it would build on every call.
      wait = timeout === undefined ? FOREVER : checkWait(`wait for ${this.#label}`, timeout);
    } catch (error) {
      return Promise.reject(error);
    }
    return (this.#completion ??= this.#makeCompletion()).wait(wait).then(() => outcome(wait));
  }

  // Named in traces and deadlock reports as the future, on demand.
  #makeCompletion(): Completion {
    const label = () => this.#label;
    return new Completion(this.#backend, {
      get label() {
        return label();
      },
    });
  }

  #timeout(wait: Wait): TimeoutError {
    return new TimeoutError(`${this.#label} did not finish within ${wait.timeout} ms`);
  }

  #cannotBlock(wait: Wait): never {
    if (wait.timeout !== Infinity) throw this.#timeout(wait);
    throw new DeadlockError(
      `Cannot wait for ${this.#label} synchronously: it is ${this.#state.toLowerCase()}, and whatever would complete it cannot run while this thread blocks`,
    );
  }

  #checkNotDone(what: string): void {
    if (this.done()) {
      throw new InvalidStateError(`Cannot ${what} ${this.#label}: it is ${this.#state.toLowerCase()} (${this})`);
    }
  }

  #invokeCallbacks(): void {
    const callbacks = this.#callbacks;
    if (callbacks === undefined) return;
    this.#callbacks = undefined;
    for (const fn of callbacks) this.#runCallback(fn);
  }

  #runCallback(fn: (future: Future<T>) => unknown): void {
    try {
      fn(this);
    } catch (error) {
      console.error(`Exception calling callback for ${this}:`, error);
    }
  }
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object" || typeof value === "function") {
    return (value as { constructor?: { name?: string } }).constructor?.name ?? typeof value;
  }
  return typeof value;
}
