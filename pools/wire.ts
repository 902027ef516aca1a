/**
 * How a Worker pool's tasks and outcomes cross the shared queues: each one
 * flat array, as a shared queue encodes a flat array of plain values much
 * faster than nested ones (every array costs a check for holes and named
 * properties). The target goes as its number in the pool's `TargetTable`.
 * This is the one encoding that crosses the Worker boundary: `Pool` and
 * `ProcessPoolExecutor` both read it.
 *
 * | what    | layout                                                            |
 * |---------|-------------------------------------------------------------------|
 * | task    | job, index, target, calls, then per call: count, ...arguments     |
 * | outcome | job, index, DONE, ...values                                       |
 * |         | job, index, RAISED, packed error (a call raised)                  |
 * |         | job, index, BROKEN, packed error (the Worker's initializer raised) |
 *
 * @module
 */
import { unpackError } from "../runtime/error_transfer.ts";

/** A task or an outcome as it crosses the queue. */
export type Wire = unknown[];

/** An outcome's status: every call returned; the values follow. */
export const DONE = 1;
/** An outcome's status: a call raised; its (packed) exception follows. */
export const RAISED = 0;
/** An outcome's status: the Worker's initializer raised, so it runs no call; the (packed) exception follows. */
export const BROKEN = 2;

/** What a task's outcome says: `DONE` with the values, `RAISED` or `BROKEN` with the exception (re-made). */
export type TaskStatus = typeof DONE | typeof RAISED | typeof BROKEN;

/** Flattens a task. */
export function taskToWire(
  job: number,
  index: number,
  target: number,
  argsList: readonly (readonly unknown[])[],
): Wire {
  const wire: unknown[] = [job, index, target, argsList.length];
  for (const args of argsList) {
    wire.push(args.length);
    for (const arg of args) wire.push(arg);
  }
  return wire;
}

/**
 * Reads an outcome and hands it to `deliver` (an exception was packed by
 * the Worker: it is re-made as its class).
 *
 * @param wire The outcome.
 * @param deliver Takes the job, the task's index, the status and the values or the exception.
 */
export function deliverFromWire(
  wire: Wire,
  deliver: (job: number, index: number, status: TaskStatus, value: unknown) => void,
): void {
  const status = wire[2] as TaskStatus;
  deliver(wire[0] as number, wire[1] as number, status, status === DONE ? wire.slice(3) : unpackError(wire[3]));
}
