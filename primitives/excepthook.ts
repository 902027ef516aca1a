/**
 * What happens to an exception that escapes a thread: Python's
 * `threading.excepthook`.
 *
 * @module
 */
import type { Thread } from "./thread.ts";
import { describe } from "../runtime/wait_options.ts";

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
 *
 * @example Calling it directly
 * ```ts
 * import { excepthook } from "@locksmith/threading";
 *
 * excepthook({ excType: Error, excValue: new Error("boom"), excTraceback: null, thread: null });
 * ```
 */
export function excepthook(args: ExceptHookArgs): void {
  const name = args.thread?.name ?? "<unknown thread>";
  const value = args.excValue;
  const detail = args.excTraceback ??
    (value instanceof Error ? `${value.name}: ${value.message}` : String(value));
  console.error(`Exception in thread ${name}:\n${detail}`);
}

let hook: ExceptHook = excepthook;

/**
 * Sets the function called with every exception that escapes a thread.
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
  hook = fn;
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
  return hook;
}

/** Reports an exception that escaped `thread` to the hook; a failing hook is reported and ignored. */
export function reportThreadException(thread: Thread, error: unknown): void {
  const args: ExceptHookArgs = {
    excType: error !== null && typeof error === "object"
      ? (error.constructor as new (...args: never[]) => unknown)
      : null,
    excValue: error,
    excTraceback: error instanceof Error && error.stack !== undefined ? error.stack : null,
    thread,
  };
  try {
    hook(args);
  } catch (hookError) {
    console.error(`Exception in threading.excepthook:`, hookError);
  }
}
