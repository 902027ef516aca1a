/**
 * The backend of `multiprocessing`: `atomics` (threads are Workers) unless
 * the caller names another.
 *
 * @module
 */
import { type BackendChoice, getBackend } from "../backends/mod.ts";
import type { Backend } from "../backends/types.ts";

/**
 * Resolves `choice`, defaulting to `atomics` with an error that names it if
 * it is missing.
 *
 * @param choice The caller's `backend` option.
 * @param what The object being made, for the message.
 */
export function workerBackend(choice: BackendChoice | undefined, what: string): Backend {
  if (choice !== undefined) return getBackend(choice);
  try {
    return getBackend("atomics");
  } catch (error) {
    throw new TypeError(
      `Cannot create ${what}: multiprocessing runs it on Worker threads of the 'atomics' backend, which is not available here (${
        error instanceof Error ? error.message : String(error)
      }); use multiprocessing/dummy for threads of this isolate`,
      { cause: error },
    );
  }
}
