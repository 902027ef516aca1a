/**
 * `SystemExit` and `KeyboardInterrupt`, Python's two exceptions that do not
 * derive from `Exception`.
 *
 * @module
 */

/**
 * Thrown by `exitThread()` to end the calling thread quietly: a thread that
 * ends with it runs its `finally` blocks and does not reach the excepthook.
 *
 * @example Ending a thread quietly
 * ```ts
 * import { SystemExit, Thread } from "@locksmith/threading";
 *
 * const t = new Thread({ target: () => { throw new SystemExit(); } });
 * t.start();
 * await t.join();
 * ```
 */
export class SystemExit extends Error {
  /** The exit status (0 by default). */
  readonly code: number;

  /**
   * Creates the exception.
   *
   * @param code The exit status.
   */
  constructor(code: number = 0) {
    super(`Exit with status ${code}`);
    this.name = "SystemExit";
    this.code = code;
  }
}

/**
 * Raised in the main thread by `interruptMain()`, as Python raises it on
 * Ctrl-C.
 *
 * @example Constructing one
 * ```ts
 * import { KeyboardInterrupt } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(new KeyboardInterrupt().name, "KeyboardInterrupt");
 * ```
 */
export class KeyboardInterrupt extends Error {
  /**
   * Creates the exception.
   *
   * @param message Why the main thread was interrupted.
   */
  constructor(message: string = "Interrupted") {
    super(message);
    this.name = "KeyboardInterrupt";
  }
}
