/**
 * `AsyncResult`: Python's `multiprocessing.pool.AsyncResult`, and the map
 * result built on it.
 *
 * @module
 */
import type { Backend } from "../backends/types.ts";
import { DeadlockError, TimeoutError, ValueError } from "../runtime/errors.ts";
import { Event } from "../primitives/event.ts";
import { abortedSignal, checkWait, type Wait, type WaitOptions } from "../runtime/wait_options.ts";

/** What a pool delivers to a job: one task's outcome. */
export interface Job {
  /** Task `index` ended: `values` holds one result per call of its chunk, or `error` what it raised. */
  deliver(index: number, ok: boolean, values: unknown): void;
  /** The pool was terminated before the job finished. */
  abandon(error: unknown): void;
}

/** The callbacks of `applyAsync` and `mapAsync`. */
export interface ResultCallbacks<T> {
  /** Called with the result once it is ready (in the thread that delivered it). */
  callback?: ((result: T) => unknown) | null;
  /** Called with the exception if the call raised (in the thread that delivered it). */
  errorCallback?: ((error: unknown) => unknown) | null;
}

/**
 * The result of a call handed to a pool (Python's `AsyncResult`), as
 * `applyAsync` and `mapAsync` return it: `get()` waits for it and returns
 * it, or throws what the call raised.
 *
 * It lives in the isolate that made it: `getSync`/`waitSync` cannot wait
 * for it (nothing else in the isolate runs while they block), so they throw
 * `TimeoutError` at once for a finite timeout, and `DeadlockError` for a
 * wait forever, on a result that is not ready.
 *
 * @typeParam T The type of the result.
 *
 * @example Waiting for one call
 * ```ts
 * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
 * import { assertEquals } from "@std/assert";
 *
 * await using pool = new Pool(2);
 * const result = pool.applyAsync((a: number, b: number) => a + b, [2, 3]);
 * assertEquals(await result.get(), 5);
 * assertEquals(result.successful(), true);
 * ```
 */
export class AsyncResult<T> implements Job {
  #ready = false;
  #success = false;
  #value: unknown = undefined;
  #event: Event | undefined = undefined;
  readonly #backend: Backend;
  readonly #callbacks: ResultCallbacks<T>;
  readonly #onDone: () => void;
  readonly #label: string;

  /**
   * For pools: a pending result.
   *
   * @param backend Whose clock and parking lot `get()` waits on.
   * @param callbacks Called when the result is ready.
   * @param onDone Called once, when the result is ready (the pool forgets the job).
   * @param label For messages.
   */
  constructor(backend: Backend, callbacks: ResultCallbacks<T>, onDone: () => void, label: string) {
    this.#backend = backend;
    this.#callbacks = callbacks;
    this.#onDone = onDone;
    this.#label = label;
  }

  /**
   * Whether the result is ready (the call returned or raised).
   *
   * @returns `true` once ready.
   *
   * @example Not ready at first
   * ```ts
   * import { sleep } from "@locksmith/threading";
   * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
   * import { assertEquals } from "@std/assert";
   *
   * await using pool = new Pool(1);
   * const result = pool.applyAsync(() => sleep(10));
   * assertEquals(result.ready(), false);
   * await result.wait();
   * assertEquals(result.ready(), true);
   * ```
   */
  ready(): boolean {
    return this.#ready;
  }

  /**
   * Whether the call returned without raising.
   *
   * @returns `true` if it succeeded.
   * @throws {ValueError} If the result is not ready.
   *
   * @example A call that raised
   * ```ts
   * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
   * import { assertEquals } from "@std/assert";
   *
   * await using pool = new Pool(1);
   * const result = pool.applyAsync(() => { throw new Error("boom"); });
   * await result.wait();
   * assertEquals(result.successful(), false);
   * ```
   */
  successful(): boolean {
    if (!this.#ready) throw new ValueError(`Cannot tell whether ${this.#label} succeeded: it is not ready`);
    return this.#success;
  }

  /**
   * Waits until the result is ready, or until the timeout.
   *
   * @param timeout Milliseconds, or `{ timeout, signal }`; omitted: forever.
   * @returns `true` if ready, `false` if the timeout elapsed first.
   *
   * @example Waiting at most 5 ms
   * ```ts
   * import { sleep } from "@locksmith/threading";
   * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
   * import { assertEquals } from "@std/assert";
   *
   * await using pool = new Pool(1);
   * const result = pool.applyAsync(() => sleep(50));
   * assertEquals(await result.wait(5), false);
   * assertEquals(await result.wait(), true);
   * ```
   */
  wait(timeout?: number | WaitOptions | null): Promise<boolean> {
    const aborted = abortedSignal(timeout);
    if (aborted) return Promise.reject(aborted.reason);
    let wait: Wait;
    try {
      wait = checkWait(`wait for ${this.#label}`, timeout);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#ready) return Promise.resolve(true);
    this.#event ??= new Event({ backend: this.#backend });
    const ms = wait.timeout === Infinity ? undefined : wait.timeout;
    return this.#event.wait(wait.signal === undefined ? ms : { timeout: ms, signal: wait.signal });
  }

  /**
   * Says whether the result is ready, without waiting (see the class doc).
   *
   * @param timeout Milliseconds; omitted: forever.
   * @returns `true` if ready; `false` if not and `timeout` is finite.
   * @throws {DeadlockError} If it is not ready and `timeout` is forever.
   *
   * @example A finite timeout returns at once
   * ```ts
   * import { sleep } from "@locksmith/threading";
   * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
   * import { assertEquals } from "@std/assert";
   *
   * await using pool = new Pool(1);
   * const result = pool.applyAsync(() => sleep(20));
   * assertEquals(result.waitSync(0), false);
   * await result.wait();
   * ```
   */
  waitSync(timeout?: number | null): boolean {
    const wait = checkWait(`wait for ${this.#label}`, timeout);
    if (this.#ready) return true;
    if (wait.timeout !== Infinity) return false;
    throw this.#deadlock();
  }

  /**
   * Waits for the result and returns it, or throws what the call raised.
   *
   * @param timeout Milliseconds, or `{ timeout, signal }`; omitted: forever.
   * @returns The result.
   * @throws {TimeoutError} If it is not ready within the timeout.
   * @throws {unknown} What the call raised.
   *
   * @example A timeout
   * ```ts
   * import { sleep } from "@locksmith/threading";
   * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
   * import { TimeoutError } from "@locksmith/threading/futures";
   * import { assertRejects } from "@std/assert";
   *
   * await using pool = new Pool(1);
   * const result = pool.applyAsync(() => sleep(50));
   * await assertRejects(() => result.get(5), TimeoutError);
   * await result.wait();
   * ```
   */
  async get(timeout?: number | WaitOptions | null): Promise<T> {
    if (!(await this.wait(timeout))) {
      const ms = typeof timeout === "number" ? timeout : timeout?.timeout;
      throw new TimeoutError(`${this.#label} was not ready within ${ms} ms`);
    }
    return this.#outcome();
  }

  /**
   * Returns the result if it is ready, without waiting (see the class doc).
   *
   * @param timeout Milliseconds; omitted: forever.
   * @returns The result.
   * @throws {TimeoutError} If it is not ready and `timeout` is finite.
   * @throws {DeadlockError} If it is not ready and `timeout` is forever.
   *
   * @example A ready result
   * ```ts
   * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
   * import { assertEquals } from "@std/assert";
   *
   * await using pool = new Pool(1);
   * const result = pool.applyAsync(() => "done");
   * await result.wait();
   * assertEquals(result.getSync(), "done");
   * ```
   */
  getSync(timeout?: number | null): T {
    if (!this.waitSync(timeout)) throw new TimeoutError(`${this.#label} was not ready within ${timeout} ms`);
    return this.#outcome();
  }

  /**
   * For pools: task `index` ended with `values` (one per call) or an error.
   *
   * @param _index The task's index.
   * @param ok Whether it returned.
   * @param values Its results (one), or what it raised.
   */
  deliver(_index: number, ok: boolean, values: unknown): void {
    this.settle(ok, ok ? (values as unknown[])[0] : values);
  }

  /**
   * For pools: the pool was terminated first.
   *
   * @param error What `get()` throws.
   */
  abandon(error: unknown): void {
    if (!this.#ready) this.settle(false, error);
  }

  /**
   * Makes the result ready and calls the callback (once).
   *
   * @param ok Whether the call succeeded.
   * @param value The result, or the error.
   */
  protected settle(ok: boolean, value: unknown): void {
    if (this.#ready) return;
    this.#ready = true;
    this.#success = ok;
    this.#value = value;
    this.#onDone();
    this.#event?.set();
    const fn = ok ? this.#callbacks.callback : this.#callbacks.errorCallback;
    if (typeof fn === "function") {
      try {
        fn(value as T);
      } catch (error) {
        console.error(`Exception in callback of ${this.#label}:`, error);
      }
    }
  }

  /**
   * Describes the result.
   *
   * @returns Such as `<AsyncResult#2 ready>`.
   */
  toString(): string {
    return `<${this.#label} ${this.#ready ? (this.#success ? "ready" : "failed") : "pending"}>`;
  }

  #outcome(): T {
    if (!this.#success) throw this.#value;
    return this.#value as T;
  }

  #deadlock(): DeadlockError {
    return new DeadlockError(
      `Cannot wait for ${this.#label} synchronously: it is not ready, and the pool's threads that would deliver it cannot run while this thread blocks`,
    );
  }
}

/**
 * The result of `mapAsync`/`starmapAsync` (Python's `MapResult`): a list, in
 * order, ready when every chunk is done, or failed with the first chunk
 * that raised.
 *
 * @typeParam T The type of each item's result.
 *
 * @example Mapping in the background
 * ```ts
 * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
 * import { assertEquals } from "@std/assert";
 *
 * await using pool = new Pool(2);
 * const result = pool.mapAsync((x: number) => x + 1, [1, 2, 3]);
 * assertEquals(await result.get(), [2, 3, 4]);
 * ```
 */
export class MapResult<T> extends AsyncResult<T[]> {
  readonly #values: T[];
  readonly #chunksize: number;
  #remaining: number;

  /**
   * For pools: a pending map of `length` items in chunks of `chunksize`.
   *
   * @param backend Whose clock and parking lot `get()` waits on.
   * @param callbacks Called when the result is ready.
   * @param onDone Called once, when the result is ready.
   * @param label For messages.
   * @param length How many items.
   * @param chunksize How many items each task holds.
   */
  constructor(
    backend: Backend,
    callbacks: ResultCallbacks<T[]>,
    onDone: () => void,
    label: string,
    length: number,
    chunksize: number,
  ) {
    super(backend, callbacks, onDone, label);
    this.#values = new Array(length);
    this.#chunksize = chunksize;
    this.#remaining = length === 0 ? 0 : Math.ceil(length / chunksize);
    if (this.#remaining === 0) this.settle(true, this.#values);
  }

  /**
   * For pools: chunk `index` ended.
   *
   * @param index The chunk's index.
   * @param ok Whether every call of the chunk returned.
   * @param values The chunk's results, or what it raised.
   */
  override deliver(index: number, ok: boolean, values: unknown): void {
    if (this.ready()) return;
    if (!ok) {
      this.settle(false, values);
      return;
    }
    const chunk = values as T[];
    for (let i = 0; i < chunk.length; i++) this.#values[index * this.#chunksize + i] = chunk[i];
    if (--this.#remaining === 0) this.settle(true, this.#values);
  }
}
