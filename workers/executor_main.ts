/**
 * What a Worker of a `ThreadPoolExecutor` runs (the executor hands these to
 * its Worker pool by module reference): the user's initializer, once, and
 * then chunks of calls. Outcomes are returned as values, errors packed with
 * their class name, so the executor re-makes a `ValueError` as a
 * `ValueError` and tells a broken Worker from a call that raised.
 *
 * Relative imports only: a Worker loads it without the import map.
 *
 * @module
 */
import type { Target } from "../backends/types.ts";
import { type PackedError, packError } from "../runtime/error_transfer.ts";
import { callTarget } from "../runtime/target.ts";
import type { ChunkOutcome } from "../pools/wire.ts";

// Set in this Worker when its initializer raised: every chunk it takes then reports it.
let initializerFailure: PackedError | undefined;

/**
 * The executor's initializer for each Worker: runs the user's one. If it
 * raises, the Worker stays up but reports every chunk as broken, and the
 * executor, seeing that, breaks (Python's `BrokenProcessPool`).
 *
 * @param initializer The user's initializer (a module reference).
 * @param initargs Its arguments.
 * @returns Resolves once it has run.
 */
export async function initializeExecutorWorker(initializer: Target, initargs: unknown[]): Promise<void> {
  try {
    await callTarget(initializer, initargs);
  } catch (error) {
    initializerFailure = packError(error);
  }
}

/**
 * Runs one chunk of calls of `target`, in order, stopping at the first that
 * raises (its exception is the chunk's outcome, as in Python's
 * `_process_chunk`).
 *
 * @param target The module reference to call.
 * @param argsList The arguments of each call.
 * @returns The chunk's outcome.
 */
export async function runExecutorChunk(target: Target, argsList: unknown[][]): Promise<ChunkOutcome> {
  if (initializerFailure !== undefined) return { broken: initializerFailure };
  const values: unknown[] = [];
  try {
    for (const args of argsList) values.push(await callTarget(target, args));
  } catch (error) {
    return { error: packError(error) };
  }
  return { values };
}
