/**
 * `Pool`: Python's `multiprocessing.Pool` API over threads of any backend
 * (what `multiprocessing.dummy` gives), and the base of the Worker pool.
 *
 * The pool keeps Python's API, the table of its jobs (each an
 * `AsyncResult`, `MapResult` or `IMapIterator` waiting for its tasks'
 * outcomes) and its state (RUN, CLOSE, TERMINATE, and broken when a thread
 * dies). Where its threads run is its transport's business, chosen once:
 * threads of this isolate (`_local_transport.ts`: a queue of tasks, and
 * outcomes handed straight back) or Workers (`worker_transport.ts`: shared
 * queues and a result handler, as Python's).
 *
 * | state     | new work  | queued tasks | threads                                    |
 * |-----------|-----------|--------------|--------------------------------------------|
 * | RUN       | accepted  | run          | take tasks                                 |
 * | CLOSE     | refused   | run          | end once the queue is drained              |
 * | TERMINATE | refused   | dropped      | Workers stopped; others end after the call |
 * | broken    | refused   | dropped      | a thread died; calls fail                  |
 *
 * @module
 */
import { type BackendChoice, getBackend, hostBackendFor } from "../backends/mod.ts";
import type { Backend, ModuleTarget, Target } from "../backends/types.ts";
import { BrokenExecutor, CancelledError, ValueError } from "../runtime/errors.ts";
import type { Thread } from "../primitives/thread.ts";
import { checkTarget, isModuleTarget } from "../runtime/target.ts";
import { describe } from "../runtime/describe.ts";
import { cpuCount } from "../runtime/cpu_count.ts";
import { abortedSignal, checkWait, type WaitOptions } from "../runtime/wait_options.ts";
import { checkKeys, checkOptions, isOptions } from "../runtime/options.ts";
import { AsyncResult, type Job, MapResult, type ResultCallbacks } from "./async_result.ts";
import { IMapIterator } from "./imap_iterator.ts";
import { LocalTransport } from "./_local_transport.ts";
import { chunksOf, chunksOfIterable, IN_FLIGHT, TaskFeeder } from "./_task_feeder.ts";
import type { PoolTransport, TransportOptions } from "./transport.ts";
import { WorkerTransport } from "./worker_transport.ts";
import { BROKEN, DONE, type TaskStatus } from "./wire.ts";

/** The options of a pool's constructor. */
export interface PoolOptions {
  /** The backend of the pool's threads; omitted, the default backend (for `multiprocessing`'s Pool, `atomics`). */
  backend?: BackendChoice;
}

const POOL_OPTIONS: readonly (keyof PoolOptions)[] = ["backend"];

/** Set by the Worker pool: calls must be module references (they may run in Workers). */
export const BY_REFERENCE: unique symbol = Symbol("pool calls by reference");

/** Names the pool's threads `${prefix}_${n}` (internal: an executor's `threadNamePrefix`). */
export const THREAD_NAME_PREFIX: unique symbol = Symbol("pool thread name prefix");

/** The constructor's options as the Worker pool passes them. */
export interface ReferencePoolOptions extends PoolOptions {
  /** Calls must be module references (they run in Workers). */
  [BY_REFERENCE]?: boolean;
  /** The prefix of the threads' names. */
  [THREAD_NAME_PREFIX]?: string;
}

/**
 * The threads of a pool (internal: what an executor reports as its threads).
 *
 * @param pool The pool.
 * @returns Its worker threads, in the order they started.
 */
export function poolThreads(pool: Pool): Thread[] {
  return pool[THREADS]();
}

const THREADS: unique symbol = Symbol("pool threads");

/** What a pool calls: a function (threads of this isolate) or `{ module, export }` (any thread). */
export type PoolFunction<A extends unknown[], R> = ((...args: A) => R) | ModuleTarget;

let workerCounter = 0;
let jobCounter = 0;

/**
 * A pool of threads that runs calls for you, with Python's
 * `multiprocessing.Pool` API (this class is what `multiprocessing.dummy`
 * gives: the threads are `Thread`s of the pool's backend, so switching to
 * parallel Workers is one import, `multiprocessing`'s `Pool`).
 *
 * `map`, `starmap` and `apply` wait for their results; `mapAsync`,
 * `starmapAsync` and `applyAsync` return an {@linkcode AsyncResult} at once
 * (with optional callbacks); `imap` and `imapUnordered` return an async
 * iterator of results, in order or as they complete. A function may be
 * sync or async, or a module reference `{ module, export }`.
 *
 * `close()` lets the queued work finish and the threads end; `terminate()`
 * drops the queued work (its results fail with `CancelledError`) and stops
 * the calls already running where it can: a Worker at its next cancellation
 * point (any wait of the library, or its return to its event loop; not a
 * loop that never yields), as Python's `terminate()` stops its processes;
 * a thread of this isolate cannot be stopped mid-call, and finishes it;
 * `join()` waits for the threads after either. `await using pool = new
 * Pool()` terminates and joins at the end of the block, as Python's `with`
 * terminates. If a pool thread dies (a Worker that fails to load, or ends
 * itself), the pool breaks: its unfinished calls fail with
 * `BrokenExecutor`, and so does any new one, instead of waiting forever.
 *
 * @example The seeds' `Pool().map`
 * ```ts
 * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
 * import { assertEquals } from "@std/assert";
 *
 * await using pool = new Pool(4);
 * assertEquals(await pool.map((x: number) => x * x, [1, 2, 3, 4, 5]), [1, 4, 9, 16, 25]);
 * ```
 */
export class Pool implements Disposable, AsyncDisposable {
  readonly #backend: Backend;
  // Whose parking lot the results' waits use: this isolate's.
  readonly #host: Backend;
  readonly #processes: number;
  readonly #byReference: boolean;
  // Where the tasks go: threads of this isolate, or Workers (chosen once).
  readonly #transport: PoolTransport;
  readonly #jobs = new Map<number, Job>();
  readonly #kind: string;
  #state: "RUN" | "CLOSE" | "TERMINATE" = "RUN";
  // The jobs whose tasks are still being sent, by job: Python's task handler, one thread per job.
  readonly #feeders = new Map<number, TaskFeeder>();
  // Why the pool stopped by itself, if a thread died.
  #broken: BrokenExecutor | undefined = undefined;
  // A Worker's initializer failure is printed once (each of this isolate's threads prints its own).
  #initializerReported = false;

  /**
   * Creates a pool and starts its threads.
   *
   * @param processes How many threads (default: the number of cores).
   * @param initializer Called once by each thread before its first task (a function or module reference).
   * @param initargs The initializer's arguments.
   * @param options `backend`: the backend of the threads.
   * @throws {ValueError} If `processes` is not an integer of at least 1.
   * @throws {TypeError} If an argument has the wrong type, an option is unknown, or the backend's threads cannot be
   * given work yet.
   */
  constructor(
    processes?: number | null,
    initializer?: Target | null,
    initargs: unknown[] = [],
    options?: PoolOptions,
  ) {
    const kind = this.#kind = new.target === Pool ? "Pool" : "multiprocessing Pool";
    checkOptions(`create ${kind}`, options, POOL_OPTIONS);
    const count = processes ?? cpuCount();
    if (typeof count !== "number") {
      throw new TypeError(`Cannot create ${kind} as 'processes' must be a number: received ${describe(count)}`);
    }
    if (!Number.isInteger(count) || count < 1) {
      throw new ValueError(`Cannot create ${kind} as 'processes' must be an integer >= 1: received ${describe(count)}`);
    }
    this.#processes = count;
    const backend = this.#backend = getBackend(options?.backend);
    this.#byReference = (options as ReferencePoolOptions | undefined)?.[BY_REFERENCE] === true;
    const init = initializer === undefined || initializer === null
      ? null
      : this.#checkFunction(`create ${kind}`, "initializer", initializer);
    if (!Array.isArray(initargs)) {
      throw new TypeError(`Cannot create ${kind} as 'initargs' must be an array: received ${describe(initargs)}`);
    }
    // Module-referenced calls on a backend whose threads are Workers go to Workers (over shared queues);
    // everything else runs on threads of this isolate.
    const overWorkers = this.#byReference && !backend.capabilities.functionTargets;
    if (overWorkers && !backend.capabilities.sharedMemory) {
      throw new TypeError(
        `Cannot create ${kind} over Workers of the '${backend.name}' backend: tasks and results reach Workers through a shared-memory queue, and the backend has no shared memory`,
      );
    }
    // Results are waited for in this isolate.
    this.#host = hostBackendFor(backend);
    const prefix = (options as ReferencePoolOptions | undefined)?.[THREAD_NAME_PREFIX];
    const transport: TransportOptions = {
      backend,
      threads: count,
      threadName: (i) => prefix === undefined ? `PoolWorker-${++workerCounter}` : `${prefix}_${i}`,
      initializer: init,
      initargs,
      deliver: (job, index, status, value) => this.#deliver(job, index, status, value),
      finished: () => this.#state === "TERMINATE" || (this.#state === "CLOSE" && this.#jobs.size === 0),
      threadEnded: (thread, error) => this.#threadEnded(thread, error),
    };
    this.#transport = overWorkers ? new WorkerTransport(transport) : new LocalTransport(transport);
  }

  /**
   * How many threads the pool runs.
   *
   * @example Four threads
   * ```ts
   * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
   * import { assertEquals } from "@std/assert";
   *
   * await using pool = new Pool(4);
   * assertEquals(pool.processes, 4);
   * ```
   */
  get processes(): number {
    return this.#processes;
  }

  /**
   * The backend of the pool's threads.
   *
   * @example The default backend
   * ```ts
   * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
   * import { assertEquals } from "@std/assert";
   *
   * await using pool = new Pool(1);
   * assertEquals(pool.backend.name, "async");
   * ```
   */
  get backend(): Backend {
    return this.#backend;
  }

  /**
   * Calls `func(...args)` on a thread of the pool and waits for the result.
   *
   * @param func The function (or module reference).
   * @param args Its arguments.
   * @returns What it returns.
   * @throws {ValueError} If the pool is closed or terminated.
   * @throws {unknown} What the call raised.
   *
   * @example One call
   * ```ts
   * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
   * import { assertEquals } from "@std/assert";
   *
   * await using pool = new Pool(2);
   * assertEquals(await pool.apply(Math.max, [3, 9, 4]), 9);
   * ```
   */
  apply<A extends unknown[], R>(func: PoolFunction<A, R>, args?: A): Promise<Awaited<R>> {
    try {
      return this.applyAsync(func, args).get();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Queues `func(...args)` and returns its {@linkcode AsyncResult} at once.
   * `callback` gets the result, or `errorCallback` what the call raised,
   * in the thread that delivers it; a callback that throws is reported on
   * stderr.
   *
   * @param func The function (or module reference).
   * @param args Its arguments.
   * @param callback Called with the result, or `{ callback, errorCallback }`.
   * @param errorCallback Called with what the call raised.
   * @returns The pending result.
   * @throws {ValueError} If the pool is closed or terminated.
   *
   * @example With a callback
   * ```ts
   * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
   * import { assertEquals } from "@std/assert";
   *
   * await using pool = new Pool(2);
   * const seen: number[] = [];
   * const result = pool.applyAsync((x: number) => x + 1, [41], (value) => seen.push(value));
   * await result.wait();
   * assertEquals(seen, [42]);
   * ```
   */
  applyAsync<A extends unknown[], R>(
    func: PoolFunction<A, R>,
    args?: A,
    callback?: ((result: Awaited<R>) => unknown) | ResultCallbacks<Awaited<R>> | null,
    errorCallback?: ((error: unknown) => unknown) | null,
  ): AsyncResult<Awaited<R>> {
    const target = this.#checkFunction("apply", "func", func);
    const callArgs = args ?? [];
    if (!Array.isArray(callArgs)) {
      throw new TypeError(`Cannot apply as 'args' must be an array: received ${describe(callArgs)}`);
    }
    const callbacks = checkCallbacks<Awaited<R>>("apply", callback, errorCallback);
    this.#checkRunning();
    const [id, result] = this.#register((label, onDone) =>
      new AsyncResult<Awaited<R>>(this.#host, callbacks, onDone, label)
    );
    this.#sending(id, () => this.#transport.send(id, 0, target, [callArgs]));
    return result;
  }

  /**
   * Calls `func(item)` for each item on the pool's threads and waits for
   * the list of results, in order. The items are sent in chunks (default:
   * about four per thread); if a call raises, the map throws that exception.
   *
   * @param func The function (or module reference).
   * @param iterable The items.
   * @param chunksize How many items each task holds.
   * @returns The results, in order.
   * @throws {ValueError} If the pool is not running, or `chunksize` is below 1.
   * @throws {unknown} What a call raised.
   *
   * @example Squares
   * ```ts
   * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
   * import { assertEquals } from "@std/assert";
   *
   * await using pool = new Pool(3);
   * assertEquals(await pool.map((x: number) => x * x, [1, 2, 3]), [1, 4, 9]);
   * ```
   */
  map<A, R>(func: PoolFunction<[A], R>, iterable: Iterable<A>, chunksize?: number | null): Promise<Awaited<R>[]> {
    try {
      return this.mapAsync(func, iterable, chunksize).get();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The non-waiting `map`: returns a {@linkcode MapResult} of the list.
   *
   * @param func The function (or module reference).
   * @param iterable The items.
   * @param chunksize How many items each task holds.
   * @param callback Called with the list, or `{ callback, errorCallback }`.
   * @param errorCallback Called with the first exception.
   * @returns The pending list.
   * @throws {ValueError} If the pool is not running, or `chunksize` is below 1.
   *
   * @example In the background
   * ```ts
   * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
   * import { assertEquals } from "@std/assert";
   *
   * await using pool = new Pool(2);
   * const result = pool.mapAsync((s: string) => s.toUpperCase(), ["a", "b"]);
   * assertEquals(await result.get(), ["A", "B"]);
   * ```
   */
  mapAsync<A, R>(
    func: PoolFunction<[A], R>,
    iterable: Iterable<A>,
    chunksize?: number | null,
    callback?: ((result: Awaited<R>[]) => unknown) | ResultCallbacks<Awaited<R>[]> | null,
    errorCallback?: ((error: unknown) => unknown) | null,
  ): MapResult<Awaited<R>> {
    const target = this.#checkFunction("map", "func", func);
    const argsList = collect("map", iterable, (item) => [item]);
    return this.#mapAsync(target, argsList, chunksize, checkCallbacks("map", callback, errorCallback));
  }

  /**
   * Like `map`, but each item is the array of a call's arguments (Python's
   * `starmap`): `[[1, 2], [3, 4]]` calls `func(1, 2)` and `func(3, 4)`.
   *
   * @param func The function (or module reference).
   * @param iterable The argument arrays.
   * @param chunksize How many calls each task holds.
   * @returns The results, in order.
   * @throws {ValueError} If the pool is not running, or `chunksize` is below 1.
   * @throws {unknown} What a call raised.
   *
   * @example Powers
   * ```ts
   * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
   * import { assertEquals } from "@std/assert";
   *
   * await using pool = new Pool(2);
   * assertEquals(await pool.starmap(Math.pow, [[2, 3], [3, 2]]), [8, 9]);
   * ```
   */
  starmap<A extends unknown[], R>(
    func: PoolFunction<A, R>,
    iterable: Iterable<A>,
    chunksize?: number | null,
  ): Promise<Awaited<R>[]> {
    try {
      return this.starmapAsync(func, iterable, chunksize).get();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The non-waiting `starmap`.
   *
   * @param func The function (or module reference).
   * @param iterable The argument arrays.
   * @param chunksize How many calls each task holds.
   * @param callback Called with the list, or `{ callback, errorCallback }`.
   * @param errorCallback Called with the first exception.
   * @returns The pending list.
   * @throws {ValueError} If the pool is not running, or `chunksize` is below 1.
   *
   * @example In the background
   * ```ts
   * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
   * import { assertEquals } from "@std/assert";
   *
   * await using pool = new Pool(2);
   * const result = pool.starmapAsync((a: number, b: number) => a - b, [[5, 1], [9, 4]]);
   * assertEquals(await result.get(), [4, 5]);
   * ```
   */
  starmapAsync<A extends unknown[], R>(
    func: PoolFunction<A, R>,
    iterable: Iterable<A>,
    chunksize?: number | null,
    callback?: ((result: Awaited<R>[]) => unknown) | ResultCallbacks<Awaited<R>[]> | null,
    errorCallback?: ((error: unknown) => unknown) | null,
  ): MapResult<Awaited<R>> {
    const target = this.#checkFunction("starmap", "func", func);
    const argsList = collect("starmap", iterable, (item) => {
      if (item === null || typeof (item as Iterable<unknown>)?.[Symbol.iterator] !== "function") {
        throw new TypeError(
          `Cannot starmap as each item of 'iterable' must be an array of arguments: received ${describe(item)}`,
        );
      }
      return [...(item as Iterable<unknown>)];
    });
    return this.#mapAsync(target, argsList, chunksize, checkCallbacks("starmap", callback, errorCallback));
  }

  /**
   * Like `map`, but returns an async iterator that yields each result, in
   * order, as soon as it (and those before it) are ready. The iterable is
   * read lazily, by a thread of the pool, as its threads take tasks: the
   * iterator comes back at once, and an error the iterable raises at item k
   * comes out of `next()` after the results before k, as in Python.
   *
   * @param func The function (or module reference).
   * @param iterable The items.
   * @param chunksize How many items each task holds (default 1).
   * @returns An async iterator of the results, in order.
   * @throws {ValueError} If the pool is not running, or `chunksize` is below 1.
   *
   * @example Lazily, in order
   * ```ts
   * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
   * import { assertEquals } from "@std/assert";
   *
   * await using pool = new Pool(2);
   * const out: string[] = [];
   * for await (const s of pool.imap((n: number) => `#${n}`, [1, 2, 3])) out.push(s);
   * assertEquals(out, ["#1", "#2", "#3"]);
   * ```
   */
  imap<A, R>(func: PoolFunction<[A], R>, iterable: Iterable<A>, chunksize?: number | null): IMapIterator<Awaited<R>> {
    return this.#imap("imap", func, iterable, chunksize, true);
  }

  /**
   * Like `imap`, but yields the results in the order they complete (an
   * error the iterable raises comes out after every result before it).
   *
   * @param func The function (or module reference).
   * @param iterable The items.
   * @param chunksize How many items each task holds (default 1).
   * @returns An async iterator of the results, as they complete.
   * @throws {ValueError} If the pool is not running, or `chunksize` is below 1.
   *
   * @example All results, in any order
   * ```ts
   * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
   * import { assertEquals } from "@std/assert";
   *
   * await using pool = new Pool(2);
   * const out = await Array.fromAsync(pool.imapUnordered((n: number) => n * 2, [1, 2, 3]));
   * assertEquals(out.sort(), [2, 4, 6]);
   * ```
   */
  imapUnordered<A, R>(
    func: PoolFunction<[A], R>,
    iterable: Iterable<A>,
    chunksize?: number | null,
  ): IMapIterator<Awaited<R>> {
    return this.#imap("imapUnordered", func, iterable, chunksize, false);
  }

  /**
   * Stops accepting work; the threads end once the queued work is done.
   *
   * @example Close, then join
   * ```ts
   * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
   * import { assertEquals } from "@std/assert";
   *
   * const pool = new Pool(2);
   * const result = pool.mapAsync((x: number) => x + 1, [1, 2]);
   * pool.close();
   * await pool.join();
   * assertEquals(await result.get(), [2, 3]);
   * ```
   */
  close(): void {
    if (this.#state !== "RUN") return;
    this.#state = "CLOSE";
    // The threads are told to end after the last task: once every feeder has sent its job's.
    if (this.#feeders.size === 0) this.#transport.close();
  }

  /**
   * Stops the pool now: queued work is dropped and its results fail with
   * `CancelledError`; calls already running finish (a thread cannot be
   * stopped mid-call) and their results are dropped. `join()` then waits
   * for the threads.
   *
   * @example Dropping queued work
   * ```ts
   * import { sleep } from "@locksmith/threading";
   * import { CancelledError } from "@locksmith/threading/futures";
   * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
   * import { assertRejects } from "@std/assert";
   *
   * const pool = new Pool(1);
   * pool.applyAsync(() => sleep(20));
   * const queued = pool.applyAsync(() => "never");
   * pool.terminate();
   * await assertRejects(() => queued.get(), CancelledError);
   * await pool.join();
   * ```
   */
  terminate(): void {
    if (this.#state === "TERMINATE") return;
    this.#stop(new CancelledError("Cannot finish the task: its pool was terminated"));
    // Workers are stopped mid-call, as Python's terminate() stops its processes.
    this.#transport.stop?.();
  }

  // Terminates: drops the queued tasks and fails every unfinished job with `reason`.
  #stop(reason: Error): void {
    if (this.#state === "TERMINATE") return;
    this.#state = "TERMINATE";
    for (const feeder of this.#feeders.values()) feeder.wake();
    this.#transport.dropQueued();
    const jobs = [...this.#jobs.values()];
    this.#jobs.clear();
    for (const job of jobs) job.abandon(reason);
    this.#transport.close();
  }

  /**
   * Waits for the pool's threads to end, after `close()` or `terminate()`.
   *
   * @param timeout Milliseconds for all of them, or `{ timeout, signal }`; omitted: forever.
   * @returns `true` if every thread ended, `false` if the timeout elapsed first.
   * @throws {ValueError} If the pool is still running (neither closed nor terminated), or the timeout is
   * negative (not -1) or NaN.
   * @throws {TypeError} If `timeout` is neither a number nor an options object with only `timeout` and `signal`.
   *
   * @example Joining a running pool is an error
   * ```ts
   * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
   * import { assertRejects } from "@std/assert";
   *
   * const pool = new Pool(1);
   * await assertRejects(() => pool.join(), RangeError);
   * pool.close();
   * await pool.join();
   * ```
   */
  async join(timeout?: number | WaitOptions | null): Promise<boolean> {
    const aborted = abortedSignal(timeout);
    if (aborted) throw aborted.reason;
    const wait = checkWait(`join ${this}`, timeout);
    if (this.#state === "RUN") {
      throw new ValueError(`Cannot join ${this}: it is still running (close or terminate it first)`);
    }
    const threads = this.#joinable();
    if (wait.timeout === Infinity && wait.signal === undefined) {
      for (const t of threads) await t.join();
      return true;
    }
    const deadline = this.#host.now() + wait.timeout;
    for (const t of threads) {
      const remaining = Math.max(0, deadline - this.#host.now());
      await t.join({ timeout: remaining === Infinity ? undefined : remaining, signal: wait.signal });
      if (t.isAlive()) return false;
    }
    return true;
  }

  /**
   * Waits for the pool's threads to end, blocking the calling thread. For a
   * pool of threads of this isolate, they cannot run while it blocks: waiting
   * for a live one throws `DeadlockError`.
   *
   * @throws {ValueError} If the pool is still running.
   * @throws {DeadlockError} If it would wait forever for a thread of this isolate.
   *
   * @example After the threads ended
   * ```ts
   * import { Pool } from "@locksmith/threading/multiprocessing/dummy";
   *
   * const pool = new Pool(1);
   * pool.close();
   * await pool.join();
   * pool.joinSync();
   * ```
   */
  joinSync(): void {
    if (this.#state === "RUN") {
      throw new ValueError(`Cannot join ${this}: it is still running (close or terminate it first)`);
    }
    for (const t of this.#joinable()) t.joinSync();
  }

  /**
   * The pool's worker threads (internal; see {@linkcode poolThreads}).
   *
   * @returns A copy of the list.
   */
  [THREADS](): Thread[] {
    return [...this.#transport.threads];
  }

  /** Terminates the pool without waiting (`using`), as Python's `with` does. */
  [Symbol.dispose](): void {
    this.terminate();
  }

  /** Terminates the pool and waits for its threads (`await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.terminate();
    await this.join();
  }

  /**
   * Describes the pool.
   *
   * @returns Such as `<Pool state=RUN pool_size=4>`.
   */
  toString(): string {
    return `<${this.#kind} state=${this.#state} pool_size=${this.#processes}>`;
  }

  #mapAsync<R>(
    target: Target,
    argsList: unknown[][],
    chunksize: number | null | undefined,
    callbacks: ResultCallbacks<R[]>,
  ): MapResult<R> {
    this.#checkRunning();
    let size = chunksize ?? defaultChunksize(argsList.length, this.#processes);
    if (chunksize !== undefined && chunksize !== null) size = checkChunksize("map", chunksize);
    const [id, result] = this.#register((label, onDone) =>
      new MapResult<R>(this.#host, callbacks, onDone, label, argsList.length, size)
    );
    // The first tasks go now (a task that cannot be sent is the caller's error); a feeder sends the rest
    // as the threads answer, so the queues never hold more than IN_FLIGHT of them.
    const chunks = Math.ceil(argsList.length / size);
    const now = Math.min(chunks, IN_FLIGHT);
    const first = now === chunks ? argsList : argsList.slice(0, now * size);
    this.#sending(id, () => this.#transport.sendChunks(id, target, first, size));
    if (now < chunks) this.#feed(id, target, chunksOf(argsList, size, now), now, now, undefined);
    return result;
  }

  #imap<A, R>(
    what: string,
    func: PoolFunction<[A], R>,
    iterable: Iterable<A>,
    chunksize: number | null | undefined,
    ordered: boolean,
  ): IMapIterator<Awaited<R>> {
    const target = this.#checkFunction(what, "func", func);
    checkIterable(what, iterable);
    const size = chunksize === undefined || chunksize === null ? 1 : checkChunksize(what, chunksize);
    this.#checkRunning();
    const [id, iterator] = this.#register((_label, onDone) =>
      new IMapIterator<Awaited<R>>(this.#host, undefined, ordered, onDone)
    );
    // Read lazily, by the feeder's thread: the iterator is returned at once, and what the iterable
    // raises comes out of next() at its place, after the results before it (Python's way).
    this.#feed(id, target, chunksOfIterable(iterable, size), 0, 0, iterator);
    return iterator;
  }

  // Starts the feeder that sends job `id`'s tasks from task `first` on, `inFlight` of them sent already.
  #feed(
    id: number,
    target: Target,
    chunks: Iterator<unknown[][]>,
    first: number,
    inFlight: number,
    iterator: IMapIterator<unknown> | undefined,
  ): void {
    const feeder = new TaskFeeder({
      host: this.#host,
      name: `PoolTaskHandler-${id}`,
      chunks,
      first,
      send: (index, argsList) => this.#transport.send(id, index, target, argsList),
      fail: (index, error) => this.#jobs.get(id)?.deliver(index, false, error),
      end: (count, failure) => iterator?.end(count, failure),
      stopped: () => this.#state === "TERMINATE" || iterator?.closed === true,
      finished: () => {
        this.#feeders.delete(id);
        // close() came while tasks were still being sent: the threads may be told to end now.
        if (this.#state === "CLOSE" && this.#feeders.size === 0) this.#transport.close();
      },
    }, inFlight);
    this.#feeders.set(id, feeder);
  }

  // The threads to join: the transport's, and the feeders still sending.
  #joinable(): Thread[] {
    return [...[...this.#feeders.values()].map((feeder) => feeder.thread), ...this.#transport.joinable];
  }

  // Sends a job's tasks; if that fails (an argument a Worker cannot receive), the
  // job is forgotten, so that close() and join() do not wait for it, and the
  // caller gets the error (tasks sent before it still run; their results are dropped).
  #sending(id: number, send: () => void): void {
    try {
      send();
    } catch (error) {
      this.#jobs.delete(id);
      throw error;
    }
  }

  #register<J extends Job>(make: (label: string, onDone: () => void) => J): [number, J] {
    const id = ++jobCounter;
    let done = false;
    const job = make(`AsyncResult#${id}`, () => {
      done = true;
      this.#jobs.delete(id);
    });
    if (!done) this.#jobs.set(id, job);
    return [id, job];
  }

  // An outcome, from a thread of this isolate or the result handler.
  #deliver(job: number, index: number, status: TaskStatus, value: unknown): void {
    if (status === BROKEN) {
      // A Worker whose initializer raised runs no call: each task it takes fails (Python's threads' way).
      if (!this.#initializerReported) {
        this.#initializerReported = true;
        console.error("Exception in the initializer of a pool thread:", value);
      }
      value = new BrokenExecutor("Cannot run the task: the initializer of its pool thread failed", { cause: value });
    }
    this.#feeders.get(job)?.answered();
    this.#jobs.get(job)?.deliver(index, status === DONE, value);
  }

  // A pool thread ended. Unless the pool told it to, it died (a Worker whose
  // module failed to load, or that was killed): the tasks it held would never
  // finish, so the pool breaks, failing every unfinished job, as Python's
  // process pools do, rather than leave their callers waiting forever.
  #threadEnded(thread: Thread, error: unknown): void {
    if (this.#state === "TERMINATE" || (this.#state === "CLOSE" && error === undefined)) return;
    const why = error === undefined ? "" : `: ${error instanceof Error ? error.message : String(error)}`;
    this.#broken = new BrokenExecutor(`Cannot finish the task: thread '${thread.name}' of ${this} died${why}`, {
      cause: error,
    });
    this.#stop(this.#broken);
  }

  #checkRunning(): void {
    if (this.#broken !== undefined) {
      throw new BrokenExecutor(`Cannot give work to ${this}: it broke (${this.#broken.message})`, {
        cause: this.#broken,
      });
    }
    if (this.#state !== "RUN") throw new ValueError(`Cannot give work to ${this}: the pool is not running`);
  }

  #checkFunction(what: string, argument: string, func: unknown): Target {
    const target = checkTarget(what, func, argument);
    if (this.#byReference && !isModuleTarget(target)) {
      throw new TypeError(
        `Cannot ${what} as '${argument}' must be a module reference, not a function (a multiprocessing pool runs calls in Workers, which import them; pass a module reference { module: import.meta.url, export: "${
          (func as { name?: string }).name || "myFunction"
        }" } instead): received ${describe(func)}`,
      );
    }
    return isModuleTarget(target) ? { module: String(target.module), export: target.export } : target;
  }
}

function collect(what: string, iterable: unknown, toArgs: (item: unknown) => unknown[]): unknown[][] {
  checkIterable(what, iterable);
  return Array.from(iterable as Iterable<unknown>, toArgs);
}

function checkIterable(what: string, iterable: unknown): void {
  if (
    iterable === null || iterable === undefined ||
    typeof (iterable as Iterable<unknown>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(`Cannot ${what} as 'iterable' must be iterable: received ${describe(iterable)}`);
  }
}

const CALLBACK_OPTIONS: readonly (keyof ResultCallbacks<unknown>)[] = ["callback", "errorCallback"];

// Python's: about four tasks per thread.
function defaultChunksize(length: number, processes: number): number {
  return Math.max(1, Math.ceil(length / (processes * 4)));
}

function checkChunksize(what: string, chunksize: unknown): number {
  if (typeof chunksize !== "number") {
    throw new TypeError(`Cannot ${what} as 'chunksize' must be a number: received ${describe(chunksize)}`);
  }
  if (!Number.isInteger(chunksize) || chunksize < 1) {
    throw new ValueError(`Cannot ${what} as 'chunksize' must be an integer >= 1: received ${describe(chunksize)}`);
  }
  return chunksize;
}

function checkCallbacks<T>(what: string, callback: unknown, errorCallback: unknown): ResultCallbacks<T> {
  let callbacks: ResultCallbacks<T>;
  if (isOptions(callback)) {
    if (errorCallback !== undefined) {
      throw new TypeError(
        `Cannot ${what} with both a callbacks object and an 'errorCallback': received ${describe(errorCallback)}`,
      );
    }
    checkKeys(what, callback, CALLBACK_OPTIONS);
    callbacks = callback as ResultCallbacks<T>;
  } else {callbacks = {
      callback: callback as ResultCallbacks<T>["callback"],
      errorCallback: errorCallback as ResultCallbacks<T>["errorCallback"],
    };}
  for (const [name, fn] of [["callback", callbacks.callback], ["errorCallback", callbacks.errorCallback]] as const) {
    if (fn !== undefined && fn !== null && typeof fn !== "function") {
      throw new TypeError(`Cannot ${what} as '${name}' must be a function: received ${describe(fn)}`);
    }
  }
  return callbacks;
}
