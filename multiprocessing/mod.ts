/**
 * Python's `multiprocessing`: processes and a process pool, as Worker
 * threads of the `atomics` backend, for work that runs in parallel.
 *
 * - {@linkcode Process}: a target (a module reference) run in a Worker.
 * - {@linkcode Pool}: Python's `Pool` API (`map`, `imap`, `imapUnordered`,
 *   `starmap`, `apply`, `applyAsync`, `close`, `join`, `terminate`,
 *   disposable); calls are module references `{ module, export }`.
 * - {@linkcode ThreadPool}: the same API over threads of any backend
 *   (what `multiprocessing/dummy` exports as `Pool`).
 *
 * Switching between threads and Workers is one import, as in Python:
 * `multiprocessing/dummy`'s `Pool` or this one. Workers import what they
 * run, so a call is addressed by module: `{ module: import.meta.url,
 * export: "work" }` for an exported `work` function.
 *
 * On `atomics` (the default) a `Process` runs in a Worker, and the `Pool`'s
 * threads are Workers that take tasks and send results through queues in
 * shared memory, so CPU-bound calls run in parallel. Given an in-isolate
 * backend (`{ backend: "async" }`) the pool runs the same protocol on
 * threads of this isolate.
 *
 * @example A process and a pool
 * ```ts
 * import { Pool, Process } from "@locksmith/threading/multiprocessing";
 * import { assertEquals } from "@std/assert";
 *
 * const module = "data:text/javascript,export const double = (x) => 2 * x;";
 * const p = new Process({ target: { module, export: "double" }, args: [21], backend: "async" });
 * p.start();
 * await p.join();
 * assertEquals(p.exitcode, 0);
 *
 * await using pool = new Pool(2, null, [], { backend: "async" });
 * assertEquals(await pool.map({ module, export: "double" }, [1, 2, 3]), [2, 4, 6]);
 * ```
 *
 * @module
 */
export { ProcessPool as Pool } from "./pool.ts";
export { Pool as ThreadPool, type PoolFunction, type PoolOptions } from "../pools/pool.ts";
export { Process, type ProcessOptions } from "./process.ts";
export { AsyncResult, type Job, MapResult, type ResultCallbacks } from "../pools/async_result.ts";
export { IMapIterator } from "../pools/imap_iterator.ts";
export {
  type PoolResultSink,
  type PoolTask,
  type PoolTaskResult,
  type PoolTaskSource,
  poolWorker,
} from "../pools/pool_worker.ts";
export { cpuCount } from "../runtime/cpu_count.ts";
export { BrokenExecutor, CancelledError, TimeoutError } from "../runtime/errors.ts";
