/**
 * One of a queue's three conditions (not empty, not full, all tasks done):
 * a cell waiters park on, with the state check made in the same step as
 * the park (`validate`), so a change made without a mutex (a `putNowait`,
 * a `taskDone`, a `shutdown` in one isolate cannot wait for one) is never
 * lost between a waiter's check and its sleep. It is CPython's
 * `threading.Condition` without the mutex. A woken waiter re-checks the
 * state, as after Python's `wait()`.
 *
 * The counted-in protocol. Next to its cell, a condition counts how many
 * threads may be parked on it: at least as many as are. A waiter counts
 * itself in before its last check of the state, and a thread that changes
 * the state reads the count after the change: with sequentially consistent
 * cells one of the two sees the other, so a wake-up is skipped only when
 * nobody can be waiting. In a shared queue that skips the parking lot's
 * bucket lock on nearly every put and get.
 *
 * | cell           | holds                                       |
 * |----------------|---------------------------------------------|
 * | `cell`         | nothing: the key waiters park on            |
 * | `cell + COUNT` | how many may be parked (counted in and out) |
 *
 * @module
 */
import { PARK_INVALID, type ParkRequest } from "../backends/types.ts";
import type { Core } from "../primitives/core.ts";

/** How far past its cell a condition keeps its count. */
export const COUNT_OFFSET = 3;

const RESOLVED_TRUE: Promise<boolean> = Promise.resolve(true);

function wokenUp(): boolean {
  return true;
}

/** A condition of a queue: park while `stillWaiting()` holds, wake when the state changes. */
export class ConditionCell {
  readonly #core: Core;
  readonly #cell: number;
  readonly #op: string;
  // The check each waiter makes as it parks, counting itself in while it waits.
  readonly #validate: () => boolean;
  // Set by that check when it counts a waiter in: read right after the park call returns.
  #countedIn = false;
  // The request of a wait forever without a signal, made on first use.
  #forever: ParkRequest<boolean> | undefined = undefined;
  // A waiter that dies with a wake-up on its way passes it to the next one (it may be what a put was for).
  readonly #handBack = (token: number): void => {
    const { cells, backend } = this.#core;
    backend.unparkMany(cells, this.#cell, 1, token);
  };

  /**
   * @param core The queue's core (cells, backend, label).
   * @param cell The cell waiters park on; its count is at `cell + COUNT_OFFSET`.
   * @param op The operation that waits here (`get`, `put`, `join`), for traces and messages.
   * @param stillWaiting Whether a waiter must still wait (read in the same step as its park).
   */
  constructor(core: Core, cell: number, op: string, stillWaiting: () => boolean) {
    this.#core = core;
    this.#cell = cell;
    this.#op = op;
    const cells = core.cells;
    const count = cell + COUNT_OFFSET;
    this.#validate = () => {
      cells.add(count, 1);
      if (stillWaiting()) return this.#countedIn = true;
      cells.add(count, -1);
      return false;
    };
  }

  /** Wakes up to `count` waiters, if any may be parked. */
  wake(count: number): void {
    const { cells, backend } = this.#core;
    if (cells.load(this.#cell + COUNT_OFFSET) !== 0) backend.unparkMany(cells, this.#cell, count, 1);
  }

  /** Wakes every waiter. */
  wakeAll(): void {
    this.wake(Infinity);
  }

  /**
   * Parks until woken (`true`) or out of time (`false`). A park that the
   * state refused (it changed) counts as a wake-up: the caller re-checks.
   */
  park(timeout: number, signal: AbortSignal | undefined): Promise<boolean> {
    const { cells, backend } = this.#core;
    const count = this.#cell + COUNT_OFFSET;
    this.#countedIn = false;
    let parked;
    try {
      parked = backend.park(cells, this.#cell, this.#request(timeout, signal));
    } catch (error) {
      if (this.#countedIn) cells.add(count, -1);
      throw error;
    }
    if (parked === PARK_INVALID) return RESOLVED_TRUE;
    // A park that ended before its check (a pending interrupt) never counted in.
    if (!this.#countedIn) return parked;
    return parked.then((notified) => {
      cells.add(count, -1);
      return notified;
    }, (error) => {
      cells.add(count, -1);
      throw error;
    });
  }

  /**
   * Blocks until woken or out of time, as {@linkcode park} does.
   * `isolateBound`: only this isolate's threads could change the state (the
   * queue's items live here), so the backend must not really block.
   */
  parkSync(timeout: number, isolateBound: boolean): boolean {
    const { cells, backend } = this.#core;
    this.#countedIn = false;
    let parked;
    try {
      parked = backend.parkSync(cells, this.#cell, this.#makeRequest(timeout, undefined, isolateBound));
    } finally {
      if (this.#countedIn) cells.add(this.#cell + COUNT_OFFSET, -1);
    }
    return parked === PARK_INVALID || parked;
  }

  #request(timeout: number, signal: AbortSignal | undefined): ParkRequest<boolean> {
    if (timeout === Infinity && signal === undefined) return this.#forever ??= this.#makeRequest(timeout, undefined);
    return this.#makeRequest(timeout, signal);
  }

  #makeRequest(timeout: number, signal: AbortSignal | undefined, isolateBound = false): ParkRequest<boolean> {
    return {
      subject: this.#core,
      op: this.#op,
      timeout,
      signal,
      timeoutValue: false,
      isolateBound,
      validate: this.#validate,
      wake: wokenUp,
      handBack: this.#handBack,
    };
  }
}
