/**
 * `IMapIterator`: the iterator `Pool.imap` and `Pool.imapUnordered` return
 * (Python's `IMapIterator` and `IMapUnorderedIterator`).
 *
 * @module
 */
import type { Backend } from "../backends/types.ts";
import { TimeoutError } from "../runtime/errors.ts";
import { Event } from "../primitives/event.ts";
import { abortedSignal, checkWait, type WaitOptions } from "../runtime/wait_options.ts";
import type { Job } from "./async_result.ts";

type Outcome = { readonly ok: true; readonly values: unknown[] } | { readonly ok: false; readonly error: unknown };

/**
 * An async iterator over the results of `Pool.imap` (in order) or
 * `Pool.imapUnordered` (as they complete). Use it with `for await`; a call
 * that raised makes `next()` throw its exception for that item (with a
 * `chunksize` above 1, for its whole chunk), and the iteration can go on.
 * `next(timeout)` throws `TimeoutError` if the next result is not ready in
 * time, as Python's `next(timeout)`.
 *
 * @typeParam T The type of each result.
 *
 * @example Results as they complete
 * ```ts
 * import { sleep } from "@locksmith/threading";
 * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
 * import { assertEquals } from "@std/assert";
 *
 * await using pool = new Pool(3);
 * const seen: number[] = [];
 * for await (const ms of pool.imapUnordered(async (ms: number) => (await sleep(ms), ms), [90, 10, 50])) {
 *   seen.push(ms);
 * }
 * assertEquals(seen, [10, 50, 90]);
 * ```
 */
export class IMapIterator<T> implements AsyncIterableIterator<T>, Job {
  readonly #ordered: boolean;
  // How many tasks; Infinity until the pool has read the whole iterable (`end`).
  #total: number;
  // The iterable's error, if reading it raised: the outcome of the last task, which comes out last.
  #tailError: { readonly error: unknown } | undefined;
  // `return()` was called: the pool reads no more of the iterable.
  #closed = false;
  readonly #backend: Backend;
  readonly #onDone: () => void;
  readonly #arrived = new Map<number, Outcome>();
  readonly #arrivalOrder: number[] = [];
  readonly #changed: Event;
  #delivered = 0;
  #nextChunk = 0;
  #buffer: unknown[] = [];
  #abandoned: { error: unknown } | undefined;

  /**
   * For pools: an iterator over `total` tasks.
   *
   * @param backend Whose clock and parking lot `next()` waits on.
   * @param total How many tasks (chunks) will be delivered; omitted, unknown until `end` says.
   * @param ordered Yield in task order (`imap`) or arrival order (`imapUnordered`).
   * @param onDone Called once every task is delivered (the pool forgets the job).
   */
  constructor(backend: Backend, total: number | undefined, ordered: boolean, onDone: () => void) {
    this.#backend = backend;
    this.#total = total ?? Infinity;
    this.#ordered = ordered;
    this.#onDone = onDone;
    this.#changed = new Event({ backend });
    if (total === 0) onDone();
  }

  /**
   * For pools: whether `return()` was called (the pool reads no more of the iterable).
   *
   * @returns `true` once closed.
   */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * For pools: the iterable is read, `count` tasks in all. If reading it
   * raised, the last task is that error: `next()` throws it at its place
   * (`imap`), or after every other result (`imapUnordered`), as Python's
   * iterators do.
   *
   * @param count How many tasks, the failed one included.
   * @param failure What reading the iterable raised, if it did.
   */
  end(count: number, failure?: { readonly error: unknown }): void {
    this.#total = count;
    if (failure !== undefined && !this.#abandoned) {
      this.#tailError = failure;
      this.#delivered++;
    }
    if (this.#delivered === count) this.#onDone();
    this.#changed.set();
  }

  /**
   * Returns the iterator itself.
   *
   * @returns This iterator.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  /**
   * The next result, waiting at most `timeout` ms for it.
   *
   * @param timeout Milliseconds, or `{ timeout, signal }`; omitted: forever.
   * @returns The next result, or `{ done: true }` after the last one.
   * @throws {TimeoutError} If the next result is not ready within the timeout.
   * @throws {unknown} What the call raised, for an item whose call raised.
   *
   * @example One at a time
   * ```ts
   * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
   * import { assertEquals } from "@std/assert";
   *
   * await using pool = new Pool(2);
   * const it = pool.imap((x: number) => x * 10, [1, 2]);
   * assertEquals((await it.next()).value, 10);
   * assertEquals((await it.next(1000)).value, 20);
   * assertEquals((await it.next()).done, true);
   * ```
   */
  async next(timeout?: number | WaitOptions | null): Promise<IteratorResult<T, undefined>> {
    const aborted = abortedSignal(timeout);
    if (aborted) throw aborted.reason;
    const wait = checkWait("get the next result of a pool map", timeout);
    const deadline = this.#backend.now() + wait.timeout;
    for (;;) {
      if (this.#buffer.length > 0) return { done: false, value: this.#buffer.shift() as T };
      if (this.#closed || this.#nextChunk === this.#total) return { done: true, value: undefined };
      const outcome = this.#take();
      if (outcome !== undefined) {
        this.#nextChunk++;
        if (!outcome.ok) throw outcome.error;
        this.#buffer = outcome.values;
        continue;
      }
      if (this.#abandoned) throw this.#abandoned.error;
      const remaining = deadline - this.#backend.now();
      if (remaining <= 0) {
        throw new TimeoutError(`The next result of a pool map was not ready within ${wait.timeout} ms`);
      }
      this.#changed.clear();
      const ms = remaining === Infinity ? undefined : remaining;
      await this.#changed.wait(wait.signal === undefined ? ms : { timeout: ms, signal: wait.signal });
    }
  }

  /**
   * Stops the iteration early (a `break` out of `for await`): the pool reads
   * no more of the iterable (and closes it), and still runs the calls already
   * queued.
   *
   * @returns `{ done: true }`.
   */
  return(): Promise<IteratorResult<T, undefined>> {
    this.#closed = true;
    this.#buffer = [];
    this.#arrived.clear();
    this.#arrivalOrder.length = 0;
    return Promise.resolve({ done: true, value: undefined });
  }

  /**
   * For pools: task `index` ended.
   *
   * @param index The task's index.
   * @param ok Whether its calls returned.
   * @param values Their results, or what was raised.
   */
  deliver(index: number, ok: boolean, values: unknown): void {
    if (this.#arrived.has(index) || this.#abandoned) return;
    // Once closed, outcomes are only counted (so that the pool forgets the job once they are all in).
    if (!this.#closed) {
      this.#arrived.set(index, ok ? { ok, values: values as unknown[] } : { ok, error: values });
      if (!this.#ordered) this.#arrivalOrder.push(index);
    }
    if (++this.#delivered === this.#total) this.#onDone();
    this.#changed.set();
  }

  /**
   * For pools: the pool was terminated first; pending `next()` calls throw `error`.
   *
   * @param error What they throw.
   */
  abandon(error: unknown): void {
    if (this.#delivered === this.#total || this.#abandoned) return;
    this.#abandoned = { error };
    this.#changed.set();
  }

  #take(): Outcome | undefined {
    // The iterable's error is the last task: its turn comes once every other task has come out.
    if (this.#tailError !== undefined && this.#nextChunk === this.#total - 1) {
      return { ok: false, error: this.#tailError.error };
    }
    if (this.#ordered) {
      const outcome = this.#arrived.get(this.#nextChunk);
      if (outcome !== undefined) this.#arrived.delete(this.#nextChunk);
      return outcome;
    }
    const index = this.#arrivalOrder.shift();
    if (index === undefined) return undefined;
    const outcome = this.#arrived.get(index);
    this.#arrived.delete(index);
    return outcome;
  }
}
