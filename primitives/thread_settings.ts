/**
 * Process-wide thread settings: Python's `settrace`, `setprofile` and
 * `stack_size`.
 *
 * @module
 */
import { describe } from "../runtime/describe.ts";
import { ValueError } from "../runtime/errors.ts";

/** A trace or profile function, as given to `setTrace` / `setProfile`. */
export type TraceFunction = (...args: unknown[]) => unknown;

let trace: TraceFunction | null = null;
let profile: TraceFunction | null = null;
let stack = 0;

/**
 * Sets the trace function for threads started from now on (Python's
 * `threading.settrace`). JavaScript has no per-line trace hook, so the
 * library only stores it for tools that read it back with `getTrace`.
 *
 * @param fn The trace function, or `null` to clear it.
 * @throws {TypeError} If `fn` is neither a function nor `null`.
 *
 * @example Setting and reading back
 * ```ts
 * import { getTrace, setTrace } from "@locksmith/threading";
 * import { assertStrictEquals } from "@std/assert";
 *
 * const fn = () => {};
 * setTrace(fn);
 * assertStrictEquals(getTrace(), fn);
 * setTrace(null);
 * ```
 */
export function setTrace(fn: TraceFunction | null): void {
  trace = checkHook("setTrace", fn);
}

/**
 * Returns the function set by `setTrace`, or `null`.
 *
 * @returns The trace function.
 *
 * @example Nothing set
 * ```ts
 * import { getTrace } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(getTrace(), null);
 * ```
 */
export function getTrace(): TraceFunction | null {
  return trace;
}

/**
 * Sets the profile function for threads started from now on (Python's
 * `threading.setprofile`); stored for `getProfile`, like `setTrace`.
 *
 * @param fn The profile function, or `null` to clear it.
 * @throws {TypeError} If `fn` is neither a function nor `null`.
 *
 * @example Setting and reading back
 * ```ts
 * import { getProfile, setProfile } from "@locksmith/threading";
 * import { assertStrictEquals } from "@std/assert";
 *
 * const fn = () => {};
 * setProfile(fn);
 * assertStrictEquals(getProfile(), fn);
 * setProfile(null);
 * ```
 */
export function setProfile(fn: TraceFunction | null): void {
  profile = checkHook("setProfile", fn);
}

/**
 * Returns the function set by `setProfile`, or `null`.
 *
 * @returns The profile function.
 *
 * @example Nothing set
 * ```ts
 * import { getProfile } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(getProfile(), null);
 * ```
 */
export function getProfile(): TraceFunction | null {
  return profile;
}

/**
 * Returns the stack size used for new threads, and sets it if `size` is
 * given (Python's `threading.stack_size`). 0 means the platform default.
 * Threads of the in-isolate backends share the isolate's stack, and Deno's
 * Workers take no stack size, so the value is recorded and reported but
 * does not change how threads run.
 *
 * @param size Bytes: 0, or at least 32 KiB.
 * @returns The previous size.
 * @throws {ValueError} If `size` is neither 0 nor at least 32768.
 * @throws {TypeError} If `size` is not an integer.
 *
 * @example Setting and restoring
 * ```ts
 * import { stackSize } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(stackSize(65536), 0);
 * assertEquals(stackSize(0), 65536);
 * ```
 */
export function stackSize(size?: number): number {
  const previous = stack;
  if (size === undefined) return previous;
  if (typeof size !== "number" || !Number.isInteger(size)) {
    throw new TypeError(`Cannot set stack size as 'size' must be an integer: received ${describe(size)}`);
  }
  if (size !== 0 && size < 32768) {
    throw new ValueError(`Cannot set stack size as 'size' must be 0 or >= 32768 (32 KiB): received ${size}`);
  }
  stack = size;
  return previous;
}

function checkHook(what: string, fn: unknown): TraceFunction | null {
  if (fn === null || typeof fn === "function") return fn as TraceFunction | null;
  throw new TypeError(`Cannot ${what} as 'fn' must be a function or null: received ${describe(fn)}`);
}
