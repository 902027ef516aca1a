/**
 * `Timer`: Python's thread that runs a function after a delay.
 *
 * @module
 */
import type { BackendChoice } from "../backends/mod.ts";
import type { Target } from "../backends/types.ts";
import { callTarget, checkTarget } from "../runtime/target.ts";
import { checkDuration } from "../runtime/wait_options.ts";
import { describe } from "../runtime/describe.ts";
import { checkOptions } from "../runtime/options.ts";
import { Event } from "./event.ts";
import { Thread } from "./thread.ts";

/** The options of `new Timer()`, besides its positional arguments. */
export interface TimerOptions {
  /** The thread's name; default `Thread-N`. */
  name?: string;
  /** Whether the timer's thread is a daemon. */
  daemon?: boolean;
  /** The backend, by name or object. */
  backend?: BackendChoice;
}

const TIMER_OPTIONS: readonly (keyof TimerOptions)[] = ["name", "daemon", "backend"];

/**
 * A thread that calls `fn(...args)` after `interval` ms, unless `cancel()`
 * is called first (Python's `threading.Timer`). Start it with `start()`.
 *
 * @example A timer that fires, and one that is cancelled
 * ```ts
 * import { Timer } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * const fired: string[] = [];
 * const hello = new Timer(10, (who: string) => fired.push(who), ["world"]);
 * const never = new Timer(10, () => fired.push("never"));
 * hello.start();
 * never.start();
 * never.cancel();
 * await hello.join();
 * await never.join();
 * assertEquals(fired, ["world"]);
 * ```
 */
export class Timer extends Thread {
  readonly #interval: number;
  readonly #fn: Target;
  readonly #fnArgs: unknown[];
  readonly #finished: Event;

  /**
   * Creates a timer.
   *
   * @param interval Milliseconds to wait before calling `fn`.
   * @param fn What to call: a function or `{ module, export }`.
   * @param args Arguments for `fn` (`null`: none, as Python's `None`).
   * @param options `name`, `daemon`, `backend`.
   * @throws {ValueError} If `interval` is negative or NaN.
   * @throws {OverflowError} If `interval` is above `TIMEOUT_MAX`.
   * @throws {TypeError} If `interval` is not a number, `fn` is not a target, `args` not an array, or an option is
   * unknown or of the wrong type.
   */
  constructor(interval: number, fn: Target, args: unknown[] | null = [], options?: TimerOptions) {
    checkOptions("create Timer", options, TIMER_OPTIONS);
    super({ name: options?.name, daemon: options?.daemon, backend: options?.backend });
    // Unlike a timeout, an interval has no "forever": -1 and null are as wrong as -5.
    this.#interval = checkDuration("create Timer", interval, "interval");
    this.#fn = checkTarget("create Timer", fn, "fn");
    // Python's Timer takes None for "no arguments".
    if (args !== null && !Array.isArray(args)) {
      throw new TypeError(`Cannot create Timer as 'args' must be an array: received ${describe(args)}`);
    }
    this.#fnArgs = args ?? [];
    this.#finished = new Event({ backend: this.backend });
  }

  /**
   * Stops the timer if it has not fired yet; does nothing otherwise.
   *
   * @example Cancelling before start
   * ```ts
   * import { Timer } from "@locksmith/threading";
   *
   * const t = new Timer(1000, () => {});
   * t.cancel();
   * t.start();
   * await t.join();
   * ```
   */
  cancel(): void {
    this.#finished.set();
  }

  /**
   * Waits for the interval, then calls the function unless cancelled.
   *
   * @returns Resolves when done.
   */
  override async run(): Promise<void> {
    const cancelled = await this.#finished.wait(this.#interval);
    if (!cancelled) await callTarget(this.#fn, this.#fnArgs);
    this.#finished.set();
  }
}
