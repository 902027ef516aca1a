/**
 * What each Worker of a Worker pool runs (by module reference): the pool
 * thread loop of {@linkcode poolWorker}, fed from the pool's shared task
 * queue. A task names its target by number in the pool's
 * {@linkcode TargetTable}. A Worker waits for tasks with a blocking `getSync`:
 * it has nothing else to run meanwhile, and a blocked Worker wakes several
 * microseconds sooner than one whose event loop must first resume a
 * `waitAsync`.
 *
 * @module
 */
import type { Queue } from "../queues/queue.ts";
import type { Target } from "../backends/types.ts";
import { type PoolTask, poolWorker } from "./pool_worker.ts";
import { TargetTable } from "./_target_table.ts";
import { resultToWire, taskFromWire, type Wire } from "./_wire.ts";

/**
 * Runs one Worker of a pool until the pool sends `null`.
 *
 * @param tasks The pool's shared task queue.
 * @param results The pool's shared result queue.
 * @param table The memory of the pool's table of targets.
 * @param initializer Called once first, if given.
 * @param initargs Its arguments.
 * @returns Resolves when the pool tells the Worker to stop.
 */
export function referencePoolWorker(
  tasks: Queue<Wire | null>,
  results: Queue<Wire | null>,
  table: SharedArrayBuffer,
  initializer: Target | null,
  initargs: readonly unknown[],
): Promise<void> {
  const targets = new TargetTable(table);
  const source = {
    get(): Promise<PoolTask | null> {
      const task = tasks.getSync();
      return Promise.resolve(task === null ? null : taskFromWire(task, targets));
    },
  };
  return poolWorker(source, { put: (result) => results.putSync(resultToWire(result)) }, initializer, initargs);
}
