/**
 * The parking lot of the in-isolate backends (`async`, `cooperative`): FIFO
 * queues of promise resolvers kept beside the cells they key. One isolate
 * never races with itself between awaits, so the request's callbacks need no
 * lock: running them in line is already atomic.
 *
 * It keeps every contract of the seam in one place: a pending
 * `interruptMain()` raised by the next park; waits listed among the pending
 * ones while they wait; a waiter that times out, is aborted or interrupted
 * leaves its queue (so no later unpark is swallowed by it) and runs
 * `timedOut`; `wake` runs as the woken thread. A backend that schedules its
 * threads itself (`cooperative`) passes {@linkcode LotHooks}: it hears of
 * each park and decides when a woken waiter runs on.
 *
 * @module
 */
import { endWithoutBlocking, oneIsolate } from "./_unblocked_wait.ts";
import { currentIdentity, wakeAs } from "../runtime/current_thread.ts";
import type { LocalCells } from "./_local_cells.ts";
import { interruptTarget, takeInterrupt } from "../runtime/interrupt.ts";
import { beginWaitGroup, endWaitGroup, nextWaitSeq } from "../runtime/pending.ts";
import { type Cells, PARK_INVALID, type ParkRequest, type UnparkResult } from "./types.ts";
import { type Leaving, Waiter, type WaitQueue } from "./_wait_queue.ts";
import type { ThreadIdentity } from "../runtime/current_thread.ts";

/** How a parking lot sets timers: real ones, or a virtual clock's. */
export interface TimerSource {
  /** Calls `fn` after `ms`; a daemon's timer does not keep the program alive. */
  setTimer(ms: number, fn: () => void, daemon: boolean): unknown;
  /** Cancels a timer set by `setTimer`. */
  clearTimer(handle: unknown): void;
}

/** What a backend that schedules its own threads hears from the lot. */
export interface LotHooks {
  /** A thread is about to park or block (first thing, even if a pending interrupt then ends it). */
  entering(thread: ThreadIdentity): void;
  /** A pending `interruptMain()` ends the calling thread's park at once. */
  interrupted(thread: ThreadIdentity, request: ParkRequest<unknown>): void;
  /** `w` is queued and armed; its request's `beforeSleep` runs next. */
  queued(w: Waiter): void;
  /** `w`'s thread sleeps now (after `beforeSleep`); the hook may end it at once with `lot.leave`. */
  parked(w: Waiter): void;
  /**
   * `w` has left its queue (woken by an unpark, or `how` it left), and
   * `resume` settles its promise: call it when the waiter's thread may run
   * on (without hooks: at once).
   */
  left(w: Waiter, how: Leaving | "woken", resume: () => void): void;
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

// The waiter whose promise is being made: one executor for every park, instead of a closure each.
let arming: Waiter;
function takeResolvers(resolve: (value: never) => void, reject: (reason: unknown) => void): void {
  arming.resolve = resolve as (value: unknown) => void;
  arming.reject = reject;
}

/** Parks and unparks waiters of one isolate. */
export class LocalParkingLot {
  readonly #hooks: LotHooks | undefined;

  /**
   * @param backend The backend's name, for reports.
   * @param timers Where timeouts are set.
   * @param hooks What a backend that schedules its threads itself hears.
   */
  constructor(readonly backend: string, readonly timers: TimerSource, hooks?: LotHooks) {
    this.#hooks = hooks;
  }

  /** See `Backend.park`. */
  park<T>(cells: Cells, index: number, request: ParkRequest<T>): Promise<T> | typeof PARK_INVALID {
    return this.parkIn(localCells(cells).queue(index), request);
  }

  /** Parks on `queue` (a cell's, or one a backend's own primitive keeps), as `park` does. */
  parkIn<T>(queue: WaitQueue, request: ParkRequest<T>): Promise<T> | typeof PARK_INVALID {
    // Kept short, the rest out of line, so that V8 inlines the common park into the primitive's acquire.
    if (this.#hooks !== undefined || interruptTarget !== undefined) return this.#parkHeard(queue, request);
    if (!request.validate()) return PARK_INVALID;
    const promise = this.#enqueue<T>(queue, request);
    if (request.beforeSleep !== undefined) request.beforeSleep();
    return promise;
  }

  // A park that a scheduler hears of, or that a pending `interruptMain()` may end.
  #parkHeard<T>(queue: WaitQueue, request: ParkRequest<T>): Promise<T> | typeof PARK_INVALID {
    const hooks = this.#hooks;
    if (hooks !== undefined) hooks.entering(currentIdentity());
    // `interruptMain()` pending for this thread: its next wait raises instead.
    if (interruptTarget !== undefined) {
      const interrupt = this.#takeInterrupt(request);
      if (interrupt !== undefined) return Promise.reject(interrupt);
    }
    if (!request.validate()) return PARK_INVALID;
    const promise = this.#enqueue<T>(queue, request);
    if (hooks !== undefined) hooks.queued(arming);
    const w = arming;
    if (request.beforeSleep !== undefined) request.beforeSleep();
    if (hooks !== undefined) hooks.parked(w);
    return promise;
  }

  // Queues a waiter record (the one `arming` holds after) and returns its promise.
  #enqueue<T>(queue: WaitQueue, request: ParkRequest<T>): Promise<T> {
    const w = arming = new Waiter(request as ParkRequest<unknown>, currentIdentity(), queue, this);
    const promise = new Promise<T>(takeResolvers);
    w.pendingSeq = nextWaitSeq();
    // The queue registers as a whole while it holds waiters: nothing to do per wait when it is busy.
    if (queue.size === 0) beginWaitGroup(queue);
    queue.push(w);
    if (request.timeout !== Infinity || request.signal !== undefined) this.#arm(w);
    return promise;
  }

  // Kept out of `park` so that a plain wait does not pay for these closures' context.
  #arm(w: Waiter): void {
    const request = w.request;
    if (request.timeout !== Infinity) {
      w.timer = this.timers.setTimer(request.timeout, () => this.leave(w, "timeout"), w.thread.daemon);
    }
    const signal = request.signal;
    if (signal) {
      w.onAbort = () => this.leave(w, "abort");
      signal.addEventListener("abort", w.onAbort, { once: true });
    }
  }

  /** See `Backend.parkSync`: in one isolate nobody can wake a blocked caller. */
  parkSync<T>(cells: Cells, index: number, request: ParkRequest<T>): T | typeof PARK_INVALID {
    return this.parkSyncIn(localCells(cells).queue(index), request);
  }

  /** Blocks on `queue`, as `parkSync` does. */
  parkSyncIn<T>(queue: WaitQueue, request: ParkRequest<T>): T | typeof PARK_INVALID {
    this.#hooks?.entering(currentIdentity());
    if (interruptTarget !== undefined) {
      const interrupt = this.#takeInterrupt(request);
      if (interrupt !== undefined) throw interrupt;
    }
    if (!request.validate()) return PARK_INVALID;
    return endWithoutBlocking(request, queue.size === 0, oneIsolate(this.backend));
  }

  #takeInterrupt(request: ParkRequest<unknown>): Error | undefined {
    const thread = currentIdentity();
    const interrupt = takeInterrupt(thread);
    if (interrupt !== undefined) this.#hooks?.interrupted(thread, request);
    return interrupt;
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

  // The value is decided now (a lock is handed off now), as the woken thread.
  #wake(w: Waiter, token: number): void {
    if (w.timer !== undefined || w.onAbort !== undefined) this.disarm(w);
    let value: unknown;
    let failed = false;
    try {
      value = wakeAs(w.thread, w.request, token);
    } catch (error) {
      failed = true;
      value = error;
    }
    const hooks = this.#hooks;
    if (hooks === undefined) {
      if (failed) w.reject(value);
      else w.resolve(value);
      return;
    }
    hooks.left(w, "woken", failed ? () => w.reject(value) : () => w.resolve(value));
  }

  /**
   * Ends a parked waiter other than by an unpark: its timeout elapsed, its
   * signal aborted, or `reason` ends it (an interrupt, a deadlock, a
   * schedule wound down). It leaves its queue, so a later unpark can never be
   * swallowed by it, and `timedOut` runs. Says whether it was still parked.
   */
  leave(w: Waiter, how: Leaving, reason?: unknown): boolean {
    if (!w.queued) return false;
    w.queue.remove(w);
    if (w.queue.size === 0) endWaitGroup(w.queue);
    this.disarm(w);
    const request = w.request;
    request.timedOut?.(w.queue.size === 0);
    const error = how === "abort" ? request.signal!.reason : reason;
    const resume = how === "timeout" ? () => w.resolve(request.timeoutValue) : () => w.reject(error);
    const hooks = this.#hooks;
    if (hooks === undefined) resume();
    else hooks.left(w, how, resume);
    return true;
  }

  /** Cancels a waiter's timer and abort listener (a waiter woken other than by the lot). */
  disarm(w: Waiter): void {
    if (w.timer !== undefined) {
      this.timers.clearTimer(w.timer);
      w.timer = undefined;
    }
    if (w.onAbort !== undefined) {
      w.request.signal!.removeEventListener("abort", w.onAbort);
      w.onAbort = undefined;
    }
  }
}
