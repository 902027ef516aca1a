/**
 * What happens to an exception that escapes a thread: Python's
 * `threading.excepthook`.
 *
 * @module
 */
import type { Thread } from "./thread.ts";
import { describe } from "../runtime/describe.ts";
import { printThreadException, setThreadExceptionHook, threadExceptionHook } from "../runtime/thread_exceptions.ts";

/** What the excepthook receives (Python's `ExceptHookArgs`). */
export interface ExceptHookArgs {
  /** The error's constructor (its class), or `null` for a thrown non-object. */
  readonly excType: (new (...args: never[]) => unknown) | null;
  /** The thrown value. */
  readonly excValue: unknown;
  /** The error's stack, or `null`. */
  readonly excTraceback: string | null;
  /** The thread the exception escaped from. */
  readonly thread: Thread | null;
}

/** A function that handles exceptions escaping threads. */
export type ExceptHook = (args: ExceptHookArgs) => void;

/**
 * The default excepthook: prints the thread's name, the message and the
 * stack to stderr. The program goes on.
 *
 * @param args What escaped, and from which thread.
 * @throws {TypeError} If `args` is not an object.
 *
 * @example Calling it directly
 * ```ts
 * import { excepthook } from "@locksmith/threading";
 *
 * excepthook({ excType: Error, excValue: new Error("boom"), excTraceback: null, thread: null });
 * ```
 */
export function excepthook(args: ExceptHookArgs): void {
  if (args === null || typeof args !== "object") {
    throw new TypeError(
      `Cannot print a thread's exception as 'args' must be an ExceptHookArgs object: received ${describe(args)}`,
    );
  }
  printThreadException(args);
}

// This module's `excepthook` is the default hook (threads report to the ground floor's registry).
setThreadExceptionHook(excepthook);

/**
 * Sets the function called with every exception that escapes a thread. A
 * hook that throws, or an `async` hook whose promise rejects, is reported
 * on stderr ("Exception in threading.excepthook") and ignored, as in Python.
 *
 * @param fn The new hook.
 * @throws {TypeError} If `fn` is not a function.
 *
 * @example Collecting errors instead of printing them
 * ```ts
 * import { excepthook, setExcepthook, Thread } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * const errors: unknown[] = [];
 * setExcepthook((args) => errors.push(args.excValue));
 * const t = new Thread({ target: () => { throw new Error("boom"); } });
 * t.start();
 * await t.join();
 * setExcepthook(excepthook);
 * assertEquals((errors[0] as Error).message, "boom");
 * ```
 */
export function setExcepthook(fn: ExceptHook): void {
  if (typeof fn !== "function") {
    throw new TypeError(`Cannot set excepthook as 'fn' must be a function: received ${describe(fn)}`);
  }
  setThreadExceptionHook(fn);
}

/**
 * Returns the current excepthook.
 *
 * @returns The hook set by `setExcepthook`, or the default.
 *
 * @example The default hook
 * ```ts
 * import { excepthook, getExcepthook } from "@locksmith/threading";
 * import { assertStrictEquals } from "@std/assert";
 *
 * assertStrictEquals(getExcepthook(), excepthook);
 * ```
 */
export function getExcepthook(): ExceptHook {
  return threadExceptionHook() as ExceptHook;
}
