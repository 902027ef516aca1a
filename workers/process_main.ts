/**
 * What a `Process` thread runs: its target, then its exit status, recorded
 * in a semaphore shared with the parent (value = status + 1), since a
 * Worker reports back only through the primitives it was given.
 *
 * @module
 */
import type { ModuleTarget } from "../backends/types.ts";
import type { Semaphore } from "../primitives/semaphore.ts";
import { SystemExit } from "../runtime/system_exit.ts";
import { callTarget } from "../runtime/target.ts";

/**
 * Runs a process's target and records its exit status: 0 if it returned,
 * `SystemExit`'s code (0 to 255) if it exited, 1 if it raised (the
 * exception then escapes to the excepthook, as a child's traceback is
 * printed in Python).
 *
 * @param target The target, or `null` for a process without one.
 * @param args Its arguments.
 * @param status Released by the exit status + 1.
 */
export async function runProcess(target: ModuleTarget | null, args: unknown[], status: Semaphore): Promise<void> {
  try {
    if (target !== null) await callTarget(target, args);
  } catch (error) {
    if (error instanceof SystemExit) {
      status.release((((error.code % 256) + 256) % 256) + 1);
      return;
    }
    status.release(2);
    throw error;
  }
  status.release(1);
}
