/**
 * `synchronized()`: run a function under a lock, as the seeds' thread-safe
 * singleton does with a decorator.
 *
 * @module
 */
import { describe } from "../runtime/describe.ts";
import { Lock } from "./lock.ts";

/** What `synchronized` can hold while the function runs. */
export interface LockLike {
  /** Runs `fn` while holding the lock. */
  runExclusive<T>(fn: () => T | Promise<T>): Promise<T>;
}

/** A function wrapped to run under a lock; its result is always a Promise. */
export type Synchronized<A extends unknown[], R> = (...args: A) => Promise<Awaited<R>>;

/**
 * Wraps functions so that each call runs while holding `lock` (a new `Lock`
 * if omitted): one call at a time, in arrival order.
 *
 * `synchronized(lock)(fn)` shares `lock` with other code;
 * `synchronized(fn)` is the seeds' decorator, with a lock of its own.
 *
 * @param lock The lock (or any object with `runExclusive`).
 * @returns A function that wraps `fn`.
 *
 * @example A thread-safe singleton
 * ```ts
 * import { synchronized, Thread } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * let instance: object | undefined;
 * let created = 0;
 * const getInstance = synchronized(async () => {
 *   if (instance === undefined) {
 *     await new Promise((r) => setTimeout(r, 1)); // a slow constructor
 *     instance = { id: ++created };
 *   }
 *   return instance;
 * });
 * const threads = [1, 2, 3].map(() => new Thread({ target: getInstance }));
 * threads.forEach((t) => t.start());
 * for (const t of threads) await t.join();
 * assertEquals(created, 1);
 * ```
 */
export function synchronized(lock?: LockLike): <A extends unknown[], R>(fn: (...args: A) => R) => Synchronized<A, R>;
/**
 * Wraps `fn` so that each call runs while holding a lock of its own.
 *
 * @param fn The function to wrap.
 * @returns The wrapped function.
 */
export function synchronized<A extends unknown[], R>(fn: (...args: A) => R): Synchronized<A, R>;
export function synchronized(
  lockOrFn?: LockLike | ((...args: unknown[]) => unknown),
): unknown {
  if (typeof lockOrFn === "function") return wrap(new Lock(), lockOrFn);
  if (lockOrFn !== undefined && typeof (lockOrFn as LockLike)?.runExclusive !== "function") {
    throw new TypeError(
      `Cannot synchronize on 'lock' as it has no runExclusive method: received ${describe(lockOrFn)}`,
    );
  }
  const lock = lockOrFn ?? new Lock();
  return (fn: (...args: unknown[]) => unknown) => wrap(lock, fn);
}

function wrap(lock: LockLike, fn: (...args: unknown[]) => unknown): (...args: unknown[]) => Promise<unknown> {
  if (typeof fn !== "function") {
    throw new TypeError(`Cannot synchronize 'fn' as it must be a function: received ${describe(fn)}`);
  }
  const wrapped = function (this: unknown, ...args: unknown[]) {
    return lock.runExclusive(() => fn.apply(this, args));
  };
  Object.defineProperty(wrapped, "name", { value: fn.name });
  return wrapped;
}
