/**
 * `ThreadPoolExecutor`: Python's `concurrent.futures.ThreadPoolExecutor`.
 *
 * @module
 */
import { type BackendChoice, getBackend } from "../backends/mod.ts";
import { asyncBackend } from "../backends/async/mod.ts";
import type { Backend, ModuleTarget, Target } from "../backends/types.ts";
import { BrokenExecutor, Empty, RuntimeError, ValueError } from "../runtime/errors.ts";
import { Semaphore } from "../primitives/semaphore.ts";
import { Thread } from "../primitives/thread.ts";
import { callTarget, isModuleTarget } from "../runtime/target.ts";
import { describe } from "../runtime/describe.ts";
import { SimpleQueue } from "../queue/simple_queue.ts";
import { Executor, type ShutdownOptions } from "./executor.ts";
import { Future } from "./future.ts";
import { flatten, type MapOptions, mapResults, readMapCall } from "./_map.ts";
import { WorkerDispatcher } from "./_worker_dispatcher.ts";
import { WorkItem } from "./_work_item.ts";

/** The options of `new ThreadPoolExecutor()`. */
export interface ThreadPoolExecutorOptions {
  /**
   * The most threads the pool runs (default: `min(32, cores + 4)`, as Python's
   * ThreadPoolExecutor; on Workers, the number of cores, as its ProcessPoolExecutor).
   */
  maxWorkers?: number;
  /** Threads (Workers too) are named `${threadNamePrefix}_${n}` (default `ThreadPoolExecutor-N`). */
  threadNamePrefix?: string;
  /**
   * Called in each new thread before it runs any call (may be async): a
   * function, or a module reference `{ module, export }` (which Workers need).
   */
  // deno-lint-ignore no-explicit-any
  initializer?: ((...args: any[]) => unknown) | ModuleTarget;
  /** The initializer's arguments (structured-cloneable for Workers). */
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
 * On `async` (the default) and `cooperative`, the threads are `Thread`s of
 * this isolate: calls may be functions or module references
 * `{ module, export }`, and `map`'s `chunksize` is ignored, as in Python.
 *
 * On `atomics` the threads are Workers, so CPU-bound calls run in parallel
 * (Python's `ProcessPoolExecutor` is the model): every call and the
 * initializer must be a module reference, which a Worker imports (a
 * function is a `TypeError` that says so); arguments and results are
 * structured-cloned, and an exception raised in a Worker is re-made in its
 * class (a library error or a built-in one) for the future. The Workers
 * (`maxWorkers`, by default one per core) start at the first `submit`.
 * Calls wait in this isolate, where their futures can be cancelled, until a
 * Worker can take them: at most `maxWorkers + 1` are handed over at a time,
 * and a call is `running()` from then on. `map(fn, ...iterables,
 * { chunksize })` sends `chunksize` items per Worker task. A failing
 * initializer breaks the pool, failing the calls queued and running with
 * {@linkcode BrokenExecutor}.
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
 *
 * @example CPU-bound calls on Workers (the `atomics` backend)
 * ```ts
 * import { ThreadPoolExecutor } from "@locksmith/threading/futures";
 * import { assertEquals } from "@std/assert";
 *
 * // Workers import what they run: a module export, named by URL (usually `import.meta.url`) and name.
 * const fib = {
 *   module: "data:text/javascript,export function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }",
 *   export: "fib",
 * };
 * await using pool = new ThreadPoolExecutor({ backend: "atomics", maxWorkers: 2 });
 * assertEquals(await pool.submit(fib, 20), 6765);
 * assertEquals(await Array.fromAsync(pool.map(fib, [21, 22, 23], { chunksize: 2 })), [10946, 17711, 28657]);
 * ```
 */
export class ThreadPoolExecutor extends Executor {
  readonly #backend: Backend;
  readonly #maxWorkers: number;
  readonly #prefix: string;
  readonly #initializer: Target | undefined;
  readonly #initargs: unknown[];
  // Set when the threads are Workers: calls go to a Worker pool.
  readonly #workers: WorkerDispatcher | undefined;
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
    this.#backend = getBackend(backend);
    const onWorkers = !this.#backend.capabilities.functionTargets;
    const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
    this.#maxWorkers = maxWorkers ?? (onWorkers ? (cores || 1) : Math.min(32, (cores || 1) + 4));
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
    if (initializer !== undefined && initializer !== null) {
      if (onWorkers && typeof initializer === "function") {
        throw new TypeError(
          `Cannot create ThreadPoolExecutor with a function as 'initializer': on the '${this.#backend.name}' backend its threads are Workers, which import what they run; pass a module reference { module: import.meta.url, export: "${
            initializer.name || "myInitializer"
          }" } instead`,
        );
      }
      if (typeof initializer !== "function" && !isModuleTarget(initializer)) {
        throw new TypeError(
          `Cannot create ThreadPoolExecutor as 'initializer' must be a function or { module, export }: received ${
            describe(initializer)
          }`,
        );
      }
    }
    if (!Array.isArray(initargs)) {
      throw new TypeError(
        `Cannot create ThreadPoolExecutor as 'initargs' must be an array: received ${describe(initargs)}`,
      );
    }
    if (onWorkers) {
      try {
        structuredClone(initargs);
      } catch (error) {
        throw new TypeError(
          `Cannot create ThreadPoolExecutor as 'initargs' must be structured-cloneable to reach its Workers: ${
            error instanceof Error ? error.message : String(error)
          }`,
          { cause: error },
        );
      }
    }
    this.#prefix = threadNamePrefix || `ThreadPoolExecutor-${poolCounter++}`;
    this.#initializer = initializer === undefined || initializer === null ? undefined : normalize(initializer);
    this.#initargs = initargs;
    this.#workers = onWorkers
      ? new WorkerDispatcher({
        backend: this.#backend,
        workers: this.#maxWorkers,
        initializer: this.#initializer as ModuleTarget | undefined,
        initargs,
        label: `ThreadPoolExecutor ${this.#prefix}`,
        threadNamePrefix: this.#prefix,
      })
      : undefined;
    // The threads' queue (unused on Workers, so made in this isolate's memory there).
    this.#workQueue = new SimpleQueue({ backend: onWorkers ? asyncBackend : this.#backend });
    this.#idle = new Semaphore(0, { backend: onWorkers ? asyncBackend : this.#backend });
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
   * The pool's threads, started so far (Python's `_threads`); on Workers,
   * the Worker threads (all of them start at the first call).
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
    if (this.#workers !== undefined) return this.#workers.threads;
    return [...this.#threads];
  }

  /**
   * Schedules `fn(...args)` on a thread of the pool. `fn` may be a module
   * reference `{ module, export }`; on Workers (the `atomics` backend) it
   * must be, and the arguments and result are structured-cloned (arguments
   * that cannot be make the future fail with the clone's error).
   *
   * @param fn The function (sync or async).
   * @param args Its arguments.
   * @returns The call's future.
   * @throws {TypeError} If `fn` is not a function or module reference, or a function given to Workers.
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
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Future<Awaited<R>>;
  /**
   * Schedules a call of the module export `fn` names, which every backend
   * runs (on Workers, the only form).
   *
   * @param fn The module reference `{ module, export }`.
   * @param args Its arguments.
   * @returns The call's future.
   * @throws {TypeError} If `fn` is not a module reference.
   * @throws {RuntimeError} If the pool is shut down.
   * @throws {BrokenExecutor} If a thread's initializer failed.
   *
   * @example A module export
   * ```ts
   * import { ThreadPoolExecutor } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * const abs = { module: "data:text/javascript,export const abs = Math.abs;", export: "abs" };
   * await using pool = new ThreadPoolExecutor();
   * assertEquals(await pool.submit<number>(abs, -3), 3);
   * ```
   */
  submit<R = unknown>(fn: ModuleTarget, ...args: unknown[]): Future<R>;
  submit(fn: Target, ...args: unknown[]): Future<unknown> {
    const target = this.#checkCallable("submit to", fn);
    this.#checkOpen();
    const future = new Future<unknown>({ backend: this.#backend });
    if (this.#workers) {
      this.#workers.submit({ future, target: target as ModuleTarget, argsList: [args], chunk: false });
      return future;
    }
    this.#workQueue.putSync(new WorkItem(future, target, args));
    this.#adjustThreadCount();
    return future;
  }

  /**
   * Runs `fn` over the iterables' items (see {@linkcode Executor.map}); on
   * Workers, `chunksize` items go to a Worker as one task, and a call that
   * raises fails its whole chunk (the iteration throws at the chunk's place).
   *
   * @param fn The function or module reference.
   * @param iterable The items.
   * @param options `timeout`, `chunksize`, `signal`.
   * @returns An async iterator of the results, in order.
   * @throws {TypeError} If `fn` is not a function or module reference (on Workers: not a module reference).
   * @throws {ValueError} If `chunksize` is less than 1 or the timeout is negative.
   *
   * @example Many small calls, four per Worker task
   * ```ts
   * import { ThreadPoolExecutor } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * const double = { module: "data:text/javascript,export const double = (x) => 2 * x;", export: "double" };
   * await using pool = new ThreadPoolExecutor({ backend: "atomics", maxWorkers: 2 });
   * const items = Array.from({ length: 10 }, (_, i) => i);
   * assertEquals(await Array.fromAsync(pool.map(double, items, { chunksize: 4 })), items.map((x) => 2 * x));
   * ```
   */
  override map<A, R>(
    fn: (item: A) => R,
    iterable: Iterable<A>,
    options?: MapOptions,
  ): AsyncGenerator<Awaited<R>, void, undefined>;
  /**
   * Runs `fn` with one item of each iterable at a time; the last argument may be the options.
   *
   * @param fn The function.
   * @param iterablesAndOptions The iterables, then optionally `{ timeout, chunksize, signal }`.
   * @returns An async iterator of the results, in order.
   */
  override map<R>(
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
  override map<R = unknown>(
    fn: ModuleTarget,
    ...iterablesAndOptions: (Iterable<unknown> | MapOptions)[]
  ): AsyncGenerator<R, void, undefined>;
  override map(
    fn: ((...args: unknown[]) => unknown) | ModuleTarget,
    ...rest: (Iterable<unknown> | MapOptions | undefined)[]
  ): AsyncGenerator<unknown, void, undefined> {
    const workers = this.#workers;
    if (workers === undefined) return super.map(fn as ModuleTarget, ...rest as Iterable<unknown>[]);
    const target = this.#checkCallable("map on", fn) as ModuleTarget;
    const { argsList, chunksize, deadline, signal } = readMapCall(this.#backend, fn, rest);
    this.#checkOpen();
    const chunks: Future<unknown[]>[] = [];
    for (let i = 0; i < argsList.length; i += chunksize) {
      const future = new Future<unknown[]>({ backend: this.#backend });
      workers.submit({
        future: future as Future<unknown>,
        target,
        argsList: argsList.slice(i, i + chunksize),
        chunk: true,
      });
      chunks.push(future);
    }
    return flatten(mapResults(chunks, deadline, signal, this.#backend));
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
    return this.#workers ? this.#workers.join() : this.#joinThreads();
  }

  /**
   * Shuts the pool down, blocking the calling thread while it waits. The
   * pool's threads are tasks of this isolate, which cannot run while it
   * blocks: waiting for a live thread throws `DeadlockError` (so call it
   * with `wait` false, or use `shutdown`). On Workers, their results reach
   * this isolate only while it does not block: once Workers were started,
   * waiting throws `DeadlockError` too.
   *
   * @param wait Wait for the calls and threads (default `true`).
   * @param cancelFutures Cancel the calls not yet started (default `false`).
   * @throws {DeadlockError} If it would wait for a thread (or a Worker's call) that is still running.
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
    if (!options.wait) return;
    if (this.#workers) this.#workers.joinSync();
    else for (const t of this.#threads) t.joinSync();
  }

  /**
   * Describes the pool.
   *
   * @returns Such as `<ThreadPoolExecutor ThreadPoolExecutor-0 threads=2/6>`.
   */
  override toString(): string {
    const state = this.#brokenError() ? " broken" : this.#shutdown ? " shut down" : "";
    const threads = this.#workers
      ? `workers=${this.#workers.started ? this.#maxWorkers : 0}/${this.#maxWorkers}`
      : `threads=${this.#threads.length}/${this.#maxWorkers}`;
    return `<ThreadPoolExecutor ${this.#prefix} ${threads}${state}>`;
  }

  #checkCallable(what: string, fn: unknown): Target {
    if (this.#workers && typeof fn === "function") {
      throw new TypeError(
        `Cannot ${what} ${this} with a function: on the '${this.#backend.name}' backend its threads are Workers, which import what they run; pass a module reference { module: import.meta.url, export: "${
          fn.name || "myFunction"
        }" } instead`,
      );
    }
    if (typeof fn !== "function" && !isModuleTarget(fn)) {
      throw new TypeError(
        `Cannot ${what} ${this} as 'fn' must be a function or { module, export }: received ${describe(fn)}`,
      );
    }
    return normalize(fn as Target);
  }

  #checkOpen(): void {
    const broken = this.#brokenError();
    if (broken) throw new BrokenExecutor(broken.message, { cause: broken.cause });
    if (this.#shutdown) throw new RuntimeError(`Cannot schedule new futures after shutdown of ${this}`);
  }

  #brokenError(): BrokenExecutor | undefined {
    return this.#workers ? this.#workers.broken : this.#broken;
  }

  #beginShutdown(cancelFutures: boolean): void {
    this.#shutdown = true;
    if (this.#workers) {
      this.#workers.shutdown(cancelFutures);
      return;
    }
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
        await callTarget(this.#initializer, this.#initargs);
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

// A module reference with its URL as a string (what a Worker is sent).
function normalize(target: Target): Target {
  return typeof target === "function" ? target : { module: String(target.module), export: target.export };
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
