/**
 * Parsing and checking of the arguments every waiting call takes: Python's
 * positional `(blocking, timeout)` or an options object
 * `{ blocking, timeout, signal }`, with durations in milliseconds.
 *
 * @module
 */
import { describe } from "./describe.ts";
import { OverflowError, ValueError } from "./errors.ts";
import { checkKeys, isOptions } from "./options.ts";

/** The keys of an acquire-like call's options object. */
export const ACQUIRE_OPTIONS: readonly string[] = ["blocking", "timeout", "signal"];
/** The keys of a wait-like call's options object. */
export const WAIT_OPTIONS: readonly string[] = ["timeout", "signal"];

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
 * @param argument The argument's name, for the message.
 */
export function checkTimeout(what: string, timeout: unknown, argument: string = "timeout"): number {
  if (timeout === undefined || timeout === null || timeout === -1) return Infinity;
  if (typeof timeout !== "number") {
    throw new TypeError(`Cannot ${what} as '${argument}' must be a number of ms: received ${describe(timeout)}`);
  }
  if (Number.isNaN(timeout) || timeout < 0) {
    throw new ValueError(
      `Cannot ${what} as '${argument}' must be >= 0, or -1 to wait forever: received ${timeout}`,
    );
  }
  return checkAtMostMax(what, timeout, argument);
}

/**
 * Checks a duration in ms that has no "forever" (`sleep`'s `ms`, a
 * `Timer`'s interval): a number from 0 to `TIMEOUT_MAX`.
 *
 * @param what The call, for the message (`sleep`).
 * @param ms The duration as received.
 * @param argument The argument's name, for the message.
 * @returns The duration.
 *
 * @example An interval has no "forever"
 * ```ts
 * import { Timer } from "@locksmith/threading";
 * import { assertThrows } from "@std/assert";
 *
 * assertThrows(
 *   () => new Timer(null as never, () => {}),
 *   TypeError,
 *   "Cannot create Timer as 'interval' must be a number of ms: received null",
 * );
 * ```
 */
export function checkDuration(what: string, ms: unknown, argument: string): number {
  if (typeof ms !== "number") {
    throw new TypeError(`Cannot ${what} as '${argument}' must be a number of ms: received ${describe(ms)}`);
  }
  if (Number.isNaN(ms) || ms < 0) throw new ValueError(`Cannot ${what} as '${argument}' must be >= 0: received ${ms}`);
  return checkAtMostMax(what, ms, argument);
}

function checkAtMostMax(what: string, ms: number, argument: string): number {
  if (ms > TIMEOUT_MAX) {
    throw new OverflowError(
      `Cannot ${what} as '${argument}' must be <= TIMEOUT_MAX (${TIMEOUT_MAX} ms): received ${ms}`,
    );
  }
  return ms;
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
  // An array is no options object: it is refused below as a 'blocking' that is not a boolean.
  if (isOptions(first)) {
    if (second !== undefined) {
      throw new TypeError(`Cannot ${what} with both an options object and 'timeout': received ${describe(second)}`);
    }
    checkKeys(what, first, ACQUIRE_OPTIONS);
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
    throw new ValueError(
      `Cannot ${what} with a 'timeout' when 'blocking' is false: received timeout ${String(timeout)}`,
    );
  }
  if (blocking && ms === Infinity && signal === undefined) return FOREVER;
  return { blocking, timeout: ms, signal };
}

/** Checks the argument of a wait-like call: a timeout in ms or `{ timeout, signal }`. */
export function checkWait(what: string, arg: unknown): Wait {
  // An array is no options object: it is refused as a timeout that is not a number.
  if (isOptions(arg)) {
    const options = arg as WaitOptions;
    if (options.blocking !== undefined) {
      throw new TypeError(`Cannot ${what} with a 'blocking' option: received ${describe(options.blocking)}`);
    }
    checkKeys(what, options, WAIT_OPTIONS);
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

/**
 * Checks a `signal` option: `undefined` or an `AbortSignal`.
 *
 * @param what The call, for the message.
 * @param signal The option as received.
 */
export function checkSignal(what: string, signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) {
    throw new TypeError(`Cannot ${what} as 'signal' must be an AbortSignal: received ${describe(signal)}`);
  }
  return signal;
}
