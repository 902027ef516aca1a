/**
 * `asCompleted`: Python's `concurrent.futures.as_completed`.
 *
 * Written as an iterator class, not an async generator: a generator's
 * `yield` awaits what it yields, and a future is awaitable, so it would
 * yield results instead of futures.
 *
 * @module
 */
import { getDefaultBackend } from "../backends/mod.ts";
import type { Backend } from "../backends/types.ts";
import { TimeoutError } from "../runtime/errors.ts";
import { abortedSignal, checkWait, type Wait, type WaitOptions } from "../runtime/wait_options.ts";
import { addWaiter, type AnyFuture, removeWaiter } from "./future.ts";
import { AnyCompletedWaiter } from "./_waiters.ts";
import { futureSet, settled } from "./_future_set.ts";

/**
 * A future as {@linkcode asCompleted} yields it: at run time the future
 * itself, typed without `then`. TypeScript types the variable of a
 * `for await` loop as the awaited value of what is yielded, and a future is
 * awaitable, so with `then` the loop variable would be typed as the result;
 * without it, `f.result()`, `f.done()` and the rest type-check.
 *
 * @typeParam F The type of the futures.
 */
export type CompletedFuture<F extends AnyFuture> = Omit<F, "then">;

/**
 * Yields futures as they complete (Python's
 * `concurrent.futures.as_completed`): first those already done, then each
 * as it finishes (or, cancelled, is seen by its executor). Duplicates are
 * yielded once. The timeout counts from the first `next()`; when it runs
 * out with futures still pending, `next()` throws `TimeoutError`
 * ("2 (of 4) futures unfinished"). Use it with `for await`; leaving the
 * loop early stops watching the futures.
 *
 * @typeParam F The type of the futures.
 * @param fs The futures (any iterable).
 * @param timeout Milliseconds for the whole iteration, or `{ timeout, signal }`; omitted: forever.
 * @returns An async iterator of the futures (typed as {@linkcode CompletedFuture}), in completion order.
 * @throws {TimeoutError} If futures are still pending when the timeout runs out.
 * @throws {TypeError} If `fs` is not an iterable of futures, or `timeout` is neither a number nor an options
 * object with only `timeout` and `signal` (thrown at the call).
 * @throws {ValueError} If the timeout is negative (not -1) or NaN (thrown at the call).
 *
 * @example Results in completion order
 * ```ts
 * import { asCompleted, ThreadPoolExecutor } from "@locksmith/threading/futures";
 * import { sleep } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 3 });
 * const fs = [30, 10, 20].map((ms) => pool.submit(async () => (await sleep(ms), ms)));
 * const order: number[] = [];
 * for await (const f of asCompleted(fs)) order.push(await f.result());
 * assertEquals(order, [10, 20, 30]);
 * ```
 */
export function asCompleted<F extends AnyFuture>(
  fs: Iterable<F>,
  timeout?: number | WaitOptions | null,
): AsyncIterableIterator<CompletedFuture<F>> {
  return new AsCompletedIterator(fs, timeout);
}

class AsCompletedIterator<F extends AnyFuture> implements AsyncIterableIterator<CompletedFuture<F>> {
  readonly #fs: Set<F>;
  #started = false;
  #closed = false;
  #all = new Set<F>();
  #ready: F[] = [];
  #pending = new Set<AnyFuture>();
  #backend: Backend = getDefaultBackend();
  #deadline = Infinity;
  readonly #wait: Wait;
  #waiter: AnyCompletedWaiter | undefined;
  // One next() at a time: a second call waits for the first.
  #last: Promise<unknown> = Promise.resolve();

  constructor(fs: Iterable<F>, timeout: unknown) {
    // Bad arguments are refused at the call, not at the first next(); the deadline starts there.
    const aborted = abortedSignal(timeout);
    if (aborted) throw aborted.reason;
    this.#wait = checkWait("wait for futures as they complete", timeout);
    this.#fs = futureSet("wait for futures as they complete", fs);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<CompletedFuture<F>> {
    return this;
  }

  next(): Promise<IteratorResult<CompletedFuture<F>, undefined>> {
    const result = this.#last.then(() => this.#next(), () => this.#next());
    this.#last = result;
    return result;
  }

  return(): Promise<IteratorResult<CompletedFuture<F>, undefined>> {
    this.#close();
    return Promise.resolve({ done: true, value: undefined });
  }

  async #next(): Promise<IteratorResult<CompletedFuture<F>, undefined>> {
    if (this.#closed) return { done: true, value: undefined };
    try {
      if (!this.#started) this.#start();
      for (;;) {
        const ready = this.#ready.shift();
        if (ready !== undefined) return { done: false, value: ready };
        if (this.#pending.size === 0) {
          this.#close();
          return { done: true, value: undefined };
        }
        await this.#waitForMore();
      }
    } catch (error) {
      this.#close();
      throw error;
    }
  }

  #start(): void {
    this.#started = true;
    // A signal aborted since the call ends the iteration at once.
    this.#wait.signal?.throwIfAborted();
    this.#all = this.#fs;
    for (const f of this.#all) {
      if (settled(f)) this.#ready.push(f);
      else this.#pending.add(f);
    }
    const first = this.#pending.values().next().value as AnyFuture | undefined;
    if (first) this.#backend = first.backend;
    this.#deadline = this.#backend.now() + this.#wait.timeout;
    const waiter = this.#waiter = new AnyCompletedWaiter(this.#backend);
    for (const f of this.#pending) addWaiter(f, waiter);
  }

  async #waitForMore(): Promise<void> {
    const remaining = this.#deadline - this.#backend.now();
    if (remaining <= 0) {
      throw new TimeoutError(`${this.#pending.size} (of ${this.#all.size}) futures unfinished`);
    }
    const waiter = this.#waiter!;
    const ms = remaining === Infinity ? undefined : remaining;
    const signal = this.#wait.signal;
    await waiter.event.wait(signal === undefined ? ms : { timeout: ms, signal });
    const batch = waiter.finished;
    waiter.finished = [];
    waiter.event.clear();
    for (const f of batch) {
      if (this.#pending.delete(f)) this.#ready.push(f as F);
    }
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const waiter = this.#waiter;
    if (waiter) { for (const f of this.#pending) removeWaiter(f, waiter); }
    this.#pending.clear();
    this.#ready = [];
  }
}
