/**
 * Python's `concurrent.futures`: run calls on a pool of threads and collect
 * their results through futures.
 *
 * - {@linkcode ThreadPoolExecutor}: `submit`, `map`, `shutdown`; disposable.
 *   On `atomics` its threads are Workers running module-referenced calls
 *   (`{ module, export }`), so CPU-bound work runs in parallel.
 * - {@linkcode Future}: awaitable; `result`, `exception`, `done`,
 *   `cancelled`, `running`, `cancel`, `addDoneCallback`.
 * - {@linkcode asCompleted}: an async iterator of futures as they finish.
 * - {@linkcode wait}: `FIRST_COMPLETED`, `FIRST_EXCEPTION`, `ALL_COMPLETED`.
 * - {@linkcode CancelledError}, {@linkcode TimeoutError},
 *   {@linkcode InvalidStateError}, {@linkcode BrokenExecutor}.
 *
 * Timeouts are in milliseconds.
 *
 * @example Submit, then collect as they complete
 * ```ts
 * import { sleep } from "@locksmith/threading";
 * import { asCompleted, ThreadPoolExecutor } from "@locksmith/threading/futures";
 * import { assertEquals } from "@std/assert";
 *
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 4 });
 * const futures = [3, 1, 2].map((n) => pool.submit(async () => (await sleep(n * 10), n)));
 * const finished: number[] = [];
 * for await (const future of asCompleted(futures)) finished.push(await future.result());
 * assertEquals(finished, [1, 2, 3]);
 * ```
 *
 * @module
 */
export { type AnyFuture, Future, type FutureOptions, type FutureState, type FutureWaiter } from "./future.ts";
export { Executor, type MapOptions, type ShutdownOptions } from "./executor.ts";
export { ThreadPoolExecutor, type ThreadPoolExecutorOptions } from "./thread_pool_executor.ts";
export { ProcessPoolExecutor, type ProcessPoolExecutorOptions } from "./process_pool_executor.ts";
export { asCompleted, type CompletedFuture } from "./as_completed.ts";
export {
  ALL_COMPLETED,
  type DoneAndNotDoneFutures,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  type ReturnWhen,
  wait,
  type WaitFuturesOptions,
} from "./wait.ts";
export { BrokenExecutor, CancelledError, InvalidStateError, TimeoutError } from "../runtime/errors.ts";
