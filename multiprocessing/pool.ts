/**
 * The `Pool` of `multiprocessing`: the same API as `multiprocessing.dummy`'s,
 * with calls addressed by module reference so that they can run in Workers.
 *
 * @module
 */
import { getBackend, parallelBackend } from "../backends/mod.ts";
import type { Target } from "../backends/types.ts";
import { checkOptions } from "../runtime/options.ts";
import { BY_REFERENCE, Pool, type PoolOptions, type ReferencePoolOptions } from "../pools/pool.ts";

/**
 * A pool of processes with Python's `multiprocessing.Pool` API: every call
 * (and the initializer) is a module reference `{ module, export }`, which a
 * Worker imports and calls, as Python pickles functions by reference.
 * Results come back through a queue to a result thread of this isolate.
 *
 * By default its threads are Workers of the `atomics` backend, for CPU-bound
 * work in parallel: tasks and results cross through shared queues (their
 * arguments and results are structured-cloned). Given an in-isolate backend
 * (`{ backend: "async" }`), it runs the same protocol on threads of this
 * isolate.
 *
 * @example Module-referenced calls (on threads of this isolate)
 * ```ts
 * import { Pool } from "@locksmith/threading/multiprocessing";
 * import { assertEquals } from "@std/assert";
 *
 * const abs = { module: "data:text/javascript,export const abs = Math.abs;", export: "abs" };
 * await using pool = new Pool(2, null, [], { backend: "async" });
 * assertEquals(await pool.map(abs, [-1, 2, -3]), [1, 2, 3]);
 * ```
 */
export class ProcessPool extends Pool {
  /**
   * Creates the pool and starts its processes.
   *
   * @param processes How many (default: the number of cores).
   * @param initializer A module reference each process calls first.
   * @param initargs Its arguments.
   * @param options `backend`: default `atomics`.
   * @throws {TypeError} If a function is given where a module reference is needed, an option is unknown, or the
   * backend cannot run the pool.
   * @throws {ValueError} If `processes` is not an integer of at least 1.
   */
  constructor(processes?: number | null, initializer?: Target | null, initargs: unknown[] = [], options?: PoolOptions) {
    // Checked before the spread below, which would turn an array or a string into a plain object.
    checkOptions("create multiprocessing Pool", options, ["backend"]);
    const backend = options?.backend === undefined
      ? parallelBackend("multiprocessing Pool")
      : getBackend(options?.backend);
    super(processes, initializer, initargs, { ...options, backend, [BY_REFERENCE]: true } as ReferencePoolOptions);
  }
}
