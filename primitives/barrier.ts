/**
 * `Barrier`: Python's cyclic barrier.
 *
 * @module
 */
import { PARK_INVALID, type ParkRequest, type Target } from "../backends/types.ts";
import type { Backend } from "../backends/types.ts";
import { Core, type CoreOptions, exposeHandle, type PrimitiveOptions, REVIVE_AT } from "./core.ts";
import { describe } from "../runtime/describe.ts";
import { abortedSignal, checkTimeout, checkWait, type Wait, type WaitOptions } from "../runtime/wait_options.ts";
import { BrokenBarrierError, ValueError } from "../runtime/errors.ts";
import { callTarget, callTargetSync, checkTarget, isModuleTarget, loadTarget } from "../runtime/target.ts";
import { remoteAction, serveAction } from "./_remote_action.ts";
import { registerShareable } from "./revive.ts";

// Cells: 0 the state (also the cell every waiter parks on), 1 the number of
// threads inside wait(), 2 requests for a shared function action.
const STATE = 0;
const COUNT = 1;
// Cell 2 carries requests to run a function action for a revived copy (see _remote_action.ts).
const ACTION_REQUESTS = 2;
const INT32_MAX = 2 ** 31 - 1;

/** The action a revived barrier is given when the original's is a function (see _remote_action.ts). */
export const REMOTE_ACTION: () => void = () => {};

// State table (Python's, plus ACTION because our action may be async):
// | state     | meaning                                           | arrivals       |
// |-----------|---------------------------------------------------|----------------|
// | FILLING   | parties are arriving                              | join the cycle |
// | ACTION    | the last party runs the action                    | wait           |
// | DRAINING  | the cycle completed; its parties are leaving      | wait           |
// | RESETTING | reset() while parties waited; they are leaving    | wait           |
// | BROKEN    | aborted, timed out or the action threw            | raise          |
const FILLING = 0;
const ACTION = 1;
const DRAINING = 2;
const RESETTING = 3;
const BROKEN = 4;

/** A step of the wait algorithm: park until `until(state)` holds, or run the action. */
type Step =
  | { readonly kind: "park"; readonly until: (state: number) => boolean; readonly timeout: number }
  | { readonly kind: "action" };

/**
 * A barrier for a fixed number of threads (Python's `threading.Barrier`):
 * each calls `wait()`, and all are released together when the last one
 * arrives. It is cyclic: after a release it can be used again.
 *
 * The optional `action` runs exactly once per cycle, in the last thread to
 * arrive, before any `wait()` of that cycle returns (a returned Promise is
 * awaited first). If it throws, the barrier breaks. A `wait()` that times
 * out breaks the barrier too: every waiter, and every later caller until
 * `reset()`, gets `BrokenBarrierError`.
 *
 * @example Three parties meet
 * ```ts
 * import { Barrier, Thread } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * const barrier = new Barrier(3);
 * const indices: number[] = [];
 * const threads = [1, 2, 3].map(() => new Thread({ target: async () => indices.push(await barrier.wait()) }));
 * threads.forEach((t) => t.start());
 * for (const t of threads) await t.join();
 * assertEquals(indices.sort(), [0, 1, 2]);
 * ```
 */
export class Barrier {
  readonly #core: Core;
  // The getter behind the handle a structured clone carries (one for all instances).
  static readonly #shared: PropertyDescriptor = {
    enumerable: true,
    get(this: Barrier) {
      return this.#core.handle(this.#facts());
    },
  };
  readonly #parties: number;
  readonly #action: Target | undefined;
  readonly #timeout: number;
  #serving = false;

  /**
   * Creates a barrier for `parties` threads.
   *
   * @param parties How many threads must call `wait()` (at least 1).
   * @param action Runs once per cycle, in the last thread to arrive.
   * @param timeout The default timeout of `wait()` in ms; omitted: forever.
   * @param options `backend`: the backend by name or object.
   * @throws {ValueError} If `parties` is less than 1 or above 2^31 - 1, or `timeout` is negative.
   * @throws {TypeError} If `parties` is not an integer, `action` is not a target, or `options` is not an options
   * object with only `backend`.
   */
  constructor(parties: number, action?: Target | null, timeout?: number | null, options?: PrimitiveOptions) {
    if (typeof parties !== "number" || !Number.isInteger(parties)) {
      throw new TypeError(`Cannot create Barrier as 'parties' must be an integer: received ${describe(parties)}`);
    }
    if (parties < 1) throw new ValueError(`Cannot create Barrier as 'parties' must be >= 1: received ${parties}`);
    // The count of arrived parties lives in an int32 cell.
    if (parties > INT32_MAX) {
      throw new ValueError(`Cannot create Barrier as 'parties' must be <= ${INT32_MAX}: received ${parties}`);
    }
    if (action !== undefined && action !== null) checkTarget("create Barrier", action, "action");
    this.#timeout = checkTimeout("create Barrier", timeout);
    this.#core = new Core("Barrier", 3, options);
    this.#parties = parties;
    this.#action = action === REMOTE_ACTION ? remoteAction(this.#core, ACTION_REQUESTS) : action ?? undefined;
    // Import a module action now, so that waitSync() can call it without awaiting.
    if (isModuleTarget(action)) loadTarget(action).catch(() => {});
    exposeHandle(this, Barrier.#shared);
  }

  /**
   * Waits until all parties have called `wait()`.
   *
   * @param timeout Milliseconds, or `{ timeout, signal }`; omitted or `null`:
   * the barrier's default timeout; `-1`: forever.
   * @returns This thread's arrival index, from 0 to `parties - 1` (the last
   * to arrive gets `parties - 1`).
   * @throws {BrokenBarrierError} If the barrier is or becomes broken or reset, or the wait times out.
   * @throws {ValueError} If `timeout` is negative (other than -1).
   *
   * @example A single party passes at once
   * ```ts
   * import { Barrier } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(await new Barrier(1).wait(), 0);
   * ```
   */
  async wait(timeout?: number | WaitOptions | null): Promise<number> {
    const aborted = abortedSignal(timeout);
    if (aborted) throw aborted.reason;
    const wait = this.#checkWait(timeout);
    const core = this.#core;
    await core.enter("wait");
    const steps = this.#steps(wait.timeout);
    let next = steps.next();
    while (!next.done) {
      const step = next.value;
      let outcome: boolean;
      try {
        if (step.kind === "action") {
          await callTarget(this.#action!, []);
          outcome = true;
        } else {
          outcome = await this.#park(step.until, step.timeout, wait.signal);
        }
      } catch (error) {
        next = steps.throw(error);
        continue;
      }
      next = steps.next(outcome);
    }
    return next.value;
  }

  /**
   * Waits until all parties have called `waitSync()`, blocking the calling
   * thread. On a backend without blocking waits nothing can arrive
   * meanwhile: unless this is the last party, a finite timeout breaks the
   * barrier at once and a wait forever throws `DeadlockError`. An `action`
   * that returns a Promise cannot be awaited here: the barrier breaks.
   *
   * @param timeout Milliseconds; omitted or `null`: the default timeout.
   * @returns This thread's arrival index.
   * @throws {BrokenBarrierError} If the barrier is or becomes broken.
   * @throws {DeadlockError} If it would wait forever where nothing can wake it.
   *
   * @example The last party passes at once
   * ```ts
   * import { Barrier } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new Barrier(1).waitSync(), 0);
   * ```
   */
  waitSync(timeout?: number | null): number {
    const wait = this.#checkWait(timeout);
    const steps = this.#steps(wait.timeout);
    let next = steps.next();
    while (!next.done) {
      const step = next.value;
      let outcome: boolean;
      try {
        if (step.kind === "action") {
          const result = callTargetSync(this.#action!, []);
          if (result instanceof Promise) {
            result.catch(() => {});
            throw new TypeError(`Cannot run the action of ${this.#core.label} in waitSync: it returned a Promise`);
          }
          outcome = true;
        } else {
          outcome = this.#parkSync(step.until, step.timeout);
        }
      } catch (error) {
        next = steps.throw(error);
        continue;
      }
      next = steps.next(outcome);
    }
    return next.value;
  }

  /**
   * Returns the barrier to its empty state. Threads waiting in it get
   * `BrokenBarrierError`; a broken barrier becomes usable again.
   *
   * @example Repairing a broken barrier
   * ```ts
   * import { Barrier } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const barrier = new Barrier(2);
   * barrier.abort();
   * barrier.reset();
   * assertEquals(barrier.broken, false);
   * ```
   */
  reset(): void {
    const cells = this.#core.cells;
    const state = cells.load(STATE);
    if (cells.load(COUNT) > 0) {
      if (state === FILLING || state === BROKEN) this.#setState(RESETTING);
      // DRAINING or ACTION: the cycle's parties leave normally, then it is empty.
    } else this.#setState(FILLING);
    this.#core.record("reset");
  }

  /**
   * Breaks the barrier: current and later waiters get `BrokenBarrierError`
   * until `reset()`. Use it to free threads when one of them cannot arrive.
   *
   * @example Aborting
   * ```ts
   * import { Barrier } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * const barrier = new Barrier(2);
   * barrier.abort();
   * assertEquals(barrier.broken, true);
   * ```
   */
  abort(): void {
    this.#setState(BROKEN);
    this.#core.record("abort");
  }

  /**
   * How many threads must call `wait()` to complete a cycle.
   *
   * @example Reading it
   * ```ts
   * import { Barrier } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new Barrier(4).parties, 4);
   * ```
   */
  get parties(): number {
    return this.#parties;
  }

  /**
   * How many threads wait in the current cycle (0 while a cycle drains).
   *
   * @example Nobody waits yet
   * ```ts
   * import { Barrier } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new Barrier(4).nWaiting, 0);
   * ```
   */
  get nWaiting(): number {
    const cells = this.#core.cells;
    return cells.load(STATE) === FILLING ? cells.load(COUNT) : 0;
  }

  /**
   * Whether the barrier is broken.
   *
   * @example A new barrier is whole
   * ```ts
   * import { Barrier } from "@locksmith/threading";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new Barrier(2).broken, false);
   * ```
   */
  get broken(): boolean {
    return this.#core.cells.load(STATE) === BROKEN;
  }

  /** `Barrier#N`, for messages and traces. */
  get label(): string {
    return this.#core.label;
  }

  /**
   * The barrier's backend.
   *
   * @internal
   */
  get backend(): Backend {
    return this.#core.backend;
  }

  /**
   * Describes the barrier, as Python's repr does.
   *
   * @returns Such as `<Barrier#3 waiters=1/3>`, or `<Barrier#3 broken>`.
   */
  toString(): string {
    const label = this.#core.label;
    return this.broken ? `<${label} broken>` : `<${label} waiters=${this.nWaiting}/${this.#parties}>`;
  }

  // What a handle carries besides the cells: a module action travels as a
  // reference and runs in the last thread to arrive.
  #facts(): Record<string, unknown> {
    const action = this.#action;
    const timeout = this.#timeout === Infinity ? null : this.#timeout;
    if (action === undefined) return { parties: this.#parties, timeout, action: null };
    if (typeof action === "function") {
      // Shared: from now on this isolate runs the function for the other threads.
      if (!this.#serving) {
        this.#serving = true;
        serveAction(this.#core, ACTION_REQUESTS, action as () => unknown);
      }
      return { parties: this.#parties, timeout, action: "function" };
    }
    return { parties: this.#parties, timeout, action: { module: String(action.module), export: action.export } };
  }

  #checkWait(timeout: unknown): Wait {
    const what = `wait on ${this.#core.label}`;
    if (timeout === undefined || timeout === null) return { blocking: true, timeout: this.#timeout, signal: undefined };
    if (typeof timeout === "object" && (timeout as WaitOptions).timeout == null) {
      return { ...checkWait(what, timeout), timeout: this.#timeout };
    }
    return checkWait(what, timeout);
  }

  // The algorithm once, for both wait() and waitSync(): it yields what to wait
  // for and is told whether the wait succeeded (false: timed out).
  *#steps(timeout: number): Generator<Step, number, boolean> {
    const cells = this.#core.cells;
    const backend = this.#core.backend;
    const deadline = backend.now() + timeout;
    // Enter: wait while a previous cycle drains or resets.
    yield { kind: "park", until: (s) => s === FILLING || s === BROKEN, timeout: Infinity };
    if (cells.load(STATE) === BROKEN) throw this.#brokenError();
    const index = cells.add(COUNT, 1);
    try {
      if (index + 1 === this.#parties) {
        if (this.#action !== undefined) {
          this.#setState(ACTION);
          try {
            yield { kind: "action" };
          } catch (error) {
            this.#setState(BROKEN);
            throw error;
          }
        }
        this.#setState(DRAINING);
      } else {
        const done = (s: number) => s !== FILLING && s !== ACTION;
        let passed = yield { kind: "park", until: done, timeout: Math.max(0, deadline - backend.now()) };
        if (!passed && cells.load(STATE) === ACTION) {
          // Timed out while the action runs: the cycle is complete, wait for it.
          passed = yield { kind: "park", until: done, timeout: Infinity };
        }
        if (!passed) {
          this.#setState(BROKEN);
          throw new BrokenBarrierError(
            `Cannot pass ${this.#core.label}: wait timed out after ${timeout} ms, so the barrier is broken`,
          );
        }
        if (cells.load(STATE) !== DRAINING) throw this.#brokenError();
      }
      return index;
    } catch (error) {
      // A waiter that leaves by abort breaks the barrier, as a timeout does.
      if (cells.load(STATE) === FILLING) this.#setState(BROKEN);
      throw error;
    } finally {
      // Exit: the last to leave a drained or reset cycle empties the barrier.
      const state = cells.load(STATE);
      if (cells.add(COUNT, -1) === 1 && (state === DRAINING || state === RESETTING)) this.#setState(FILLING);
    }
  }

  #brokenError(): BrokenBarrierError {
    return new BrokenBarrierError(`Cannot pass ${this.#core.label}: the barrier is broken or was reset`);
  }

  #setState(state: number): void {
    const core = this.#core;
    core.cells.store(STATE, state);
    core.backend.unparkMany(core.cells, STATE, Infinity, 1);
  }

  #request(until: (state: number) => boolean, timeout: number, signal: AbortSignal | undefined): ParkRequest<boolean> {
    const cells = this.#core.cells;
    return {
      subject: this.#core,
      op: "wait",
      timeout,
      signal,
      timeoutValue: false,
      validate: () => !until(cells.load(STATE)),
      wake: () => true,
    };
  }

  async #park(until: (state: number) => boolean, timeout: number, signal: AbortSignal | undefined): Promise<boolean> {
    const core = this.#core;
    const deadline = core.backend.now() + timeout;
    for (;;) {
      const parked = core.backend.park(
        core.cells,
        STATE,
        this.#request(until, Math.max(0, deadline - core.backend.now()), signal),
      );
      if (parked === PARK_INVALID || !(await parked)) return until(core.cells.load(STATE));
      if (until(core.cells.load(STATE))) return true;
    }
  }

  #parkSync(until: (state: number) => boolean, timeout: number): boolean {
    const core = this.#core;
    const deadline = core.backend.now() + timeout;
    for (;;) {
      const parked = core.backend.parkSync(
        core.cells,
        STATE,
        this.#request(until, Math.max(0, deadline - core.backend.now()), undefined),
      );
      if (parked === PARK_INVALID || !parked) return until(core.cells.load(STATE));
      if (until(core.cells.load(STATE))) return true;
    }
  }
}

registerShareable("Barrier", Barrier, (backend, facts, at) => {
  const action = facts.action;
  // A module action travels as a reference; a function stays in the isolate that made the barrier, which runs it on request.
  const revived = action === null || action === undefined ? undefined : isModuleTarget(action) ? action : REMOTE_ACTION;
  return new Barrier(facts.parties as number, revived, facts.timeout as number | null, {
    backend,
    [REVIVE_AT]: at,
  } as CoreOptions);
});
