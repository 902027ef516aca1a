/**
 * The arguments of a queue's `put` and `get`: Python's positional
 * `(block, timeout)` or an options object `{ block, timeout, signal }`.
 * Unlike `acquire`, a non-blocking call ignores its timeout and does not
 * check it, as Python's queue does.
 *
 * @module
 */
import { describe } from "./describe.ts";
import { checkKeys, isOptions } from "./options.ts";
import { checkTimeout, FOREVER, type Wait } from "./wait_options.ts";

/** How a queue's `put` or `get` may wait. */
export interface QueueWaitOptions {
  /** `false` returns at once (raising `Full`/`Empty`) instead of waiting; default `true`. */
  block?: boolean;
  /** The contract's spelling of `block`; `block` wins if both are given. */
  blocking?: boolean;
  /** Milliseconds to wait; `undefined`, `null` or `-1` wait forever. Ignored when not blocking. */
  timeout?: number | null;
  /** Aborting it rejects the call with `signal.reason` and leaves no waiter behind. */
  signal?: AbortSignal;
}

const QUEUE_WAIT_OPTIONS: readonly (keyof QueueWaitOptions)[] = ["block", "blocking", "timeout", "signal"];

/** A non-blocking call with no signal (its timeout is not used). */
const NO_WAIT: Wait = Object.freeze({ blocking: false, timeout: 0, signal: undefined });

/**
 * Checks `(block?, timeout?)` or `(options)`.
 *
 * @param verb The call, for messages (`put to`).
 * @param subject What is called, for messages (its label is read only on an error).
 */
export function checkQueueWait(
  verb: string,
  subject: { readonly label: string },
  first: unknown,
  second: unknown,
): Wait {
  // The common calls, decided before any message could be needed (a label is made on demand).
  if (second === undefined) {
    if (first === undefined || first === true) return FOREVER;
    if (first === false) return NO_WAIT;
  }
  const what = `${verb} ${subject.label}`;
  let block: unknown;
  let timeout: unknown;
  let signal: AbortSignal | undefined;
  // An array is no options object: it is refused below as a 'block' that is not a boolean.
  if (isOptions(first)) {
    if (second !== undefined) {
      throw new TypeError(`Cannot ${what} with both an options object and 'timeout': received ${describe(second)}`);
    }
    checkKeys(what, first, QUEUE_WAIT_OPTIONS);
    const options = first as QueueWaitOptions;
    block = options.block ?? options.blocking;
    timeout = options.timeout;
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
      throw new TypeError(`Cannot ${what} as 'signal' must be an AbortSignal: received ${describe(options.signal)}`);
    }
    signal = options.signal;
  } else {
    block = first;
    timeout = second;
  }
  if (block === undefined) block = true;
  if (typeof block !== "boolean") {
    throw new TypeError(`Cannot ${what} as 'block' must be a boolean: received ${describe(block)}`);
  }
  if (!block) return signal === undefined ? NO_WAIT : { blocking: false, timeout: 0, signal };
  const ms = checkTimeout(what, timeout);
  if (ms === Infinity && signal === undefined) return FOREVER;
  return { blocking: true, timeout: ms, signal };
}
