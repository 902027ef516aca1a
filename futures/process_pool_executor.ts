/**
 * `ProcessPoolExecutor`: Python's `concurrent.futures.ProcessPoolExecutor`,
 * over Workers (a Worker is what JavaScript has of a process: its own
 * isolate, running in parallel). The engine is `_worker_calls.ts`.
 *
 * @module
 */
import { type BackendChoice, parallelBackend } from "../backends/mod.ts";
import type { Backend, ModuleTarget, Target } from "../backends/types.ts";
import { cpuCount } from "../runtime/cpu_count.ts";
import type { Thread } from "../primitives/thread.ts";
import { Executor, type ShutdownOptions } from "./executor.ts";
import type { Future } from "./future.ts";
import type { MapOptions } from "./_map.ts";
import { checkExecutorOptions, executorBackend, ExecutorCore } from "./_call_engine.ts";
import { WorkerCalls } from "./_worker_calls.ts";
import { ThreadCalls } from "./thread_pool_executor.ts";

/** The options of `new ProcessPoolExecutor()`. */
export interface ProcessPoolExecutorOptions {
  /** How many Workers (default: the number of cores, as Python's). */
  maxWorkers?: number;
  /**
   * Called in each Worker before it runs any call (may be async): a module
   * reference `{ module, export }`, which the Worker imports.
   */
  initializer?: ModuleTarget;
  /** The initializer's arguments (structured-cloneable). */
  initargs?: unknown[];
  /**
   * The backend whose threads are the Workers (default: the registered
   * backend with parallel threads and shared memory, `atomics`). On a backend
   * whose threads are tasks of this isolate the calls run there, still by
   * module reference, with their arguments as given.
   */
  backend?: BackendChoice;
}

const PROCESS_POOL_OPTIONS: readonly (keyof ProcessPoolExecutorOptions)[] = [
  "maxWorkers",
  "initializer",
  "initargs",
  "backend",
];

let poolCounter = 0;

/**
 * An executor that runs calls on a pool of Workers, in parallel (Python's
 * `concurrent.futures.ProcessPoolExecutor`, with Workers for processes).
 *
 * Every call and the initializer is a module reference `{ module, export }`
 * that a Worker imports (usually `{ module: import.meta.url, export:
 * "name" }`, as Python pickles a function by reference); a function is a
 * `TypeError` that says so. Arguments and results are structured-cloned, and
 * an exception raised in a Worker is re-made in its class (a library error
 * or a built-in one) for the future.
 *
 * The Workers (`maxWorkers`, by default one per core) start at the first
 * call. Calls wait in this isolate, where their futures can be cancelled,
 * until Python's call queue has room: it holds `maxWorkers + 1` calls
 * handed over and not yet taken by a Worker, so busy Workers always find
 * the next call, and a call is `running()` from hand-over on.
 * `map(fn, ...iterables, { chunksize })` sends `chunksize` items per Worker
 * task. A Worker that dies, or whose initializer raises, breaks the pool:
 * the calls queued and running fail with {@linkcode BrokenExecutor}, and so
 * does every later `submit`.
 *
 * `shutdown(wait, cancelFutures)` stops new submissions; `await using pool =
 * new ProcessPoolExecutor()` shuts down and waits at the end of the block.
 *
 * @example CPU-bound calls on Workers
 * ```ts
 * import { ProcessPoolExecutor } from "@locksmith/threading/futures";
 * import { assertEquals } from "@std/assert";
 *
 * // Workers import what they run: a module export, named by URL (usually `import.meta.url`) and name.
 * const fib = {
 *   module: "data:text/javascript,export function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }",
 *   export: "fib",
 * };
 * await using pool = new ProcessPoolExecutor({ maxWorkers: 2 });
 * assertEquals(await pool.submit<number>(fib, 20), 6765);
 * assertEquals(await Array.fromAsync(pool.map(fib, [21, 22, 23], { chunksize: 2 })), [10946, 17711, 28657]);
 * ```
 */
export class ProcessPoolExecutor extends Executor {
  // Its engine is Workers, or (on a backend without them) threads of this isolate: chosen once.
  readonly #core: ExecutorCore;

  /**
   * Creates a pool; no Worker starts until the first call.
   *
   * @param options `maxWorkers`, `initializer`, `initargs`, `backend`.
   * @throws {ValueError} If `maxWorkers` is not an integer greater than 0.
   * @throws {TypeError} If an option is unknown or has the wrong type (a function as initializer), or no backend
   * has Workers.
   */
  constructor(options: ProcessPoolExecutorOptions = {}) {
    super();
    const kind = "ProcessPoolExecutor";
    const backend = executorBackend(kind, options, PROCESS_POOL_OPTIONS, () => parallelBackend(kind));
    const settings = checkExecutorOptions(options, backend, {
      kind,
      functions: false,
      defaultWorkers: cpuCount(),
      defaultPrefix: `ProcessPoolExecutor-${poolCounter++}`,
    });
    const engine = backend.capabilities.functionTargets
      ? new ThreadCalls(settings)
      : new WorkerCalls(settings, `${kind} ${settings.prefix}`);
    this.#core = new ExecutorCore(settings, engine, false);
  }

  /**
   * The backend whose threads are the Workers.
   *
   * @example The default backend
   * ```ts
   * import { ProcessPoolExecutor } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new ProcessPoolExecutor().backend.name, "atomics");
   * ```
   */
  get backend(): Backend {
    return this.#core.settings.backend;
  }

  /**
   * How many Workers the pool runs.
   *
   * @example Two Workers
   * ```ts
   * import { ProcessPoolExecutor } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new ProcessPoolExecutor({ maxWorkers: 2 }).maxWorkers, 2);
   * ```
   */
  get maxWorkers(): number {
    return this.#core.settings.maxWorkers;
  }

  /**
   * The Workers (all start at the first call).
   *
   * @example None before the first call
   * ```ts
   * import { ProcessPoolExecutor } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new ProcessPoolExecutor().threads, []);
   * ```
   */
  get threads(): Thread[] {
    return [...this.#core.engine.threads];
  }

  /**
   * Schedules a call of the module export `fn` names on a Worker; the
   * arguments and the result are structured-cloned (arguments that cannot
   * be make the future fail with the clone's error).
   *
   * @param fn The module reference `{ module, export }`.
   * @param args Its arguments.
   * @returns The call's future.
   * @throws {TypeError} If `fn` is not a module reference.
   * @throws {RuntimeError} If the pool is shut down.
   * @throws {BrokenExecutor} If a Worker died or its initializer failed.
   *
   * @example A module export
   * ```ts
   * import { ProcessPoolExecutor } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * const abs = { module: "data:text/javascript,export const abs = Math.abs;", export: "abs" };
   * await using pool = new ProcessPoolExecutor({ maxWorkers: 1 });
   * assertEquals(await pool.submit<number>(abs, -3), 3);
   * ```
   */
  submit<R = unknown>(fn: ModuleTarget, ...args: unknown[]): Future<R>;
  /**
   * A function cannot reach a Worker: this overload exists for `Executor`'s
   * signature, and throws.
   *
   * @param fn A function.
   * @param args Its arguments.
   * @returns Never.
   * @throws {TypeError} Always: it says to pass a module reference.
   */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Future<Awaited<R>>;
  submit(fn: Target, ...args: unknown[]): Future<unknown> {
    return this.#core.submit(fn, args);
  }

  /**
   * A function cannot reach a Worker: this overload exists for `Executor`'s
   * signature, and throws.
   *
   * @param fn A function.
   * @param iterable The items.
   * @param options The options.
   * @returns Never.
   * @throws {TypeError} Always: it says to pass a module reference.
   */
  override map<A, R>(
    fn: (item: A) => R,
    iterable: Iterable<A>,
    options?: MapOptions,
  ): AsyncGenerator<Awaited<R>, void, undefined>;
  /**
   * A function cannot reach a Worker: this overload exists for `Executor`'s
   * signature, and throws.
   *
   * @param fn A function.
   * @param iterablesAndOptions The iterables, then optionally the options.
   * @returns Never.
   * @throws {TypeError} Always: it says to pass a module reference.
   */
  override map<R>(
    // deno-lint-ignore no-explicit-any
    fn: (...args: any[]) => R,
    ...iterablesAndOptions: (Iterable<unknown> | MapOptions)[]
  ): AsyncGenerator<Awaited<R>, void, undefined>;
  /**
   * Runs the module export `fn` names over the iterables' items (zipped),
   * `chunksize` items per Worker task (see {@linkcode Executor.map}); a call
   * that raises fails its whole chunk (the iteration throws at the chunk's
   * place).
   *
   * @param fn The module reference `{ module, export }`.
   * @param iterablesAndOptions The iterables, then optionally `{ timeout, chunksize, signal }`.
   * @returns An async iterator of the results, in order.
   * @throws {TypeError} If `fn` is not a module reference.
   * @throws {ValueError} If `chunksize` is less than 1 or the timeout is negative.
   *
   * @example Many small calls, four per Worker task
   * ```ts
   * import { ProcessPoolExecutor } from "@locksmith/threading/futures";
   * import { assertEquals } from "@std/assert";
   *
   * const double = { module: "data:text/javascript,export const double = (x) => 2 * x;", export: "double" };
   * await using pool = new ProcessPoolExecutor({ maxWorkers: 2 });
   * const items = Array.from({ length: 10 }, (_, i) => i);
   * assertEquals(await Array.fromAsync(pool.map(double, items, { chunksize: 4 })), items.map((x) => 2 * x));
   * ```
   */
  override map<R = unknown>(
    fn: ModuleTarget,
    ...iterablesAndOptions: (Iterable<unknown> | MapOptions)[]
  ): AsyncGenerator<R, void, undefined>;
  override map(
    fn: ModuleTarget | ((...args: unknown[]) => unknown),
    ...rest: (Iterable<unknown> | MapOptions | undefined)[]
  ): AsyncGenerator<unknown, void, undefined> {
    return this.#core.map(fn, rest);
  }

  /**
   * Shuts the pool down: no more submissions. Queued calls still run,
   * unless `cancelFutures` cancels those not handed over. With `wait` (the
   * default), resolves once they have run and the Workers have ended.
   *
   * @param wait Wait for the calls and Workers (default `true`), or `{ wait, cancelFutures }`.
   * @param cancelFutures Cancel the calls not handed over (default `false`).
   * @returns Resolves when shut down.
   *
   * @example Shutting down
   * ```ts
   * import { ProcessPoolExecutor } from "@locksmith/threading/futures";
   *
   * const pool = new ProcessPoolExecutor();
   * await pool.shutdown();
   * ```
   */
  shutdown(wait?: boolean | ShutdownOptions, cancelFutures?: boolean): Promise<void> {
    return this.#core.shutdown(wait, cancelFutures);
  }

  /**
   * Shuts the pool down as `shutdown` does, blocking the calling thread to
   * wait. The Workers' outcomes reach this isolate only while it does not
   * block, so with calls still out it throws `DeadlockError` instead (use
   * `await shutdown()`).
   *
   * @param wait Wait for the Workers to end (default `true`).
   * @param cancelFutures Cancel the calls not handed over (default `false`).
   * @throws {DeadlockError} If calls are still queued or running on Workers.
   *
   * @example Nothing submitted
   * ```ts
   * import { ProcessPoolExecutor } from "@locksmith/threading/futures";
   *
   * new ProcessPoolExecutor().shutdownSync();
   * ```
   */
  shutdownSync(wait?: boolean, cancelFutures?: boolean): void {
    this.#core.shutdownSync(wait, cancelFutures);
  }

  /**
   * Describes the pool.
   *
   * @returns Such as `<ProcessPoolExecutor ProcessPoolExecutor-0 workers=2/2>`.
   */
  override toString(): string {
    return this.#core.toString();
  }
}
