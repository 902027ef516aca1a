/**
 * Python's `queue` module: thread-safe queues for handing work between
 * threads, on every backend.
 *
 * - {@linkcode Queue}: FIFO, optionally bounded, with `taskDone`/`join`
 *   and Python 3.13's `shutdown`.
 * - {@linkcode LifoQueue}: last in, first out.
 * - {@linkcode PriorityQueue}: smallest first, ordered as Python orders
 *   tuples (or by a `compare` option).
 * - {@linkcode SimpleQueue}: unbounded FIFO without task tracking.
 * - {@linkcode Empty}, {@linkcode Full}, {@linkcode ShutDown}: what they raise.
 *
 * Timeouts are in milliseconds. `put` and `get` take Python's
 * `(block, timeout)` or `{ block, timeout, signal }`, return Promises, and
 * have `...Sync` twins; a non-blocking call ignores its timeout, as in
 * Python.
 *
 * @example A pipeline with task tracking
 * ```ts
 * import { Thread } from "@locksmith/threading";
 * import { Queue, ShutDown } from "@locksmith/threading/queue";
 * import { assertEquals } from "@std/assert";
 *
 * const q = new Queue<number>(10);
 * const squares: number[] = [];
 * const workers = [1, 2].map(() =>
 *   new Thread({
 *     target: async () => {
 *       try {
 *         for (;;) {
 *           const n = await q.get();
 *           squares.push(n * n);
 *           q.taskDone();
 *         }
 *       } catch (error) {
 *         if (!(error instanceof ShutDown)) throw error;
 *       }
 *     },
 *   })
 * );
 * workers.forEach((w) => w.start());
 * for (let n = 1; n <= 5; n++) await q.put(n);
 * await q.join();
 * q.shutdown();
 * for (const w of workers) await w.join();
 * assertEquals(squares.sort((a, b) => a - b), [1, 4, 9, 16, 25]);
 * ```
 *
 * @module
 */
export { Queue, type QueueOptions } from "./queue.ts";
export { LifoQueue } from "./lifo_queue.ts";
export { PriorityQueue, type PriorityQueueOptions } from "./priority_queue.ts";
export { SimpleQueue } from "./simple_queue.ts";
export { compareLikePython } from "./python_order.ts";
export type { QueueWaitOptions } from "../runtime/queue_wait.ts";
export { Empty, Full, ShutDown } from "../runtime/errors.ts";
