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
import { actionRequested, runRemotely, runRemotelySync, serveAction, serveBlocked } from "./_remote_action.ts";
import { registerShareable } from "./revive.ts";

// Cells: 0 the word (mode and count, below; the cell every party of a cycle
// parks on), 1 the gate (where arrivals park while an earlier cycle drains
// or resets), 2 requests for a shared function action (_remote_action.ts).
const WORD = 0;
const GATE = 1;
const ACTION_REQUESTS = 2;

/** The action a revived barrier is given when the original's is a function (see _remote_action.ts). */
export const REMOTE_ACTION: () => void = () => {};

// The word is `count << 3 | mode`: a party arrives by one compare-and-swap,
// so it joins the cycle whose mode it saw. Python's state machine, plus
// ACTION because our action may be async:
// | mode      | meaning                                         | count                   | arrivals       |
// |-----------|-------------------------------------------------|-------------------------|----------------|
// | FILLING   | parties are arriving                            | arrived                 | join the cycle |
// | ACTION    | the last party runs the action                  | parties                 | wait           |
// | DRAINING  | the cycle completed; its parties are leaving    | parties not yet out     | wait           |
// | RESETTING | reset() while parties waited; they are leaving  | parties not yet out     | wait           |
// | BROKEN    | aborted, timed out or the action threw          | parties not yet out     | raise          |
// A party is counted out once: by the thread whose unpark woke it with its
// outcome (PASSED or BROKE), or by itself when it leaves otherwise (a
// timeout, an abort, a nudge, or a change it saw before it slept). So a
// cycle drains even if a woken party's thread dies before it runs on; when
// the count of a draining or resetting cycle reaches 0, the barrier fills.
const FILLING = 0;
const ACTION = 1;
const DRAINING = 2;
const RESETTING = 3;
const BROKEN = 4;
const MODE = 7;
const ONE = 8;
const MAX_PARTIES = 2 ** 28 - 1;
// Wake tokens on the word, and what a park returns when it did not wake by one.
const PASSED = 1;
const BROKE = 2;
const NUDGE = 3;
const TIMED_OUT = 0;
const DECLINED = -1;

const parkingInCycle = (word: number) => (word & MODE) === FILLING || (word & MODE) === ACTION;
const notBroken = (word: number) => (word & MODE) !== BROKEN;
const parkingAtGate = (word: number) => (word & MODE) !== FILLING && (word & MODE) !== BROKEN;

/** A step of the wait algorithm: park on a cell, or run the action (within `timeout` if remote). */
type Step =
  | { readonly kind: "park"; readonly cell: number; readonly timeout: number }
  | { readonly kind: "action"; readonly timeout: number };

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
 * No wait outlives its timeout. One whose timeout passes while the action
 * runs breaks the barrier then (Python's waits for the action, which holds
 * the barrier's lock); one that times out before it could join a cycle,
 * while the previous cycle finishes, raises `BrokenBarrierError` without
 * breaking the barrier (no cycle counts on it). A party whose thread dies
 * after its cycle completed does not hold the next cycle up; one whose
 * thread dies while it waits (a Worker stopped, or one that fails or exits)
 * breaks the barrier, as an exception in Python's `wait()` does.
 *
 * Shared with Workers (`atomics`), a function action runs in the isolate
 * that created the barrier, asked by whichever thread arrives last; if that
 * isolate is blocked in this barrier's `waitSync`, it runs the action
 * there. An `async` action cannot run in a blocked isolate: the party that
 * needs it gets `DeadlockError` (saying why) and the barrier breaks. If the
 * isolate is blocked in another `...Sync` call, the action waits for it, as
 * long as the party's timeout allows.
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
  // The action; REMOTE_ACTION: a function that runs in the isolate that created the barrier.
  readonly #action: Target | undefined;
  readonly #timeout: number;
  // This isolate created the barrier and runs its function action for other threads.
  #serving = false;

  /**
   * Creates a barrier for `parties` threads.
   *
   * @param parties How many threads must call `wait()` (at least 1).
   * @param action Runs once per cycle, in the last thread to arrive.
   * @param timeout The default timeout of `wait()` in ms; omitted: forever.
   * @param options `backend`: the backend by name or object.
   * @throws {ValueError} If `parties` is less than 1 or above 268435455, or `timeout` is negative.
   * @throws {TypeError} If `parties` is not an integer, `action` is not a target, or `options` is not an options
   * object with only `backend`.
   */
  constructor(parties: number, action?: Target | null, timeout?: number | null, options?: PrimitiveOptions) {
    if (typeof parties !== "number" || !Number.isInteger(parties)) {
      throw new TypeError(`Cannot create Barrier as 'parties' must be an integer: received ${describe(parties)}`);
    }
    if (parties < 1) throw new ValueError(`Cannot create Barrier as 'parties' must be >= 1: received ${parties}`);
    if (parties > MAX_PARTIES) {
      throw new ValueError(`Cannot create Barrier as 'parties' must be <= ${MAX_PARTIES}: received ${parties}`);
    }
    if (action !== undefined && action !== null) checkTarget("create Barrier", action, "action");
    this.#timeout = checkTimeout("create Barrier", timeout);
    this.#core = new Core("Barrier", 3, options);
    this.#parties = parties;
    this.#action = action ?? undefined;
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
      let outcome: number;
      try {
        if (step.kind === "park") outcome = await this.#park(step, wait.signal);
        else if (this.#action !== REMOTE_ACTION) outcome = (await callTarget(this.#action!, []), PASSED);
        else {
          // The last party dying while the action runs for it leaves as any party dying in its cycle does.
          const died = () => this.#partyDied();
          outcome = await runRemotely(core, ACTION_REQUESTS, step.timeout, this.#nudge, died) ? PASSED : TIMED_OUT;
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
      let outcome: number;
      try {
        if (step.kind === "park") outcome = this.#parkSync(step);
        else if (this.#action === REMOTE_ACTION) {
          const died = () => this.#partyDied();
          outcome = runRemotelySync(this.#core, ACTION_REQUESTS, step.timeout, this.#nudge, died) ? PASSED : TIMED_OUT;
        } else {
          const result = callTargetSync(this.#action!, []);
          if (result instanceof Promise) {
            result.catch(() => {});
            throw new TypeError(`Cannot run the action of ${this.#core.label} in waitSync: it returned a Promise`);
          }
          outcome = PASSED;
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
    for (;;) {
      const word = cells.load(WORD);
      const mode = word & MODE;
      if (word >>> 3 === 0) {
        if (!cells.cas(WORD, word, FILLING)) continue;
        this.#openGate();
      } else if (mode === FILLING || mode === BROKEN) {
        // Its waiters leave with BrokenBarrierError; the last one out empties it.
        if (!cells.cas(WORD, word, (word & ~MODE) | RESETTING)) continue;
        this.#release(BROKE, 0);
      }
      // ACTION, DRAINING or RESETTING: the cycle's parties leave, then it is empty.
      break;
    }
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
    this.#break();
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
    const word = this.#core.cells.load(WORD);
    return (word & MODE) === FILLING ? word >>> 3 : 0;
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
    return (this.#core.cells.load(WORD) & MODE) === BROKEN;
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

  // The algorithm once, for both wait() and waitSync(): it yields what to
  // wait for, and is told how each wait ended (a wake token, TIMED_OUT or
  // DECLINED; for the action, PASSED or TIMED_OUT). No wait outlives the
  // deadline, the action of another party excepted.
  *#steps(timeout: number): Generator<Step, number, number> {
    const cells = this.#core.cells;
    const backend = this.#core.backend;
    const deadline = backend.now() + timeout;
    const left = () => Math.max(0, deadline - backend.now());
    // Enter: join the filling cycle, waiting at the gate while an earlier one drains or resets.
    let index: number;
    for (;;) {
      const word = cells.load(WORD);
      const mode = word & MODE;
      if (mode === BROKEN) throw this.#brokenError();
      if (mode === FILLING) {
        index = word >>> 3;
        const last = index + 1 === this.#parties;
        const next = last ? (this.#parties << 3) | (this.#action !== undefined ? ACTION : DRAINING) : word + ONE;
        if (cells.cas(WORD, word, next)) break;
        continue;
      }
      // Timed out before joining a cycle: no cycle waits for this party, so the barrier stays whole.
      if ((yield { kind: "park", cell: GATE, timeout: left() }) === TIMED_OUT) {
        throw new BrokenBarrierError(
          `Cannot pass ${this.#core.label}: wait timed out after ${timeout} ms while the previous cycle was finishing`,
        );
      }
    }
    if (index + 1 === this.#parties) {
      if (this.#action !== undefined) {
        let ran: number;
        try {
          ran = yield { kind: "action", timeout: left() };
        } catch (error) {
          this.#break();
          this.#leave(1);
          throw error;
        }
        const failed = ran !== PASSED ||
          !cells.cas(WORD, (this.#parties << 3) | ACTION, (this.#parties << 3) | DRAINING);
        if (failed) {
          // Timed out waiting for a remote action, or broken by another party meanwhile.
          this.#break();
          this.#leave(1);
          throw ran !== PASSED ? this.#timedOut(timeout) : this.#brokenError();
        }
      }
      this.#release(PASSED, 1);
      return index;
    }
    // Wait for the cycle to complete.
    for (;;) {
      let woke: number;
      try {
        woke = yield { kind: "park", cell: WORD, timeout: left() };
      } catch (error) {
        // A wait ended by its signal (or an interrupt) breaks the barrier, as a timeout does.
        this.#break();
        this.#leave(1);
        throw error;
      }
      if (woke === PASSED) return index;
      if (woke === BROKE) throw this.#brokenError();
      // Not counted out by anyone: see how the cycle stands.
      const mode = cells.load(WORD) & MODE;
      if (mode === DRAINING) {
        this.#leave(1);
        return index;
      }
      if (mode === BROKEN || mode === RESETTING) {
        this.#leave(1);
        throw this.#brokenError();
      }
      if (woke === TIMED_OUT) {
        this.#break();
        this.#leave(1);
        throw this.#timedOut(timeout);
      }
    }
  }

  #brokenError(): BrokenBarrierError {
    return new BrokenBarrierError(`Cannot pass ${this.#core.label}: the barrier is broken or was reset`);
  }

  #timedOut(timeout: number): BrokenBarrierError {
    return new BrokenBarrierError(
      `Cannot pass ${this.#core.label}: wait timed out after ${timeout} ms, so the barrier is broken`,
    );
  }

  // Breaks the barrier (keeping the count of parties still inside) and sends its waiters away, unless
  // its word no longer says `breakable` (by default: it is broken already).
  #break(breakable: (word: number) => boolean = notBroken): void {
    const cells = this.#core.cells;
    for (;;) {
      const word = cells.load(WORD);
      if (!breakable(word)) return;
      if (cells.cas(WORD, word, (word & ~MODE) | BROKEN)) break;
    }
    this.#release(BROKE, 0);
    this.#openGate();
  }

  // Wakes the parties parked in the cycle with `token`, counting them out,
  // with `self` more (the caller, if it is a party leaving too).
  #release(token: number, self: number): void {
    const core = this.#core;
    this.#leave(core.backend.unparkMany(core.cells, WORD, Infinity, token) + self);
  }

  // Counts `n` parties out; the last one out of a drained or reset cycle empties the barrier.
  #leave(n: number): void {
    if (n === 0) return;
    const cells = this.#core.cells;
    const before = cells.add(WORD, -n * ONE);
    const mode = before & MODE;
    if (before >>> 3 === n && (mode === DRAINING || mode === RESETTING) && cells.cas(WORD, mode, FILLING)) {
      this.#openGate();
    }
  }

  #openGate(): void {
    const core = this.#core;
    core.backend.unparkMany(core.cells, GATE, Infinity, NUDGE);
  }

  // Wakes the parties parked in the cycle to look again (a remote action was asked for: the
  // isolate that created the barrier may be blocked in waitSync, and must run it there).
  readonly #nudge = (): void => {
    const core = this.#core;
    core.backend.unparkMany(core.cells, WORD, Infinity, NUDGE);
  };

  // `blocking`: a waitSync, which must not sleep in the isolate that created the barrier while a
  // thread asks it for the action (an awaiting wait leaves that to the isolate's serving loop).
  #request(cell: number, timeout: number, signal: AbortSignal | undefined, blocking: boolean): ParkRequest<number> {
    const cells = this.#core.cells;
    const serving = blocking && this.#serving;
    return {
      subject: this.#core,
      op: "wait",
      timeout,
      signal,
      timeoutValue: TIMED_OUT,
      validate: cell === GATE
        ? () => parkingAtGate(cells.load(WORD))
        : () => parkingInCycle(cells.load(WORD)) && !(serving && actionRequested(cells, ACTION_REQUESTS)),
      wake: (token) => token,
      // A party in a cycle whose thread dies (a Worker stopped, or one that fails or exits) never
      // leaves by itself: it leaves now. (At the gate it is in no cycle: nothing to undo.)
      diedWaiting: cell === WORD ? () => this.#partyDied() : undefined,
      handBack: cell === WORD ? (token) => token === NUDGE && this.#partyDied() : undefined,
    };
  }

  // A party that was not counted out leaves as a wait that raised does (Python's wait() breaks the
  // barrier on any exception), unless its cycle has completed or broken meanwhile: then it just leaves.
  #partyDied(): void {
    this.#break(parkingInCycle);
    this.#leave(1);
  }

  async #park(step: { cell: number; timeout: number }, signal: AbortSignal | undefined): Promise<number> {
    const core = this.#core;
    const parked = core.backend.park(core.cells, step.cell, this.#request(step.cell, step.timeout, signal, false));
    return parked === PARK_INVALID ? DECLINED : await parked;
  }

  #parkSync(step: { cell: number; timeout: number }): number {
    const core = this.#core;
    const parked = core.backend.parkSync(
      core.cells,
      step.cell,
      this.#request(step.cell, step.timeout, undefined, true),
    );
    // The isolate that created the barrier, blocked here: it runs a requested action itself.
    if (this.#serving && step.cell === WORD) serveBlocked(core, ACTION_REQUESTS, this.#action as () => unknown);
    return parked === PARK_INVALID ? DECLINED : parked;
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
