/**
 * `Executor`: Python's `concurrent.futures.Executor`, the base of executors.
 *
 * @module
 */
import type { Backend } from "../backends/types.ts";
import { checkTimeout, describe } from "../primitives/_wait_options.ts";
import { ValueError } from "../primitives/errors.ts";
import type { Future } from "./future.ts";

/** The options of `Executor.map`. */
export interface MapOptions {
  /** Milliseconds, from the call, for all results; `undefined`, `null` or `-1`: forever. */
  timeout?: number | null;
  /** Accepted for Python's signature (`>= 1`); a thread pool submits one call per item anyway. */
  chunksize?: number;
  /** Aborting it rejects the pending `next()` with `signal.reason` and cancels the calls not yet started. */
  signal?: AbortSignal;
}

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
   * or a `break`), the calls not yet started are cancelled.
   *
   * @param fn The function.
   * @param iterable The items.
   * @param options `timeout`, `chunksize`, `signal`.
   * @returns An async iterator of the results, in order.
   * @throws {TypeError} If `fn` is not a function or an iterable is not iterable.
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
  map<R>(
    fn: (...args: unknown[]) => R,
    ...rest: (Iterable<unknown> | MapOptions | undefined)[]
  ): AsyncGenerator<Awaited<R>, void, undefined> {
    if (typeof fn !== "function") {
      throw new TypeError(`Cannot map as 'fn' must be a function: received ${describe(fn)}`);
    }
    let options: MapOptions = {};
    const last = rest[rest.length - 1];
    // A last argument that is an object but not iterable is the options.
    if (rest.length > 0 && (last === undefined || (typeof last === "object" && last !== null && !isIterable(last)))) {
      options = (rest.pop() ?? {}) as MapOptions;
    }
    if (rest.length === 0) throw new TypeError("Cannot map as no iterable was given");
    const iterators = rest.map((it) => {
      if (!isIterable(it)) throw new TypeError(`Cannot map over ${describe(it)}: it is not iterable`);
      return it[Symbol.iterator]();
    });
    const { chunksize = 1, signal } = options;
    if (typeof chunksize !== "number" || !Number.isInteger(chunksize) || chunksize < 1) {
      throw new ValueError(`Cannot map as 'chunksize' must be an integer >= 1: received ${describe(chunksize)}`);
    }
    const deadline = this.backend.now() + checkTimeout("map", options.timeout);
    const futures: Future<Awaited<R>>[] = [];
    for (;;) {
      const args: unknown[] = [];
      for (const it of iterators) {
        const next = it.next();
        if (next.done) return results(futures, deadline, signal, this.backend);
        args.push(next.value);
      }
      futures.push(this.submit(fn, ...args));
    }
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

function isIterable(value: unknown): value is Iterable<unknown> {
  return value !== null && value !== undefined &&
    typeof (value as Iterable<unknown>)[Symbol.iterator] === "function";
}

async function* results<T>(
  futures: Future<T>[],
  deadline: number,
  signal: AbortSignal | undefined,
  backend: Backend,
): AsyncGenerator<T, void, undefined> {
  let i = 0;
  try {
    for (; i < futures.length; i++) {
      const future = futures[i];
      let value: T;
      try {
        const timeout = deadline === Infinity ? undefined : Math.max(0, deadline - backend.now());
        value = await future.result(signal === undefined ? timeout : { timeout, signal });
      } finally {
        // As Python's `_result_or_cancel`: a call whose result was not obtained must not start later.
        future.cancel();
      }
      yield value;
    }
  } finally {
    for (; i < futures.length; i++) futures[i].cancel();
  }
}
