/**
 * Reading the `fs` argument of `wait` and `asCompleted`: any iterable of
 * futures, duplicates counted once (Python turns it into a set).
 *
 * @module
 */
import { describe } from "../runtime/describe.ts";
import { type AnyFuture, Future } from "./future.ts";

/**
 * Collects `fs` into a set of futures.
 *
 * @param what The call, for messages.
 * @param fs As received.
 */
export function futureSet<F extends AnyFuture>(what: string, fs: Iterable<F>): Set<F> {
  if (fs === null || fs === undefined || typeof (fs as Iterable<unknown>)[Symbol.iterator] !== "function") {
    throw new TypeError(`Cannot ${what} as 'fs' must be an iterable of futures: received ${describe(fs)}`);
  }
  const set = new Set<F>();
  for (const f of fs) {
    if (!(f instanceof Future)) {
      throw new TypeError(`Cannot ${what} as 'fs' must hold only futures: received ${describe(f)}`);
    }
    set.add(f);
  }
  return set;
}

/** Whether a future is done as `wait` and `asCompleted` count it: finished, or cancelled and seen by its executor. */
export function settled(future: AnyFuture): boolean {
  return future.state === "FINISHED" || future.state === "CANCELLED_AND_NOTIFIED";
}
