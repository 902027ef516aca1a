/**
 * What each Worker of a Worker pool runs (by module reference): take a task
 * from the pool's shared task queue, run its calls, put the outcome on the
 * shared result queue, until the pool sends `null`. It does what
 * {@linkcode poolWorker} does for threads of one isolate, on the flat wire
 * format of `_wire.ts`, in a loop that awaits only when a call returns a
 * promise: per task, the generic loop's awaits, argument arrays and target
 * lookups by URL cost more than a no-op task itself.
 *
 * A Worker waits for tasks with a blocking `getSync`: it has nothing else to
 * run meanwhile, and a blocked Worker wakes several microseconds sooner than
 * one whose event loop must first resume a `waitAsync`.
 *
 * @module
 */
import type { Queue } from "../queue/queue.ts";
import type { Target } from "../backends/types.ts";
import { callTarget, loadTarget } from "../runtime/target.ts";
import { TargetTable } from "../pools/target_table.ts";
import { type PackedError, packError } from "../runtime/error_transfer.ts";
import {
  BROKEN,
  CLAIM_CANCELLED,
  CLAIM_PENDING,
  CLAIM_TAKEN,
  DONE,
  RAISED,
  SKIPPED,
  type Wire,
} from "../pools/wire.ts";

type Callable = (...args: unknown[]) => unknown;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") &&
    typeof (value as PromiseLike<unknown>).then === "function";
}

/**
 * Runs one Worker of a pool until the pool sends `null`. A call that raises
 * fails its task, not the Worker (its exception goes packed, so that it
 * arrives as an instance of its class); if the initializer raises, every task
 * this Worker takes is answered `BROKEN` with that exception (the pool or
 * executor decides what that means, and reports it).
 *
 * @param tasks The pool's shared task queue.
 * @param results The pool's shared result queue.
 * @param table The memory of the pool's table of targets.
 * @param initializer Called once first, if given.
 * @param initargs Its arguments.
 * @param claimTable The pool's claim slots, if its tasks may be sent ahead (see `pools/wire.ts`).
 * @returns Resolves when the pool tells the Worker to stop.
 */
export async function referencePoolWorker(
  tasks: Queue<Wire | null>,
  results: Queue<Wire | null>,
  table: SharedArrayBuffer,
  initializer: Target | null,
  initargs: readonly unknown[],
  claimTable: SharedArrayBuffer | null = null,
): Promise<void> {
  const targets = new TargetTable(table);
  const claims = claimTable === null ? undefined : new Int32Array(claimTable);
  // The functions by their number in the table, once imported.
  const functions: Callable[] = [];
  let broken: PackedError | undefined;
  if (initializer !== null) {
    try {
      await callTarget(initializer, initargs);
    } catch (error) {
      broken = packError(error);
    }
  }
  for (;;) {
    const wire = tasks.getSync();
    if (wire === null) return;
    const job = wire[0] as number;
    const index = wire[1] as number;
    const claim = wire[3] as number;
    // A task sent ahead runs only if this Worker claims it before its caller cancels it.
    if (
      claim >= 0 && Atomics.compareExchange(claims!, claim, CLAIM_PENDING, CLAIM_TAKEN) === CLAIM_CANCELLED
    ) {
      results.putSync([job, index, SKIPPED]);
      continue;
    }
    let outcome: Wire;
    if (broken !== undefined) outcome = [job, index, BROKEN, broken];
    else {
      try {
        const id = wire[2] as number;
        const fn = functions[id] ?? (functions[id] = await loadTarget(targets.lookup(id)) as Callable);
        outcome = [job, index, DONE];
        const calls = wire[4] as number;
        for (let c = 0, at = 5; c < calls; c++) {
          const count = wire[at++] as number;
          let value = count === 1 ? fn(wire[at]) : fn(...wire.slice(at, at + count));
          at += count;
          if (isThenable(value)) value = await value;
          outcome.push(value);
        }
      } catch (error) {
        outcome = [job, index, RAISED, packError(error)];
      }
    }
    try {
      results.putSync(outcome);
    } catch (error) {
      // A result a Worker cannot send (not structured-cloneable): fail the task instead.
      const unsendable = new TypeError(`Cannot send the result of a pool task: ${error}`);
      results.putSync([job, index, RAISED, packError(unsendable)]);
    }
  }
}
