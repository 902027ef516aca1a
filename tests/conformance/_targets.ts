/**
 * Module-reference targets for the conformance cases: `{ module, export }`
 * names one of these exports. Every backend accepts this form; on `atomics`
 * the thread is a Worker that imports this module, so the exports report
 * back only through the primitives they receive as arguments.
 *
 * @module
 */
import { type Event, type Semaphore, SystemExit, ValueError } from "@locksmith/threading";

/** Releases `sem` by the sum of `values`: the caller sees that the target ran, and with which args. */
export function releaseSum(sem: Semaphore, ...values: number[]): void {
  sem.release(values.reduce((sum, v) => sum + v, 0));
}

/** Sets `event`. */
export function setEvent(event: Event): void {
  event.set();
}

/** Keeps the thread alive until `event` is set. */
export async function waitForEvent(event: Event): Promise<void> {
  await event.wait();
}

/** Throws a `ValueError` with `message`: an exception that escapes the thread. */
export function raiseValueError(message: string): never {
  throw new ValueError(message);
}

/** Ends the thread with `SystemExit`; its `finally` block sets `cleanedUp`. */
export function exitQuietly(cleanedUp: Event): never {
  try {
    throw new SystemExit();
  } finally {
    cleanedUp.set();
  }
}

/** An export that is not a function. */
export const notAFunction = 42;
