/**
 * `allocateLock` and `LockType`: Python's `_thread.allocate_lock` and
 * `_thread.LockType`.
 *
 * @module
 */
import type { BackendChoice } from "../backends/mod.ts";
import { Lock } from "../primitives/lock.ts";

/**
 * Creates a new, unlocked lock (Python's `_thread.allocate_lock`): the same
 * {@linkcode Lock} that `threading` uses.
 *
 * @param options `backend`: the lock's backend.
 * @returns The lock.
 *
 * @example A lock, acquired and released
 * ```ts
 * import { allocateLock, LockType } from "@locksmith/threading/_thread";
 * import { assert } from "@std/assert";
 *
 * const lock = allocateLock();
 * assert(lock instanceof LockType);
 * await lock.acquire();
 * lock.release();
 * ```
 */
export function allocateLock(options?: { backend?: BackendChoice }): Lock {
  return new Lock(options);
}

/**
 * The type of the locks `allocateLock` returns (Python's `_thread.LockType`):
 * {@linkcode Lock}.
 *
 * @example Checking a lock's type
 * ```ts
 * import { allocateLock, LockType } from "@locksmith/threading/_thread";
 * import { assert } from "@std/assert";
 *
 * assert(allocateLock() instanceof LockType);
 * ```
 */
export const LockType: typeof Lock = Lock;

/** The type of the locks `allocateLock` returns. */
export type LockType = Lock;
