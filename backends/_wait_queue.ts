/**
 * A FIFO queue of parked waiters with O(1) removal from the middle, so a
 * waiter that times out or is aborted leaves no trace behind.
 *
 * @module
 */
import type { ThreadIdentity } from "../runtime/current_thread.ts";
import type { RegisteredWait, WaitGroup } from "../runtime/pending.ts";
import type { Cells, ParkRequest } from "./types.ts";

/** How a waiter leaves its queue other than by an unpark. */
export type Leaving = "timeout" | "abort" | "interrupt" | "error";

/** The lot a waiter is parked in (see `LocalParkingLot.leave`). */
export interface WaiterLot {
  /** The backend's name. */
  readonly backend: string;
  /** Ends a parked waiter; says whether it was still parked. */
  leave(w: Waiter, how: Leaving, reason?: unknown): boolean;
}

/**
 * One parked waiter: a node of the queue of the cell it waits on. It is
 * kept small (one is made per wait): the registry of pending waits lists
 * the queue, not the waiter, and what a report needs beyond the request and
 * the thread is read through the queue and the lot.
 */
export class Waiter implements RegisteredWait {
  /** Previous (older) waiter in the queue. */
  prev: Waiter | undefined = undefined;
  /** Next (younger) waiter in the queue. */
  next: Waiter | undefined = undefined;
  /** Whether the waiter is still queued. */
  queued = false;
  /** Settles the waiter's promise with a value. */
  resolve: (value: unknown) => void = noop;
  /** Settles the waiter's promise with an error. */
  reject: (reason: unknown) => void = noop;
  /** The timer of a finite timeout, if any. */
  timer: unknown = undefined;
  /** The abort listener, if a signal was given. */
  onAbort: (() => void) | undefined = undefined;
  /** When the wait began (orders the pending-wait registry). */
  pendingSeq = 0;

  /**
   * @param request What the waiter asked for.
   * @param thread The thread that parked.
   * @param queue The queue it is in.
   * @param lot The lot it is parked in.
   */
  constructor(
    public request: ParkRequest<unknown>,
    public thread: ThreadIdentity,
    public queue: WaitQueue,
    public lot: WaiterLot,
  ) {}

  /** The backend's name (for the registry of pending waits). */
  get backend(): string {
    return this.lot.backend;
  }

  /** The cells it waits on (named in deadlock reports). */
  get cells(): Cells {
    return this.queue.cells;
  }

  /**
   * Ends the wait with `reason`, as an abort would: it leaves its queue,
   * its timer and abort listener are cancelled, and `timedOut(wasLast)`
   * runs, so nothing is left behind (`interruptMain()` uses it). Says
   * whether it was still parked.
   */
  interrupt(reason: unknown): boolean {
    return this.lot.leave(this, "interrupt", reason);
  }
}

function noop(): void {}

/** The waiters of one cell, oldest first. */
export class WaitQueue implements WaitGroup {
  /** @param cells The cells the queue's cell is in. */
  constructor(readonly cells: Cells) {}

  #head: Waiter | undefined = undefined;
  #tail: Waiter | undefined = undefined;
  /** How many waiters are queued. */
  size = 0;
  /** Links of the pending-wait registry, while registered as a group (see `_pending.ts`). */
  pendingPrev: WaitGroup | undefined = undefined;
  /** Links of the pending-wait registry, while registered as a group (see `_pending.ts`). */
  pendingNext: WaitGroup | undefined = undefined;

  /** Appends a waiter. */
  push(w: Waiter): void {
    w.queued = true;
    w.prev = this.#tail;
    w.next = undefined;
    if (this.#tail) this.#tail.next = w;
    else this.#head = w;
    this.#tail = w;
    this.size++;
  }

  /** Removes and returns the oldest waiter. */
  shift(): Waiter | undefined {
    const w = this.#head;
    if (w === undefined) return undefined;
    const next = w.next;
    this.#head = next;
    if (next === undefined) this.#tail = undefined;
    else next.prev = w.next = undefined;
    w.queued = false;
    this.size--;
    return w;
  }

  /** Removes a queued waiter from wherever it is. */
  remove(w: Waiter): void {
    if (!w.queued) return;
    w.queued = false;
    if (w.prev) w.prev.next = w.next;
    else this.#head = w.next;
    if (w.next) w.next.prev = w.prev;
    else this.#tail = w.prev;
    w.prev = w.next = undefined;
    this.size--;
  }

  /** The waiters, oldest first (for reports). */
  *[Symbol.iterator](): IterableIterator<Waiter> {
    for (let w = this.#head; w; w = w.next) yield w;
  }
}
