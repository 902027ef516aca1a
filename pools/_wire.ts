/**
 * How a Worker pool's tasks and outcomes cross the shared queues: each one
 * flat array, as a shared queue encodes a flat array of plain values much
 * faster than nested ones (every array costs a check for holes and named
 * properties). The target goes as its number in the pool's
 * {@linkcode TargetTable}.
 *
 * | what    | layout                                                        |
 * |---------|---------------------------------------------------------------|
 * | task    | job, index, target, calls, then per call: count, ...arguments |
 * | outcome | job, index, 1, ...values (ok) or job, index, 0, error         |
 *
 * @module
 */
import type { ModuleTarget } from "../backends/types.ts";
import type { PoolTask, PoolTaskResult } from "./pool_worker.ts";
import type { TargetTable } from "./_target_table.ts";

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

/** Rebuilds a task, looking its target up in `table`. */
export function taskFromWire(wire: Wire, table: TargetTable): PoolTask {
  const calls = wire[3] as number;
  const argsList: unknown[][] = new Array(calls);
  let at = 4;
  for (let c = 0; c < calls; c++) {
    const count = wire[at++] as number;
    argsList[c] = wire.slice(at, at + count);
    at += count;
  }
  const target: ModuleTarget = table.lookup(wire[2] as number);
  return [wire[0] as number, wire[1] as number, target, argsList];
}

/** Flattens an outcome. */
export function resultToWire([job, index, ok, value]: PoolTaskResult): Wire {
  return ok ? [job, index, 1, ...(value as unknown[])] : [job, index, 0, value];
}

/** Rebuilds an outcome. */
export function resultFromWire(wire: Wire): PoolTaskResult {
  return wire[2] === 1 ? [wire[0] as number, wire[1] as number, true, wire.slice(3)] : [
    wire[0] as number,
    wire[1] as number,
    false,
    wire[3],
  ];
}
