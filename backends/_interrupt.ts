/**
 * The pending interrupt of `_thread.interruptMain()`: Python raises
 * `KeyboardInterrupt` in the main thread at its next bytecode; here the main
 * thread gets it at its next wait in the library (a parked wait ends with
 * it at once, and so does the next park while the interrupt is pending).
 * The in-isolate parking lot checks {@linkcode interruptTarget} before it
 * parks: a plain load while nothing is pending.
 *
 * @module
 */
import { KeyboardInterrupt } from "../primitives/system_exit.ts";
import type { ThreadIdentity } from "./_current_thread.ts";

/** The thread an interrupt is pending for, if any. */
export let interruptTarget: ThreadIdentity | undefined = undefined;

/** Makes `thread`'s next park raise `KeyboardInterrupt`. */
export function setPendingInterrupt(thread: ThreadIdentity): void {
  interruptTarget = thread;
}

/** Consumes the pending interrupt if it is for `thread`, returning the error to raise. */
export function takeInterrupt(thread: ThreadIdentity): KeyboardInterrupt | undefined {
  if (interruptTarget === undefined || interruptTarget !== thread) return undefined;
  interruptTarget = undefined;
  return new KeyboardInterrupt("Interrupted by interruptMain()");
}
