/**
 * Parsing and checking of the arguments every waiting call takes: Python's
 * positional `(blocking, timeout)` or an options object
 * `{ blocking, timeout, signal }`, with durations in milliseconds.
 *
 * @module
 */
import { describe } from "./describe.ts";
import { OverflowError, ValueError } from "./errors.ts";

/**
 * The largest timeout accepted, in milliseconds: 2^31 - 1, the longest delay
 * a JavaScript timer can express (about 24.8 days). A larger timeout is an
 * `OverflowError`.
 *
 * @example Checking a timeout before using it
 * ```ts
 * import { TIMEOUT_MAX } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(TIMEOUT_MAX, 2 ** 31 - 1);
 * ```
 */
export const TIMEOUT_MAX: number = 2 ** 31 - 1;

/** The options every waiting call accepts. */
export interface WaitOptions {
  /** `false` returns at once instead of waiting (acquire-like calls only). */
  blocking?: boolean;
  /** Milliseconds to wait; `undefined`, `null` or `-1` wait forever. */
  timeout?: number | null;
  /** Aborting it rejects the wait with `signal.reason` and leaves no waiter behind. */
  signal?: AbortSignal;
}

/** A checked wait, as the seam receives it (see `RawMutex`): `timeout` is `Infinity` for "forever". */
export interface Wait {
  /** `false`: do not wait at all. */
  readonly blocking: boolean;
  /** Milliseconds, `Infinity` for forever. */
  readonly timeout: number;
  /** Aborting it ends the wait with its reason. */
  readonly signal: AbortSignal | undefined;
}

/** The wait of a plain `acquire()`: blocking, forever, no signal. */
export const FOREVER: Wait = Object.freeze({ blocking: true, timeout: Infinity, signal: undefined });

/**
 * Checks a timeout in ms and returns it, with `Infinity` for "forever".
 *
 * @param what The call, for the message (`acquire Lock#1`).
 * @param timeout The timeout as received.
 */
export function checkTimeout(what: string, timeout: unknown): number {
  if (timeout === undefined || timeout === null || timeout === -1) return Infinity;
  if (typeof timeout !== "number") {
    throw new TypeError(`Cannot ${what} as 'timeout' must be a number of ms: received ${describe(timeout)}`);
  }
  if (Number.isNaN(timeout) || timeout < 0) {
    throw new ValueError(
      `Cannot ${what} as 'timeout' must be >= 0, or -1 to wait forever: received ${timeout}`,
    );
  }
  if (timeout > TIMEOUT_MAX) {
    throw new OverflowError(
      `Cannot ${what} as 'timeout' must be <= TIMEOUT_MAX (${TIMEOUT_MAX} ms): received ${timeout}`,
    );
  }
  return timeout;
}

/**
 * Checks the arguments of an acquire-like call: `(blocking?, timeout?)` or
 * `(options)`. A timeout with `blocking = false` is a `ValueError`, as in
 * Python.
 */
export function checkAcquire(what: string, first: unknown, second: unknown): Wait {
  let blocking: unknown;
  let timeout: unknown;
  let signal: AbortSignal | undefined;
  if (first !== null && typeof first === "object") {
    if (second !== undefined) {
      throw new TypeError(`Cannot ${what} with both an options object and a timeout: received ${describe(second)}`);
    }
    const options = first as WaitOptions;
    blocking = options.blocking;
    timeout = options.timeout;
    signal = checkSignal(what, options.signal);
  } else {
    blocking = first;
    timeout = second;
  }
  if (blocking === undefined) blocking = true;
  if (typeof blocking !== "boolean") {
    throw new TypeError(`Cannot ${what} as 'blocking' must be a boolean: received ${describe(blocking)}`);
  }
  const ms = checkTimeout(what, timeout);
  if (!blocking && ms !== Infinity) {
    throw new ValueError(`Cannot ${what} with a timeout when 'blocking' is false: received timeout ${String(timeout)}`);
  }
  if (blocking && ms === Infinity && signal === undefined) return FOREVER;
  return { blocking, timeout: ms, signal };
}

/** Checks the argument of a wait-like call: a timeout in ms or `{ timeout, signal }`. */
export function checkWait(what: string, arg: unknown): Wait {
  if (arg !== null && typeof arg === "object") {
    const options = arg as WaitOptions;
    if (options.blocking !== undefined) {
      throw new TypeError(`Cannot ${what} with a 'blocking' option: received ${describe(options.blocking)}`);
    }
    return { blocking: true, timeout: checkTimeout(what, options.timeout), signal: checkSignal(what, options.signal) };
  }
  const ms = checkTimeout(what, arg);
  return ms === Infinity ? FOREVER : { blocking: true, timeout: ms, signal: undefined };
}

/** The signal of a raw options argument, if it is one and already aborted. */
export function abortedSignal(arg: unknown): AbortSignal | undefined {
  if (arg === null || typeof arg !== "object") return undefined;
  const signal = (arg as WaitOptions).signal;
  return signal instanceof AbortSignal && signal.aborted ? signal : undefined;
}

function checkSignal(what: string, signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) {
    throw new TypeError(`Cannot ${what} as 'signal' must be an AbortSignal: received ${describe(signal)}`);
  }
  return signal;
}
