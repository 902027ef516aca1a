/**
 * The errors of `./distributed`, besides the library's own
 * (`RuntimeError`, `ValueError`, `BrokenBarrierError`, queue errors...).
 *
 * @module
 */
import { RuntimeError } from "../mod.ts";

/**
 * Raised when a holder finds that its lease has run out: the lock (or
 * permit) may have been granted to another client meanwhile, so what the
 * holder did under it was not protected. `release()` of a lost lock throws
 * it (and never frees another client's lock), and `lock.lost` aborts with
 * it as its reason.
 *
 * @example Telling a lost lease from other errors
 * ```ts
 * import { LockLostError } from "@locksmith/threading/distributed";
 * import { RuntimeError } from "@locksmith/threading";
 * import { assert } from "@std/assert";
 *
 * const error = new LockLostError("Cannot release Lock \"jobs\": its lease expired");
 * assert(error instanceof RuntimeError);
 * ```
 */
export class LockLostError extends RuntimeError {
  /**
   * Creates the error.
   *
   * @param message What was lost, and why.
   * @param options Standard error options (`cause`).
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LockLostError";
  }
}

/**
 * Raised when the server cannot be reached: a URL whose host does not
 * answer, a connection that broke and could not be made again in time
 * (Python's `ConnectionError`). Waits never throw it: a wait keeps trying
 * until its timeout and then returns `false`.
 *
 * @example Connecting to a port where nothing listens
 * ```ts
 * import { connect, ConnectionError } from "@locksmith/threading/distributed";
 * import { assertRejects } from "@std/assert";
 *
 * await assertRejects(() => connect("redis://127.0.0.1:1", { connectTimeoutMs: 200 }), ConnectionError);
 * ```
 */
export class ConnectionError extends Error {
  /**
   * Creates the error.
   *
   * @param message What could not be reached.
   * @param options Standard error options (`cause`).
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConnectionError";
  }
}
