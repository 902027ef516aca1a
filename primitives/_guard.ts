/**
 * `guard()` and `runExclusive()` for every lock-like primitive: Python's
 * `with lock:` as `using _ = await lock.guard()`.
 *
 * @module
 */
import { TimeoutError } from "./errors.ts";
import type { Wait } from "./_wait_options.ts";

/** What a lock-like primitive offers to the helpers below. */
export interface Guardable {
  /** For messages. */
  readonly label: string;
  /** Acquires as the checked wait allows. */
  acquireChecked(wait: Wait): Promise<boolean>;
  /** Releases once. */
  release(): void;
}

/** Acquires and returns a `Disposable` that releases exactly once. */
export async function guardOf(target: Guardable, wait: Wait): Promise<Disposable> {
  if (!(await target.acquireChecked(wait))) {
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
    throw new TypeError(`Cannot run exclusively on ${target.label} as 'fn' must be a function: received ${typeof fn}`);
  }
  await target.acquireChecked(wait);
  try {
    return await fn();
  } finally {
    target.release();
  }
}
