/**
 * A blocking wait that must not block: on a backend whose threads are tasks
 * of one isolate (nobody else could run while the caller blocks), or for a
 * request that only this isolate's threads could end (`isolateBound`). It
 * ends as the wait would have: a finite one times out at once, one forever
 * is a `DeadlockError` that says who would wait on what, and why.
 *
 * @module
 */
import { currentIdentity } from "../runtime/current_thread.ts";
import { DeadlockError } from "../runtime/errors.ts";
import type { ParkRequest } from "./types.ts";

/**
 * Ends a validated wait without blocking: `timedOut(wasLast)` runs, then a
 * finite wait returns its `timeoutValue` and one forever throws.
 *
 * @param request The wait.
 * @param wasLast Whether no other waiter is parked on its cell.
 * @param why Why nothing could end it while the caller blocks, for the message.
 * @returns The request's `timeoutValue`.
 * @throws {DeadlockError} If the wait is forever.
 */
export function endWithoutBlocking<T>(request: ParkRequest<T>, wasLast: boolean, why: string): T {
  request.timedOut?.(wasLast);
  if (request.timeout !== Infinity) return request.timeoutValue;
  const holder = request.subject.holder?.();
  throw new DeadlockError(
    `Cannot ${request.op} ${request.subject.label} synchronously: thread '${currentIdentity().name}' would wait forever, and ${why}${
      holder === undefined ? "" : ` (held by ${holder})`
    }`,
  );
}

/** Why a wait of a one-isolate backend cannot block. */
export function oneIsolate(backend: string): string {
  return `on the '${backend}' backend no other thread can run while it blocks`;
}

/** Why an `isolateBound` wait cannot block. */
export const ONLY_THIS_ISOLATE =
  "only threads of this isolate could end the wait (what it waits for lives here), and none can run while it blocks";
