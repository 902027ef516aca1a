/**
 * `Executor`: Python's `concurrent.futures.Executor`, the base of executors.
 *
 * @module
 */
import type { Backend, ModuleTarget } from "../backends/types.ts";
import type { Future } from "./future.ts";
import { type MapOptions, mapResults, readMapCall } from "./_map.ts";

export type { MapOptions } from "./_map.ts";

/** The options of `Executor.shutdown`. */
export interface ShutdownOptions {
  /** Wait until the pending calls have run and the threads have ended (default `true`). */
  wait?: boolean;
  /** Cancel the calls that have not started (default `false`). */
  cancelFutures?: boolean;
}

/**
 * The base of executors (Python's `concurrent.futures.Executor`): `submit`
 * schedules a call and returns its {@linkcode Future}, `map` runs a function
 * over iterables, and `shutdown` frees the executor's threads. It is
 * disposable: `await using` waits for the shutdown, `using` only starts it.
 *
 * @example Any executor, through the base class
 * ```ts
 * import { type Executor, ThreadPoolExecutor } from "@locksmith/threading/futures";
 * import { assertEquals } from "@std/assert";
 *
 * async function sumOfSquares(executor: Executor, xs: number[]): Promise<number> {
 *   let sum = 0;
 *   for await (const y of executor.map((x: number) => x * x, xs)) sum += y;
 *   return sum;
 * }
 * await using pool = new ThreadPoolExecutor();
 * assertEquals(await sumOfSquares(pool, [1, 2, 3]), 14);
 * ```
 */
export abstract class Executor implements Disposable, AsyncDisposable {
  /**
   * Schedules `fn(...args)` and returns a future of its outcome.
   *
   * @param fn The function to call.
   * @param args Its arguments.
   * @returns The call's future.
   */
  abstract submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Future<Awaited<R>>;
  /**
   * Schedules a call of the module export `fn` names (`{ module, export }`),
   * the form a Worker can import.
   *
   * @param fn The module reference.
   * @param args Its arguments.
   * @returns The call's future.
   */
  abstract submit<R = unknown>(fn: ModuleTarget, ...args: unknown[]): Future<R>;

  /**
   * Stops accepting calls and frees the executor's resources.
   *
   * @param wait Wait for pending calls and threads (default `true`), or `{ wait, cancelFutures }`.
   * @param cancelFutures Cancel the calls not yet started (default `false`).
   * @returns Resolves when shut down (at once when not waiting).
   */
  abstract shutdown(wait?: boolean | ShutdownOptions, cancelFutures?: boolean): Promise<void>;

  /** The backend of the executor's threads and futures. */
  abstract get backend(): Backend;

  /**
   * Runs `fn` over the items of one or more iterables (zipped, stopping at
   * the shortest) on the executor, as Python's `Executor.map`: every call is
   * submitted at once, and the results are yielded in order as they become
   * available. A call that raises makes the iteration throw its exception.
   * With a `timeout` (ms, from this call) a result not ready in time throws
   * `TimeoutError`. When the iteration ends early (an exception, a timeout,
   * or a `break`), the calls not yet started are cancelled. `fn` may be a
   * module reference `{ module, export }` (on Workers it must be).
   *
   * @param fn The function.
   * @param iterable The items.
   * @param options `timeout`, `chunksize`, `signal`.
   * @returns An async iterator of the results, in order.
   * @throws {TypeError} If `fn` is not a function or module reference, an iterable is not iterable, or an option
   * is unknown or has the wrong type.
   * @throws {ValueError} If `chunksize` is less than 1 or the timeout is negative.
   *
   * @example Squares in order
   * ```ts
   * import { ThreadPoolExecutor } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * await using pool = new ThreadPoolExecutor({ maxWorkers: 4 });
   * assertEquals(await Array.fromAsync(pool.map((x: number) => x * x, [1, 2, 3])), [1, 4, 9]);
   * ```
   */
  map<A, R>(
    fn: (item: A) => R,
    iterable: Iterable<A>,
    options?: MapOptions,
  ): AsyncGenerator<Awaited<R>, void, undefined>;
  /**
   * Runs `fn` with one item of each iterable at a time (Python's
   * `map(fn, *iterables)`); the last argument may be the options.
   *
   * @param fn The function.
   * @param iterablesAndOptions The iterables, then optionally `{ timeout, chunksize, signal }`.
   * @returns An async iterator of the results, in order.
   */
  map<R>(
    // deno-lint-ignore no-explicit-any
    fn: (...args: any[]) => R,
    ...iterablesAndOptions: (Iterable<unknown> | MapOptions)[]
  ): AsyncGenerator<Awaited<R>, void, undefined>;
  /**
   * Runs the module export `fn` names over the iterables' items (zipped).
   *
   * @param fn The module reference `{ module, export }`.
   * @param iterablesAndOptions The iterables, then optionally `{ timeout, chunksize, signal }`.
   * @returns An async iterator of the results, in order.
   */
  map<R = unknown>(
    fn: ModuleTarget,
    ...iterablesAndOptions: (Iterable<unknown> | MapOptions)[]
  ): AsyncGenerator<R, void, undefined>;
  map(
    fn: ((...args: unknown[]) => unknown) | ModuleTarget,
    ...rest: (Iterable<unknown> | MapOptions | undefined)[]
  ): AsyncGenerator<unknown, void, undefined> {
    const { argsList, deadline, signal } = readMapCall(this.backend, fn, rest);
    // One call per item: chunksize only matters where calls cross to Workers.
    const futures = argsList.map((args) => this.submit(fn as ModuleTarget, ...args));
    return mapResults(futures, deadline, signal, this.backend);
  }

  /** Starts a shutdown without waiting (`using`): pending calls still run. */
  [Symbol.dispose](): void {
    void this.shutdown(false);
  }

  /** Shuts down and waits for pending calls and threads (`await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown(true);
  }
}
