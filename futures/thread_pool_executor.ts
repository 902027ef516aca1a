/**
 * `ThreadPoolExecutor`: Python's `concurrent.futures.ThreadPoolExecutor`,
 * as CPython's `thread.py` writes it: a work queue, threads started as calls
 * arrive (an idle one reused first, counted by a semaphore), each running
 * the initializer and then work items until the shutdown sentinel, and a
 * pool broken by a failing initializer. Over Workers (`atomics`) it runs on
 * `ProcessPoolExecutor`'s engine instead, chosen once in the constructor.
 *
 * @module
 */
import { type BackendChoice, getDefaultBackend } from "../backends/mod.ts";
import type { Backend, ModuleTarget, Target } from "../backends/types.ts";
import { BrokenExecutor, Empty } from "../runtime/errors.ts";
import { cpuCount } from "../runtime/cpu_count.ts";
import { callTarget } from "../runtime/target.ts";
import { Semaphore } from "../primitives/semaphore.ts";
import { Thread } from "../primitives/thread.ts";
import { SimpleQueue } from "../queue/simple_queue.ts";
import { Executor, type ShutdownOptions } from "./executor.ts";
import { Future } from "./future.ts";
import { type MapOptions, mapResults } from "./_map.ts";
import { WorkItem } from "./_work_item.ts";
import {
  type CallEngine,
  checkExecutorOptions,
  type EngineSettings,
  executorBackend,
  ExecutorCore,
} from "./_call_engine.ts";
import { WorkerCalls } from "./_worker_calls.ts";

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

const THREAD_POOL_OPTIONS: readonly (keyof ThreadPoolExecutorOptions)[] = [
  "maxWorkers",
  "threadNamePrefix",
  "initializer",
  "initargs",
  "backend",
];

let poolCounter = 0;

/**
 * CPython's `thread.py`: threads of this isolate taking work items from one
 * queue (internal: `ThreadPoolExecutor`'s engine, and `ProcessPoolExecutor`'s
 * on a backend without Workers).
 */
export class ThreadCalls implements CallEngine {
  readonly #settings: EngineSettings;
  readonly #workQueue: SimpleQueue<WorkItem<unknown> | null>;
  // Counts threads that are idle: a submit takes one before starting a thread.
  readonly #idle: Semaphore;
  readonly threads: Thread[] = [];
  broken: BrokenExecutor | undefined = undefined;

  constructor(settings: EngineSettings) {
    this.#settings = settings;
    this.#workQueue = new SimpleQueue({ backend: settings.backend });
    this.#idle = new Semaphore(0, { backend: settings.backend });
  }

  get census(): string {
    return `threads=${this.threads.length}/${this.#settings.maxWorkers}`;
  }

  submit(target: Target, args: unknown[]): Future<unknown> {
    const future = new Future<unknown>({ backend: this.#settings.backend });
    this.#workQueue.putSync(new WorkItem(future, target, args));
    this.#adjustThreadCount();
    return future;
  }

  // One call per item: chunks only matter where calls cross to Workers (Python ignores chunksize here too).
  map(
    target: Target,
    argsList: unknown[][],
    _chunksize: number,
    deadline: number,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<unknown, void, undefined> {
    const futures = argsList.map((args) => this.submit(target, args));
    return mapResults(futures, deadline, signal, this.#settings.backend);
  }

  shutdown(cancelFutures: boolean): void {
    if (cancelFutures) {
      for (let item = this.#takeQueued(); item !== undefined; item = this.#takeQueued()) item?.future.cancel();
    }
    // Wakes a thread blocked in get(); each passes it on as it leaves.
    this.#workQueue.putSync(null);
  }

  async join(): Promise<void> {
    for (const t of [...this.threads]) await t.join();
  }

  joinSync(): void {
    for (const t of this.threads) t.joinSync();
  }

  // Python's `_adjust_thread_count`: reuse an idle thread, else start one.
  #adjustThreadCount(): void {
    if (this.#idle.value > 0) {
      this.#idle.acquireSync(); // a free permit: this cannot wait
      return;
    }
    const { maxWorkers, prefix, backend } = this.#settings;
    if (this.threads.length >= maxWorkers) return;
    const thread = new Thread({
      name: `${prefix}_${this.threads.length}`,
      target: () => this.#work(thread),
      backend,
    });
    this.threads.push(thread);
    thread.start();
  }

  // Python's `_worker`.
  async #work(thread: Thread): Promise<void> {
    const { initializer, initargs } = this.#settings;
    if (initializer) {
      try {
        await callTarget(initializer, initargs);
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
      if (this.#idle.value < this.threads.length) this.#idle.release();
    }
  }

  // Python's `_initializer_failed`: the pool is broken; fail what is queued.
  #initializerFailed(cause: unknown): void {
    const broken = this.broken = new BrokenExecutor(
      `Cannot use ${this.#settings.prefix}: a thread initializer failed, the thread pool is not usable anymore`,
      { cause },
    );
    let sawSentinel = false;
    for (let item = this.#takeQueued(); item !== undefined; item = this.#takeQueued()) {
      if (item === null) sawSentinel = true;
      else item.future.setException(new BrokenExecutor(broken.message, { cause }));
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
 * On `atomics` the threads are Workers, so CPU-bound calls run in parallel:
 * the executor then runs on {@linkcode ProcessPoolExecutor}'s engine (see
 * there), named after `threadNamePrefix`. Every call and the initializer
 * must be a module reference, which a Worker imports (a function is a
 * `TypeError` that says so); arguments and results are structured-cloned,
 * and an exception raised in a Worker is re-made in its class (a library
 * error or a built-in one) for the future. The Workers (`maxWorkers`, by
 * default one per core) start at the first `submit`. Calls wait in this
 * isolate, where their futures can be cancelled, until a Worker can take
 * them: Python's call queue of `maxWorkers + 1` calls handed over and not
 * yet taken by a Worker; a call is `running()` from hand-over on. `map(fn,
 * ...iterables, { chunksize })` sends `chunksize` items per Worker task. A
 * failing initializer breaks the pool, failing the calls queued and
 * running with {@linkcode BrokenExecutor}.
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
  // Its engine is Threads of this isolate, or Workers: chosen once, by the backend.
  readonly #core: ExecutorCore;

  /**
   * Creates a pool; no thread starts until the first `submit`.
   *
   * @param options `maxWorkers`, `threadNamePrefix`, `initializer`, `initargs`, `backend`.
   * @throws {ValueError} If `maxWorkers` is not an integer greater than 0.
   * @throws {TypeError} If an option is unknown or has the wrong type, or the backend cannot run function targets.
   */
  constructor(options: ThreadPoolExecutorOptions = {}) {
    super();
    const backend = executorBackend("ThreadPoolExecutor", options, THREAD_POOL_OPTIONS, getDefaultBackend);
    const local = backend.capabilities.functionTargets;
    const settings = checkExecutorOptions(options, backend, {
      kind: "ThreadPoolExecutor",
      functions: local,
      // Python's default for threads; on Workers, its ProcessPoolExecutor's.
      defaultWorkers: local ? Math.min(32, cpuCount() + 4) : cpuCount(),
      defaultPrefix: `ThreadPoolExecutor-${poolCounter++}`,
    });
    const engine = local
      ? new ThreadCalls(settings)
      : new WorkerCalls(settings, `ThreadPoolExecutor ${settings.prefix}`);
    this.#core = new ExecutorCore(settings, engine, local);
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
    return this.#core.settings.backend;
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
    return this.#core.settings.maxWorkers;
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
    return [...this.#core.engine.threads];
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
    return this.#core.submit(fn, args);
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
    return this.#core.map(fn, rest);
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
   * import { Event } from "@locksmith/threading";
   * import { ThreadPoolExecutor } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * const started = new Event();
   * const finish = new Event();
   * const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
   * const first = pool.submit(async () => {
   *   started.set();
   *   await finish.wait();
   * });
   * const second = pool.submit(() => 42);
   * await started.wait(); // the first call runs; the second waits in the queue
   * const shutDown = pool.shutdown({ cancelFutures: true });
   * finish.set();
   * await shutDown;
   * assertEquals([first.cancelled(), second.cancelled()], [false, true]);
   * ```
   */
  shutdown(wait?: boolean | ShutdownOptions, cancelFutures?: boolean): Promise<void> {
    return this.#core.shutdown(wait, cancelFutures);
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
    this.#core.shutdownSync(wait, cancelFutures);
  }

  /**
   * Describes the pool.
   *
   * @returns Such as `<ThreadPoolExecutor ThreadPoolExecutor-0 threads=2/6>`.
   */
  override toString(): string {
    return this.#core.toString();
  }
}
