/**
 * How a Worker pool's tasks and outcomes cross the shared queues: each one
 * flat array, as a shared queue encodes a flat array of plain values much
 * faster than nested ones (every array costs a check for holes and named
 * properties). The target goes as its number in the pool's
 * `TargetTable`.
 *
 * | what    | layout                                                        |
 * |---------|---------------------------------------------------------------|
 * | task    | job, index, target, calls, then per call: count, ...arguments |
 * | outcome | job, index, 1, ...values (ok) or job, index, 0, packed error  |
 *
 * @module
 */
import type { PoolTaskResult } from "./pool_worker.ts";
import { type PackedError, unpackError } from "../runtime/error_transfer.ts";

/** A task or an outcome as it crosses the queue. */
export type Wire = unknown[];

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

/** Rebuilds an outcome (an exception was packed by the Worker: it is re-made as its class). */
export function resultFromWire(wire: Wire): PoolTaskResult {
  const job = wire[0] as number;
  const index = wire[1] as number;
  return wire[2] === 1 ? [job, index, true, wire.slice(3)] : [job, index, false, unpackError(wire[3])];
}

/** A chunk's outcome: every call's result, what one raised, or why this Worker cannot run calls. */
export type ChunkOutcome =
  | { readonly values: unknown[] }
  | { readonly error: PackedError }
  | { readonly broken: PackedError };
