/**
 * `acquire` argument parsing, `guard()` and `runExclusive()` for the
 * lock-like primitives of a manager (Lock, RLock, Semaphore, Condition).
 *
 * @module
 */
import { TimeoutError, type WaitOptions } from "../mod.ts";
import { abortedSignal, checkAcquire, FOREVER, type Wait } from "./_library.ts";

/** What the helpers need of a lock-like primitive. */
export interface Acquirable {
  readonly label: string;
  acquireWith(wait: Wait): Promise<boolean>;
  release(): Promise<void>;
}

/** `acquire(blocking?, timeout?)` or `acquire(options)`: checks, then acquires; bad arguments reject. */
export function acquireParsing(
  target: Acquirable,
  blocking: boolean | WaitOptions | undefined,
  timeout: number | null | undefined,
): Promise<boolean> {
  const aborted = abortedSignal(blocking);
  if (aborted) return Promise.reject(aborted.reason);
  let wait: Wait;
  try {
    wait = blocking === undefined && timeout === undefined
      ? FOREVER
      : checkAcquire(`acquire ${target.label}`, blocking, timeout);
  } catch (error) {
    return Promise.reject(error);
  }
  return target.acquireWith(wait);
}

/** `guard(options)`: acquires and returns an `AsyncDisposable` that releases exactly once. */
export async function openGuard(
  target: Acquirable,
  label: string,
  options: WaitOptions | undefined,
): Promise<AsyncDisposable> {
  const aborted = abortedSignal(options);
  if (aborted) throw aborted.reason;
  const wait = options === undefined ? FOREVER : checkAcquire(`guard ${label}`, options, undefined);
  if (!(await target.acquireWith(wait))) {
    throw new TimeoutError(
      wait.blocking
        ? `Cannot enter guard of ${target.label}: not acquired within ${wait.timeout} ms`
        : `Cannot enter guard of ${target.label}: it is held and 'blocking' is false`,
    );
  }
  let released = false;
  return {
    async [Symbol.asyncDispose]() {
      if (released) return;
      released = true;
      await target.release();
    },
  };
}

/** Runs `fn` holding `target`, and releases however `fn` ends. */
export async function runExclusiveOf<T>(target: Acquirable, fn: () => T | Promise<T>): Promise<T> {
  if (typeof fn !== "function") {
    throw new TypeError(`Cannot run exclusively on ${target.label} as 'fn' must be a function: received ${typeof fn}`);
  }
  await target.acquireWith(FOREVER);
  try {
    return await fn();
  } finally {
    await target.release();
  }
}
