/**
 * The parking lot of the in-isolate backends (`async`, `cooperative`): FIFO
 * queues of promise resolvers kept beside the cells they key. One isolate
 * never races with itself between awaits, so the request's callbacks need no
 * lock: running them in line is already atomic.
 *
 * @module
 */
import { endWithoutBlocking, oneIsolate } from "./_unblocked_wait.ts";
import { currentIdentity, wakeAs } from "../runtime/current_thread.ts";
import type { LocalCells } from "./_local_cells.ts";
import { interruptTarget, takeInterrupt } from "../runtime/interrupt.ts";
import { beginWaitGroup, endWaitGroup, nextWaitSeq } from "../runtime/pending.ts";
import { type Cells, PARK_INVALID, type ParkRequest, type UnparkResult } from "./types.ts";
import { Waiter } from "./_wait_queue.ts";

/** How a parking lot sets timers: real ones, or a virtual clock's. */
export interface TimerSource {
  /** Calls `fn` after `ms`; a daemon's timer does not keep the program alive. */
  setTimer(ms: number, fn: () => void, daemon: boolean): unknown;
  /** Cancels a timer set by `setTimer`. */
  clearTimer(handle: unknown): void;
}

// The three answers unparkOne can give, made once rather than per wake.
const NONE: UnparkResult = Object.freeze({ unparked: false, haveMore: false });
const LAST_ONE: UnparkResult = Object.freeze({ unparked: true, haveMore: false });
const ONE_OF_MANY: UnparkResult = Object.freeze({ unparked: true, haveMore: true });

/** Checks that `cells` came from an in-isolate backend. */
export function localCells(cells: Cells): LocalCells {
  // Only in-isolate cells carry wait queues; a property load is cheaper than a brand check or `instanceof`.
  return (cells as Partial<LocalCells>).queues !== undefined ? cells as LocalCells : wrongCells(cells);
}

// Out of line: the hot paths stay small enough for V8 to inline them.
function wrongCells(cells: Cells): never {
  throw new TypeError(
    `Cannot park on cells of another kind of backend: expected in-isolate cells, received ${cells?.constructor?.name}`,
  );
}

/** Parks and unparks waiters of one isolate. */
export class LocalParkingLot {
  /**
   * @param backend The backend's name, for reports.
   * @param timers Where timeouts are set.
   */
  constructor(readonly backend: string, readonly timers: TimerSource) {}

  /** See `Backend.park`. */
  park<T>(cells: Cells, index: number, request: ParkRequest<T>): Promise<T> | typeof PARK_INVALID {
    const queue = localCells(cells).queue(index);
    // `interruptMain()` pending for this thread: its next wait raises instead.
    if (interruptTarget !== undefined) {
      const interrupt = takeInterrupt(currentIdentity());
      if (interrupt !== undefined) return Promise.reject(interrupt);
    }
    if (!request.validate()) return PARK_INVALID;
    const w = new Waiter(this.backend, request, currentIdentity(), queue);
    const promise = new Promise<T>((resolve, reject) => {
      w.resolve = resolve as (value: unknown) => void;
      w.reject = reject;
    });
    w.pendingSeq = nextWaitSeq();
    // The queue registers as a whole while it holds waiters: nothing to do per wait when it is busy.
    if (queue.size === 0) beginWaitGroup(queue);
    queue.push(w);
    if (request.timeout !== Infinity || request.signal !== undefined) this.#arm(w);
    if (request.beforeSleep !== undefined) request.beforeSleep();
    return promise;
  }

  // Kept out of `park` so that a plain wait does not pay for these closures' context.
  #arm(w: Waiter): void {
    const request = w.request;
    w.lot = this; // what `Waiter.interrupt` needs to disarm it
    if (request.timeout !== Infinity) {
      w.timer = this.timers.setTimer(request.timeout, () => this.#leave(w, false), w.thread.daemon);
    }
    const signal = request.signal;
    if (signal) {
      w.onAbort = () => this.#leave(w, true);
      signal.addEventListener("abort", w.onAbort, { once: true });
    }
  }

  /** See `Backend.parkSync`: in one isolate nobody can wake a blocked caller. */
  parkSync<T>(cells: Cells, index: number, request: ParkRequest<T>): T | typeof PARK_INVALID {
    const queue = localCells(cells).queue(index);
    if (interruptTarget !== undefined) {
      const interrupt = takeInterrupt(currentIdentity());
      if (interrupt !== undefined) throw interrupt;
    }
    if (!request.validate()) return PARK_INVALID;
    return endWithoutBlocking(request, queue.size === 0, oneIsolate(this.backend));
  }

  /** See `Backend.unparkOne`. */
  unparkOne(cells: Cells, index: number, callback: (result: UnparkResult) => number): boolean {
    const queue = localCells(cells).queues[index];
    const w = queue?.shift();
    if (!w) {
      callback(NONE);
      return false;
    }
    const haveMore = queue!.size > 0;
    if (!haveMore) endWaitGroup(queue!);
    const token = callback(haveMore ? ONE_OF_MANY : LAST_ONE);
    this.#wake(w, token);
    return true;
  }

  /** See `Backend.unparkMany`. */
  unparkMany(cells: Cells, index: number, count: number, token: number): number {
    const queue = localCells(cells).queues[index];
    let woken = 0;
    while (queue && woken < count) {
      const w = queue.shift();
      if (!w) break;
      if (queue.size === 0) endWaitGroup(queue);
      this.#wake(w, token);
      woken++;
    }
    return woken;
  }

  /** See `Backend.parked`. */
  parked(cells: Cells, index: number): number {
    return localCells(cells).queues[index]?.size ?? 0;
  }

  #wake(w: Waiter, token: number): void {
    if (w.timer !== undefined || w.onAbort !== undefined) this.#cleanup(w);
    settle(w, token);
  }

  // Timeout or abort: the waiter takes itself out of the queue, so a later
  // unpark can never be swallowed by it.
  #leave(w: Waiter, aborted: boolean): void {
    if (!w.queued) return;
    w.queue.remove(w);
    if (w.queue.size === 0) endWaitGroup(w.queue);
    this.#cleanup(w);
    const request = w.request;
    request.timedOut?.(w.queue.size === 0);
    if (aborted) w.reject(request.signal!.reason);
    else w.resolve(request.timeoutValue);
  }

  #cleanup(w: Waiter): void {
    if (w.timer !== undefined) this.timers.clearTimer(w.timer);
    if (w.onAbort) w.request.signal!.removeEventListener("abort", w.onAbort);
  }

  /** Cancels a waiter's timer and abort listener (for `Waiter.interrupt`). */
  disarm(w: Waiter): void {
    this.#cleanup(w);
  }
}

/** Resolves the waiter with what its `wake` makes of `token`, run as the waiter's thread. */
function settle(w: Waiter, token: number): void {
  let value: unknown;
  try {
    value = wakeAs(w.thread, w.request, token);
  } catch (error) {
    w.reject(error);
    return;
  }
  w.resolve(value);
}
