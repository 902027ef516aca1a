/**
 * `Event`: Python's event flag.
 *
 * @module
 */
import { PARK_INVALID, type ParkRequest } from "../backends/types.ts";
import type { Backend } from "../backends/types.ts";
import { Core, type CoreOptions, exposeHandle, type PrimitiveOptions, REVIVE_AT } from "./core.ts";
import { RESOLVED_TRUE } from "./_raw_lock.ts";
import { abortedSignal, checkWait, FOREVER, type Wait, type WaitOptions } from "../runtime/wait_options.ts";
import { registerShareable } from "./revive.ts";

// One cell: (generation << 1) | SET. `set()` bumps the generation as it sets
// the flag, and wakes waiters with the new generation; a waiter remembers
// the generation it saw when it queued. Across Workers a `set()` can reach
// its unpark after a `clear()` and a new wait queued (the store and the
// unpark are two steps): such a waiter sees no newer generation and waits
// on, instead of returning `true` for a set that happened before its wait.
const FLAG = 0;
const SET = 1;
const GENERATION = 2;

/**
 * An event (Python's `threading.Event`): a flag that threads wait on until
 * another thread sets it. `set()` wakes every waiter; `clear()` resets the
 * flag so later waits block again. A waiter woken by `set()` returns `true`
 * even if the flag is cleared again before it runs.
 *
 * @example The teacher starts the class
 * ```ts
 * import { Event, Thread } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * const bell = new Event();
 * const seen: string[] = [];
 * const students = ["Ann", "Bo"].map((name) =>
 *   new Thread({ name, target: async () => seen.push(`${name}:${await bell.wait()}`) })
 * );
 * students.forEach((t) => t.start());
 * bell.set();
 * for (const t of students) await t.join();
 * assertEquals(seen.sort(), ["Ann:true", "Bo:true"]);
 * ```
 */
export class Event {
  readonly #core: Core;
  // The getter behind the handle a structured clone carries (one for all instances).
  static readonly #shared: PropertyDescriptor = {
    enumerable: true,
    get(this: Event) {
      return this.#core.handle();
    },
  };

  /**
   * Creates an event whose flag is clear.
   *
   * @param options `backend`: the backend by name or object.
   */
  constructor(options?: PrimitiveOptions) {
    this.#core = new Core("Event", 1, options);
    exposeHandle(this, Event.#shared);
  }

  /**
   * Says whether the flag is set.
   *
   * @returns `true` if set.
   *
   * @example A new event is clear
   * ```ts
   * import { Event } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new Event().isSet(), false);
   * ```
   */
  isSet(): boolean {
    return (this.#core.cells.load(FLAG) & SET) !== 0;
  }

  /**
   * Sets the flag and wakes every waiting thread.
   *
   * @example Setting
   * ```ts
   * import { Event } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const event = new Event();
   * event.set();
   * assertEquals(await event.wait(), true);
   * ```
   */
  set(): void {
    const core = this.#core;
    const cells = core.cells;
    core.record("set");
    for (let state = cells.load(FLAG); (state & SET) === 0; state = cells.load(FLAG)) {
      const next = (state + GENERATION) | SET;
      // Already set: its waiters are woken by the set() that set it.
      if (cells.cas(FLAG, state, next)) {
        core.backend.unparkMany(cells, FLAG, Infinity, next >> 1);
        return;
      }
    }
  }

  /**
   * Clears the flag: later waits block until the next `set()`.
   *
   * @example Clearing
   * ```ts
   * import { Event } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const event = new Event();
   * event.set();
   * event.clear();
   * assertEquals(event.isSet(), false);
   * ```
   */
  clear(): void {
    const core = this.#core;
    const cells = core.cells;
    for (let state = cells.load(FLAG); (state & SET) !== 0; state = cells.load(FLAG)) {
      if (cells.cas(FLAG, state, state & ~SET)) break;
    }
    core.record("clear");
  }

  /**
   * Waits until the flag is set, or until `timeout` ms have passed.
   *
   * @param timeout Milliseconds, or `{ timeout, signal }`; omitted: forever.
   * @returns `true` if the flag was set, `false` if the wait timed out.
   * @throws {ValueError} If `timeout` is negative (other than -1).
   * @throws {OverflowError} If `timeout` is above `TIMEOUT_MAX`.
   *
   * @example A wait that times out
   * ```ts
   * import { Event } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(await new Event().wait(10), false);
   * ```
   */
  wait(timeout?: number | WaitOptions | null): Promise<boolean> {
    const aborted = abortedSignal(timeout);
    if (aborted) return Promise.reject(aborted.reason);
    let wait: Wait;
    try {
      // A plain `wait()` skips the check, and the message it would build on every call.
      wait = timeout === undefined ? FOREVER : checkWait(`wait on ${this.#core.label}`, timeout);
    } catch (error) {
      return Promise.reject(error);
    }
    const core = this.#core;
    const entered = core.enter("wait");
    return entered === undefined ? this.parkWaiter(wait) : entered.then(() => this.parkWaiter(wait));
  }

  /** Parks until the flag is set (or the wait ends). */
  private parkWaiter(wait: Wait): Promise<boolean> {
    const core = this.#core;
    const deadline = wait.timeout === Infinity ? Infinity : core.backend.now() + wait.timeout;
    // Woken by a set() older than this wait (see FLAG): the wake itself waits on.
    const parked = core.backend.park(
      core.cells,
      FLAG,
      this.request(wait, () => this.waitAgain(wait, deadline) as boolean),
    );
    if (parked === PARK_INVALID) return RESOLVED_TRUE;
    return parked;
  }

  /** Waits on after a wake by a set() older than the wait (see FLAG). */
  private waitAgain(wait: Wait, deadline: number): Promise<boolean> | boolean {
    if (wait.signal?.aborted) throw wait.signal.reason;
    if (deadline === Infinity) return this.parkWaiter(wait);
    const remaining = deadline - this.#core.backend.now();
    if (remaining <= 0) return this.isSet();
    return this.parkWaiter({ blocking: true, timeout: remaining, signal: wait.signal });
  }

  /**
   * Waits until the flag is set, blocking the calling thread. On a backend
   * without blocking waits, an unset flag returns `false` at once for a
   * finite timeout and throws `DeadlockError` for a wait forever.
   *
   * @param timeout Milliseconds; omitted: forever.
   * @returns `true` if the flag was set, `false` if the wait timed out.
   * @throws {DeadlockError} If it would wait forever where nothing can wake it.
   *
   * @example A set event
   * ```ts
   * import { Event } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const event = new Event();
   * event.set();
   * assertEquals(event.waitSync(), true);
   * ```
   */
  waitSync(timeout?: number | null): boolean {
    // A plain `waitSync()` skips the check, and the message it would build on every call.
    let wait = timeout === undefined ? FOREVER : checkWait(`wait on ${this.#core.label}`, timeout);
    const core = this.#core;
    const deadline = wait.timeout === Infinity ? Infinity : core.backend.now() + wait.timeout;
    for (;;) {
      const parked = core.backend.parkSync(core.cells, FLAG, this.request<boolean | null>(wait, () => null));
      if (parked === PARK_INVALID) return true;
      if (parked !== null) return parked;
      // Woken by a set() older than this wait (see FLAG): wait on.
      if (deadline !== Infinity) {
        const remaining = deadline - core.backend.now();
        if (remaining <= 0) return this.isSet();
        wait = { blocking: true, timeout: remaining, signal: undefined };
      }
    }
  }

  /** `Event#N`, for messages and traces. */
  get label(): string {
    return this.#core.label;
  }

  /**
   * The event's backend.
   *
   * @internal
   */
  get backend(): Backend {
    return this.#core.backend;
  }

  /**
   * Describes the event.
   *
   * @returns Such as `<Event#5 set>`.
   */
  toString(): string {
    return `<${this.#core.label} ${this.isSet() ? "set" : "unset"}>`;
  }

  /**
   * What a wait parks with; its `wake` gives `stale()` for a set() older than
   * the wait (see FLAG: only threads running in parallel wake one so).
   */
  private request<T>(wait: Wait, stale: () => T): ParkRequest<T | true> {
    const cells = this.#core.cells;
    let seen = 0;
    return {
      subject: this.#core,
      op: "wait",
      timeout: wait.timeout,
      signal: wait.signal,
      timeoutValue: false as T,
      validate: () => {
        const state = cells.load(FLAG);
        seen = state >> 1;
        return (state & SET) === 0;
      },
      wake: (generation) => ((generation - seen) | 0) > 0 ? true : stale(),
    };
  }
}

registerShareable("Event", Event, (backend, _facts, at) => new Event({ backend, [REVIVE_AT]: at } as CoreOptions));
