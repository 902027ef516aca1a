/**
 * The loop every pool thread runs: take a task, run its calls, report the
 * outcome, until the pool says stop. It is a module export so that a pool
 * over Workers can start it by module reference; a pool over threads of
 * one isolate calls the same function.
 *
 * @module
 */
import type { Target } from "../backends/types.ts";
import { BrokenExecutor } from "../runtime/errors.ts";
import { callTarget, checkTarget } from "../runtime/target.ts";
import { describe } from "../runtime/describe.ts";

/** One task: `job`'s chunk `index`, the target, and the arguments of each call. */
export type PoolTask = readonly [job: number, index: number, target: Target, argsList: readonly (readonly unknown[])[]];

/** One task's outcome: the results of its calls (`ok`), or what one raised. */
export type PoolTaskResult = readonly [job: number, index: number, ok: boolean, value: unknown];

/** Where a pool thread takes tasks from (`null`: stop). */
export interface PoolTaskSource {
  /** The next task, waiting for one. */
  get(): Promise<PoolTask | null>;
}

/** Where a pool thread reports outcomes. */
export interface PoolResultSink {
  /** Takes an outcome. */
  put(result: PoolTaskResult): unknown;
}

/**
 * Runs a pool thread: `initializer(...initargs)` first, then tasks from
 * `tasks` until it gets `null`. A call that raises fails its task, not the
 * thread. If the initializer raises, it is reported on stderr and every task
 * this thread takes fails with `BrokenExecutor` (so nothing waits forever).
 *
 * @param tasks Where tasks come from.
 * @param results Where outcomes go.
 * @param initializer Called once first, if given.
 * @param initargs Its arguments.
 * @returns Resolves when the pool tells the thread to stop.
 * @throws {TypeError} If `tasks` has no `get()`, `results` no `put()`, `initializer` is not a target or `initargs`
 * not an array.
 *
 * @example Driving a worker by hand
 * ```ts
 * import { poolWorker, type PoolTask, type PoolTaskResult } from "@locksmith/threading/multiprocessing";
 * import { assertEquals } from "@std/assert";
 *
 * const tasks: (PoolTask | null)[] = [[1, 0, (x: number) => x * 2, [[21]]], null];
 * const results: PoolTaskResult[] = [];
 * await poolWorker({ get: async () => tasks.shift()! }, { put: (r) => results.push(r) }, null, []);
 * assertEquals(results, [[1, 0, true, [42]]]);
 * ```
 */
export async function poolWorker(
  tasks: PoolTaskSource,
  results: PoolResultSink,
  initializer: Target | null,
  initargs: readonly unknown[],
): Promise<void> {
  checkEnds(tasks, results, initializer, initargs);
  const broken = await runInitializer(initializer, initargs);
  for (;;) {
    const task = await tasks.get();
    if (task === null) return;
    const [job, index, target, argsList] = task;
    let outcome: PoolTaskResult;
    if (broken) outcome = [job, index, false, broken];
    else {
      try {
        const values: unknown[] = [];
        for (const args of argsList) values.push(await callTarget(target, args));
        outcome = [job, index, true, values];
      } catch (error) {
        outcome = [job, index, false, error];
      }
    }
    try {
      await results.put(outcome);
    } catch (error) {
      // A result a Worker cannot send (not structured-cloneable): fail the task instead.
      await results.put([job, index, false, new TypeError(`Cannot send the result of a pool task: ${error}`)]);
    }
  }
}

/**
 * Runs a pool thread's initializer, if any: the error every task of the
 * thread then fails with if it raised (reported on stderr), else undefined.
 *
 * @param initializer The initializer, or `null`.
 * @param initargs Its arguments.
 * @returns What the thread's tasks fail with, if the initializer raised.
 */
export async function runInitializer(
  initializer: Target | null,
  initargs: readonly unknown[],
): Promise<BrokenExecutor | undefined> {
  if (!initializer) return undefined;
  try {
    await callTarget(initializer, initargs);
    return undefined;
  } catch (error) {
    console.error("Exception in the initializer of a pool thread:", error);
    return new BrokenExecutor("Cannot run the task: the initializer of its pool thread failed", { cause: error });
  }
}

function checkEnds(tasks: unknown, results: unknown, initializer: unknown, initargs: unknown): void {
  const what = "run a pool worker";
  if (typeof (tasks as PoolTaskSource | null)?.get !== "function") {
    throw new TypeError(`Cannot ${what} as 'tasks' must have a get() method: received ${describe(tasks)}`);
  }
  if (typeof (results as PoolResultSink | null)?.put !== "function") {
    throw new TypeError(`Cannot ${what} as 'results' must have a put() method: received ${describe(results)}`);
  }
  if (initializer !== null && initializer !== undefined) checkTarget(what, initializer, "initializer");
  if (!Array.isArray(initargs)) {
    throw new TypeError(`Cannot ${what} as 'initargs' must be an array: received ${describe(initargs)}`);
  }
}
