/**
 * The cooperative scheduler's clock: virtual milliseconds that stand still
 * while threads run, jump to the next deadline when every thread waits, and
 * follow real time while some thread awaits something outside the library.
 *
 * Timers are kept in a binary heap ordered by deadline, then by the order
 * they were set, so timers due at the same instant fire in a fixed order.
 *
 * @module
 */
import type { TimerSource } from "../_local_parking_lot.ts";

/** One pending timer; its handle is the object itself. */
export class VirtualTimer {
  /** Position in the heap, or -1 once fired or cancelled. */
  index = -1;

  /**
   * @param deadline When it is due, in virtual ms.
   * @param seq The order it was set in (breaks ties between equal deadlines).
   * @param fn What to call when it is due.
   */
  constructor(readonly deadline: number, readonly seq: number, readonly fn: () => void) {}
}

/** A virtual clock with its timers. */
export class VirtualClock implements TimerSource {
  #now = 0;
  #following = false;
  #anchor = 0;
  #seq = 0;
  readonly #heap: VirtualTimer[] = [];

  /** The current virtual time in ms. */
  now(): number {
    return this.#following ? this.#now + (performance.now() - this.#anchor) : this.#now;
  }

  /** Whether the clock follows real time right now. */
  get following(): boolean {
    return this.#following;
  }

  /**
   * Starts or stops following real time; the time that passed meanwhile
   * stays counted. `since` backdates the start (a real `performance.now()`).
   */
  follow(on: boolean, since?: number): void {
    if (on === this.#following) return;
    if (on) this.#anchor = Math.min(since ?? Infinity, performance.now());
    else this.#now += performance.now() - this.#anchor;
    this.#following = on;
  }

  /** Moves the clock forward by `ms` (a blocking wait that nothing can end early). */
  advanceBy(ms: number): void {
    this.#now += ms;
  }

  /** Moves the clock forward to `time`, if it is later than now. */
  advanceTo(time: number): void {
    const now = this.now();
    if (time > now) this.#now += time - now;
  }

  /** How many timers are pending. */
  get pending(): number {
    return this.#heap.length;
  }

  /** The deadline of the earliest pending timer, or `Infinity`. */
  nextDeadline(): number {
    return this.#heap.length === 0 ? Infinity : this.#heap[0].deadline;
  }

  /** Calls `fn` once `ms` virtual ms have passed. */
  setTimer(ms: number, fn: () => void, _daemon?: boolean): VirtualTimer {
    const timer = new VirtualTimer(this.now() + ms, this.#seq++, fn);
    timer.index = this.#heap.length;
    this.#heap.push(timer);
    this.#up(timer.index);
    return timer;
  }

  /** Cancels a pending timer; does nothing if it fired already. */
  clearTimer(handle: unknown): void {
    const timer = handle as VirtualTimer;
    const i = timer.index;
    if (i < 0) return;
    timer.index = -1;
    const last = this.#heap.pop()!;
    if (last === timer) return;
    this.#heap[i] = last;
    last.index = i;
    this.#down(i);
    this.#up(last.index);
  }

  /** Fires every timer that is due, earliest first; returns how many fired. */
  fireDue(): number {
    const now = this.now();
    let fired = 0;
    while (this.#heap.length > 0 && this.#heap[0].deadline <= now) {
      const timer = this.#heap[0];
      this.clearTimer(timer);
      fired++;
      timer.fn();
    }
    return fired;
  }

  #before(a: VirtualTimer, b: VirtualTimer): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
  }

  #swap(i: number, j: number): void {
    const heap = this.#heap;
    const a = heap[i];
    heap[i] = heap[j];
    heap[j] = a;
    heap[i].index = i;
    heap[j].index = j;
  }

  #up(i: number): void {
    const heap = this.#heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(heap[i], heap[parent])) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    const heap = this.#heap;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) return;
      const right = left + 1;
      const child = right < heap.length && this.#before(heap[right], heap[left]) ? right : left;
      if (!this.#before(heap[child], heap[i])) return;
      this.#swap(i, child);
      i = child;
    }
  }
}
