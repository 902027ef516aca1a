/**
 * `ThreadPoolExecutor`: Python's `concurrent.futures.ThreadPoolExecutor`.
 *
 * @module
 */
import { type BackendChoice, getBackend } from "../backends/mod.ts";
import type { Backend } from "../backends/types.ts";
import { BrokenExecutor, Empty, RuntimeError, ValueError } from "../primitives/errors.ts";
import { Semaphore } from "../primitives/semaphore.ts";
import { Thread } from "../primitives/thread.ts";
import { describe } from "../primitives/_wait_options.ts";
import { SimpleQueue } from "../queues/simple_queue.ts";
import { Executor, type ShutdownOptions } from "./executor.ts";
import { Future } from "./future.ts";
import { WorkItem } from "./_work_item.ts";

/** The options of `new ThreadPoolExecutor()`. */
export interface ThreadPoolExecutorOptions {
  /** The most threads the pool runs (default: `min(32, cores + 4)`, as Python). */
  maxWorkers?: number;
  /** Threads are named `${threadNamePrefix}_${n}` (default `ThreadPoolExecutor-N`). */
  threadNamePrefix?: string;
  /** Called in each new thread before it runs any call (may be async). */
  // deno-lint-ignore no-explicit-any
  initializer?: (...args: any[]) => unknown;
  /** The initializer's arguments. */
  initargs?: unknown[];
  /** The backend of the pool's threads and futures; omitted, the default backend. */
  backend?: BackendChoice;
}

let poolCounter = 0;

/**
 * An executor that runs calls on a pool of threads (Python's
 * `concurrent.futures.ThreadPoolExecutor`).
 *
 * `submit(fn, ...args)` queues a call and returns its {@linkcode Future}; a
 * thread of the pool runs it (an async `fn` is awaited there). Threads are
 * started as calls arrive, up to `maxWorkers`, and an idle thread is reused
 * before a new one is started. Each new thread runs `initializer(...initargs)`
 * first; if that throws, the pool is broken: queued calls fail with
 * {@linkcode BrokenExecutor}, and so does every later `submit`.
 *
 * `shutdown(wait, cancelFutures)` stops new submissions; queued calls still
 * run unless `cancelFutures`, and `wait` waits for them and for the
 * threads. `await using pool = new ThreadPoolExecutor()` shuts down and
 * waits at the end of the block.
 *
 * The threads are `Thread`s of the pool's backend that run functions:
 * `async` (the default) or `cooperative`. The `atomics` backend, whose
 * threads are Workers, is refused for now: handing calls to Workers needs a
 * shared-memory queue.
 *
 * @example Downloads in parallel
 * ```ts
 * import { sleep } from "@locksmith/threading";
 * import { ThreadPoolExecutor } from "@locksmith/threading/futures";
 * import { assertEquals } from "@std/assert";
 *
 * async function download(url: string): Promise<string> {
 *   await sleep(10); // the network
 *   return `contents of ${url}`;
 * }
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 3 });
 * const future = pool.submit(download, "https://example.com/a");
 * assertEquals(await future, "contents of https://example.com/a");
 * ```
 */
export class ThreadPoolExecutor extends Executor {
  readonly #backend: Backend;
  readonly #maxWorkers: number;
  readonly #prefix: string;
  // deno-lint-ignore no-explicit-any
  readonly #initializer: ((...args: any[]) => unknown) | undefined;
  readonly #initargs: unknown[];
  readonly #workQueue: SimpleQueue<WorkItem<unknown> | null>;
  // Counts threads that are idle: a submit takes one before starting a thread.
  readonly #idle: Semaphore;
  readonly #threads: Thread[] = [];
  #shutdown = false;
  #broken: BrokenExecutor | undefined = undefined;

  /**
   * Creates a pool; no thread starts until the first `submit`.
   *
   * @param options `maxWorkers`, `threadNamePrefix`, `initializer`, `initargs`, `backend`.
   * @throws {ValueError} If `maxWorkers` is not an integer greater than 0.
   * @throws {TypeError} If an option has the wrong type, or the backend cannot run function targets.
   */
  constructor(options: ThreadPoolExecutorOptions = {}) {
    super();
    if (options === null || typeof options !== "object") {
      throw new TypeError(
        `Cannot create ThreadPoolExecutor as 'options' must be an object: received ${describe(options)}`,
      );
    }
    const { maxWorkers, threadNamePrefix, initializer, initargs = [], backend } = options;
    const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
    this.#maxWorkers = maxWorkers ?? Math.min(32, (cores || 1) + 4);
    if (typeof this.#maxWorkers !== "number" || !Number.isInteger(this.#maxWorkers) || this.#maxWorkers <= 0) {
      throw new ValueError(
        `Cannot create ThreadPoolExecutor as 'maxWorkers' must be an integer greater than 0: received ${
          describe(maxWorkers)
        }`,
      );
    }
    if (threadNamePrefix !== undefined && typeof threadNamePrefix !== "string") {
      throw new TypeError(
        `Cannot create ThreadPoolExecutor as 'threadNamePrefix' must be a string: received ${
          describe(threadNamePrefix)
        }`,
      );
    }
    if (initializer !== undefined && initializer !== null && typeof initializer !== "function") {
      throw new TypeError(
        `Cannot create ThreadPoolExecutor as 'initializer' must be a function: received ${describe(initializer)}`,
      );
    }
    if (!Array.isArray(initargs)) {
      throw new TypeError(
        `Cannot create ThreadPoolExecutor as 'initargs' must be an array: received ${describe(initargs)}`,
      );
    }
    this.#backend = getBackend(backend);
    if (!this.#backend.capabilities.functionTargets) {
      throw new TypeError(
        `Cannot create ThreadPoolExecutor on the '${this.#backend.name}' backend: its threads are Workers, which cannot run the functions a thread pool is given (handing calls to Workers needs a shared-memory queue, not available yet); use the 'async' or 'cooperative' backend`,
      );
    }
    this.#prefix = threadNamePrefix || `ThreadPoolExecutor-${poolCounter++}`;
    this.#initializer = initializer ?? undefined;
    this.#initargs = initargs;
    this.#workQueue = new SimpleQueue({ backend: this.#backend });
    this.#idle = new Semaphore(0, { backend: this.#backend });
  }

  /**
   * The backend of the pool's threads and futures.
   *
   * @example The default backend
   * ```ts
   * import { ThreadPoolExecutor } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new ThreadPoolExecutor().backend.name, "async");
   * ```
   */
  get backend(): Backend {
    return this.#backend;
  }

  /**
   * The most threads the pool runs.
   *
   * @example Python's default
   * ```ts
   * import { ThreadPoolExecutor } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new ThreadPoolExecutor({ maxWorkers: 2 }).maxWorkers, 2);
   * ```
   */
  get maxWorkers(): number {
    return this.#maxWorkers;
  }

  /**
   * The pool's threads, started so far (Python's `_threads`).
   *
   * @example One thread runs calls submitted one after another
   * ```ts
   * import { ThreadPoolExecutor } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * await using pool = new ThreadPoolExecutor({ threadNamePrefix: "worker" });
   * await pool.submit(() => 1);
   * await pool.submit(() => 2);
   * assertEquals(pool.threads.map((t) => t.name), ["worker_0"]);
   * ```
   */
  get threads(): Thread[] {
    return [...this.#threads];
  }

  /**
   * Schedules `fn(...args)` on a thread of the pool.
   *
   * @param fn The function (sync or async).
   * @param args Its arguments.
   * @returns The call's future.
   * @throws {TypeError} If `fn` is not a function.
   * @throws {RuntimeError} If the pool is shut down.
   * @throws {BrokenExecutor} If a thread's initializer failed.
   *
   * @example Submitting a call
   * ```ts
   * import { ThreadPoolExecutor } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * await using pool = new ThreadPoolExecutor();
   * assertEquals(await pool.submit(Math.pow, 2, 8), 256);
   * ```
   */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Future<Awaited<R>> {
    if (typeof fn !== "function") {
      throw new TypeError(`Cannot submit to ${this} as 'fn' must be a function: received ${describe(fn)}`);
    }
    if (this.#broken) throw new BrokenExecutor(this.#broken.message, { cause: this.#broken.cause });
    if (this.#shutdown) throw new RuntimeError(`Cannot schedule new futures after shutdown of ${this}`);
    const future = new Future<Awaited<R>>({ backend: this.#backend });
    this.#workQueue.putSync(new WorkItem(future, fn as (...args: never[]) => unknown, args) as WorkItem<unknown>);
    this.#adjustThreadCount();
    return future;
  }

  /**
   * Shuts the pool down: no more submissions. Queued calls still run,
   * unless `cancelFutures` cancels those not yet started. With `wait` (the
   * default), resolves once they have run and the threads have ended.
   * Calling it again is harmless.
   *
   * @param wait Wait for the calls and threads (default `true`), or `{ wait, cancelFutures }`.
   * @param cancelFutures Cancel the calls not yet started (default `false`).
   * @returns Resolves when shut down.
   * @throws {RuntimeError} If it would wait from one of the pool's own threads.
   *
   * @example Cancelling what has not started
   * ```ts
   * import { sleep } from "@locksmith/threading";
   * import { ThreadPoolExecutor } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
   * const first = pool.submit(() => sleep(20));
   * const second = pool.submit(() => sleep(20));
   * await sleep(5);
   * await pool.shutdown({ cancelFutures: true });
   * assertEquals([first.cancelled(), second.cancelled()], [false, true]);
   * ```
   */
  shutdown(wait?: boolean | ShutdownOptions, cancelFutures?: boolean): Promise<void> {
    let options: { wait: boolean; cancelFutures: boolean };
    try {
      options = checkShutdown(wait, cancelFutures);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#beginShutdown(options.cancelFutures);
    if (!options.wait) return Promise.resolve();
    return this.#joinThreads();
  }

  /**
   * Shuts the pool down, blocking the calling thread while it waits. The
   * pool's threads are tasks of this isolate, which cannot run while it
   * blocks: waiting for a live thread throws `DeadlockError` (so call it
   * with `wait` false, or use `shutdown`).
   *
   * @param wait Wait for the calls and threads (default `true`).
   * @param cancelFutures Cancel the calls not yet started (default `false`).
   * @throws {DeadlockError} If it would wait for a thread that is still running.
   *
   * @example Shutting down an idle pool
   * ```ts
   * import { ThreadPoolExecutor } from "@locksmith/threading/futures";
   *
   * const pool = new ThreadPoolExecutor();
   * pool.shutdownSync();
   * ```
   */
  shutdownSync(wait?: boolean, cancelFutures?: boolean): void {
    const options = checkShutdown(wait, cancelFutures);
    this.#beginShutdown(options.cancelFutures);
    if (options.wait) { for (const t of this.#threads) t.joinSync(); }
  }

  /**
   * Describes the pool.
   *
   * @returns Such as `<ThreadPoolExecutor ThreadPoolExecutor-0 threads=2/6>`.
   */
  override toString(): string {
    const state = this.#broken ? " broken" : this.#shutdown ? " shut down" : "";
    return `<ThreadPoolExecutor ${this.#prefix} threads=${this.#threads.length}/${this.#maxWorkers}${state}>`;
  }

  #beginShutdown(cancelFutures: boolean): void {
    this.#shutdown = true;
    if (cancelFutures) {
      for (let item = this.#takeQueued(); item !== undefined; item = this.#takeQueued()) item?.future.cancel();
    }
    // Wakes a thread blocked in get(); each passes it on as it leaves.
    this.#workQueue.putSync(null);
  }

  async #joinThreads(): Promise<void> {
    for (const t of [...this.#threads]) await t.join();
  }

  // Python's `_adjust_thread_count`: reuse an idle thread, else start one.
  #adjustThreadCount(): void {
    if (this.#idle.value > 0) {
      this.#idle.acquireSync(); // a free permit: this cannot wait
      return;
    }
    if (this.#threads.length >= this.#maxWorkers) return;
    const thread = new Thread({
      name: `${this.#prefix}_${this.#threads.length}`,
      target: () => this.#work(thread),
      backend: this.#backend,
    });
    this.#threads.push(thread);
    thread.start();
  }

  async #work(thread: Thread): Promise<void> {
    if (this.#initializer) {
      try {
        await this.#initializer(...this.#initargs);
      } catch (error) {
        console.error(`Exception in initializer of ${thread.name}:`, error);
        this.#initializerFailed(error);
        return;
      }
    }
    for (;;) {
      const item = await this.#workQueue.get();
      if (item === null) {
        // Shut down: pass the wake-up on to the next thread, and leave.
        this.#workQueue.putSync(null);
        return;
      }
      await item.run();
      if (this.#idle.value < this.#threads.length) this.#idle.release();
    }
  }

  // Python's `_initializer_failed`: the pool is broken; fail what is queued.
  #initializerFailed(cause: unknown): void {
    this.#broken = new BrokenExecutor(
      `Cannot use ${this.#prefix}: a thread initializer failed, the thread pool is not usable anymore`,
      { cause },
    );
    let sawSentinel = false;
    for (let item = this.#takeQueued(); item !== undefined; item = this.#takeQueued()) {
      if (item === null) sawSentinel = true;
      else item.future.setException(new BrokenExecutor(this.#broken.message, { cause }));
    }
    if (sawSentinel) this.#workQueue.putSync(null);
  }

  // The next queued item (null: the shutdown wake-up), or undefined if none.
  #takeQueued(): WorkItem<unknown> | null | undefined {
    try {
      return this.#workQueue.getNowait();
    } catch (error) {
      if (error instanceof Empty) return undefined;
      throw error;
    }
  }
}

function checkShutdown(wait: unknown, cancelFutures: unknown): { wait: boolean; cancelFutures: boolean } {
  if (wait !== null && typeof wait === "object") {
    if (cancelFutures !== undefined) {
      throw new TypeError(
        `Cannot shut down with both an options object and 'cancelFutures': received ${describe(cancelFutures)}`,
      );
    }
    ({ wait, cancelFutures } = wait as ShutdownOptions);
  }
  wait ??= true;
  cancelFutures ??= false;
  if (typeof wait !== "boolean") {
    throw new TypeError(`Cannot shut down as 'wait' must be a boolean: received ${describe(wait)}`);
  }
  if (typeof cancelFutures !== "boolean") {
    throw new TypeError(`Cannot shut down as 'cancelFutures' must be a boolean: received ${describe(cancelFutures)}`);
  }
  return { wait, cancelFutures };
}
