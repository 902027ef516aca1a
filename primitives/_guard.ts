/**
 * `guard()` and `runExclusive()` for every lock-like primitive: Python's
 * `with lock:` as `using _ = await lock.guard()`.
 *
 * @module
 */
import { AbandonedLockError, TimeoutError } from "../runtime/errors.ts";
import { describe } from "../runtime/describe.ts";
import { checkOptions } from "../runtime/options.ts";
import {
  abortedSignal,
  ACQUIRE_OPTIONS,
  checkAcquire,
  FOREVER,
  type Wait,
  type WaitOptions,
} from "../runtime/wait_options.ts";

/** What a lock-like primitive offers to the helpers below. */
export interface Guardable {
  /** For messages. */
  readonly label: string;
  /** Acquires as the checked wait allows. */
  acquireChecked(wait: Wait): Promise<boolean>;
  /** Releases once. */
  release(): void;
}

/**
 * The whole of a primitive's `guard(options)`: an aborted signal rejects
 * first, bad options reject, then `target` is acquired.
 *
 * @param target What is acquired and released.
 * @param label The primitive named in messages (a Condition guards its lock).
 * @param options The caller's options, unchecked.
 */
export function openGuard(target: Guardable, label: string, options: WaitOptions | undefined): Promise<Disposable> {
  const aborted = abortedSignal(options);
  if (aborted) return Promise.reject(aborted.reason);
  try {
    if (options === undefined) return guardOf(target, FOREVER);
    // Only an options object: a bare boolean or number is no guard's argument.
    checkOptions(`guard ${label}`, options, ACQUIRE_OPTIONS);
    return guardOf(target, checkAcquire(`guard ${label}`, options, undefined));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Acquires as `wait` allows. An acquire that took a lock abandoned by a dead
 * holder rejects with `AbandonedLockError`, the lock held; a guard holds the
 * lock only for its scope, which will not run, so it gives the lock back
 * before it rejects.
 */
async function acquireForScope(target: Guardable, wait: Wait): Promise<boolean> {
  try {
    return await target.acquireChecked(wait);
  } catch (error) {
    if (error instanceof AbandonedLockError) target.release();
    throw error;
  }
}

/** Acquires and returns a `Disposable` that releases exactly once. */
export async function guardOf(target: Guardable, wait: Wait): Promise<Disposable> {
  if (!(await acquireForScope(target, wait))) {
    throw new TimeoutError(
      wait.blocking
        ? `Cannot enter guard of ${target.label}: not acquired within ${wait.timeout} ms`
        : `Cannot enter guard of ${target.label}: it is held and 'blocking' is false`,
    );
  }
  let released = false;
  return {
    [Symbol.dispose]() {
      if (released) return;
      released = true;
      target.release();
    },
  };
}

/** Runs `fn` while holding `target`, releasing it however `fn` ends. */
export async function runExclusiveOf<T>(
  target: Guardable,
  wait: Wait,
  fn: () => T | Promise<T>,
): Promise<T> {
  if (typeof fn !== "function") {
    throw new TypeError(
      `Cannot run exclusively on ${target.label} as 'fn' must be a function: received ${describe(fn)}`,
    );
  }
  await acquireForScope(target, wait);
  try {
    return await fn();
  } finally {
    target.release();
  }
}
