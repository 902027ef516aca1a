/**
 * How a Worker pool's tasks and outcomes cross the shared queues: each one
 * flat array, as a shared queue encodes a flat array of plain values much
 * faster than nested ones (every array costs a check for holes and named
 * properties). The target goes as its number in the pool's `TargetTable`.
 * This is the one encoding that crosses the Worker boundary: `Pool` and
 * `ProcessPoolExecutor` both read it.
 *
 * | what    | layout                                                               |
 * |---------|----------------------------------------------------------------------|
 * | task    | job, index, target, claim, calls, then per call: count, ...arguments |
 * | outcome | job, index, DONE, ...values                                          |
 * |         | job, index, RAISED, packed error (a call raised)                     |
 * |         | job, index, BROKEN, packed error (the Worker's initializer raised)   |
 * |         | job, index, SKIPPED (cancelled before a Worker took it)              |
 *
 * A task's `claim` is -1, or its slot in the pool's claim table (see
 * {@linkcode CLAIM_PENDING}): a task sent ahead of its turn whose caller may
 * still cancel it. The Worker that takes it claims the slot first, and one
 * compare-and-swap decides between the Worker's claim and the caller's
 * cancel.
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

/** An outcome's status: the task was cancelled before a Worker claimed it; nothing ran. */
export const SKIPPED = 3;

/** A claim slot: free. */
export const CLAIM_FREE = 0;
/** A claim slot: its task was sent ahead and may still be cancelled. */
export const CLAIM_PENDING = 1;
/** A claim slot: a Worker runs its task (or ran it). */
export const CLAIM_TAKEN = 2;
/** A claim slot: its caller cancelled it before a Worker claimed it. */
export const CLAIM_CANCELLED = 3;

/** What a task's outcome says: `DONE` with the values, `RAISED` or `BROKEN` with the exception (re-made). */
export type TaskStatus = typeof DONE | typeof RAISED | typeof BROKEN | typeof SKIPPED;

/** Flattens a task (`claim`: its claim slot, or -1). */
export function taskToWire(
  job: number,
  index: number,
  target: number,
  argsList: readonly (readonly unknown[])[],
  claim: number = -1,
): Wire {
  const wire: unknown[] = [job, index, target, claim, argsList.length];
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
  const value = status === DONE ? wire.slice(3) : status === SKIPPED ? undefined : unpackError(wire[3]);
  deliver(wire[0] as number, wire[1] as number, status, value);
}
