/**
 * The waiters `wait` and `asCompleted` install on futures (Python's
 * `_Waiter` family): each collects the futures that finish and sets its
 * event when its caller should wake.
 *
 * @module
 */
import type { Backend } from "../backends/types.ts";
import { Event } from "../primitives/event.ts";
import type { AnyFuture, FutureWaiter } from "./future.ts";

/** Collects finished futures; subclasses decide when to set `event`. */
export class CollectingWaiter implements FutureWaiter {
  /** The futures that finished since the waiter was installed, in order. */
  finished: AnyFuture[] = [];
  /** Set when the caller should wake. */
  readonly event: Event;

  /** @param backend The backend of the event. */
  constructor(backend: Backend) {
    this.event = new Event({ backend });
  }

  /** A future finished with a result. */
  addResult(future: AnyFuture): void {
    this.finished.push(future);
  }

  /** A future finished with an exception. */
  addException(future: AnyFuture): void {
    this.finished.push(future);
  }

  /** A cancelled future was seen by its executor. */
  addCancelled(future: AnyFuture): void {
    this.finished.push(future);
  }
}

/** Wakes on every finished future (`asCompleted`, and `wait` with `FIRST_COMPLETED`). */
export class AnyCompletedWaiter extends CollectingWaiter {
  /** Collects and wakes. */
  override addResult(future: AnyFuture): void {
    super.addResult(future);
    this.event.set();
  }

  /** Collects and wakes. */
  override addException(future: AnyFuture): void {
    super.addException(future);
    this.event.set();
  }

  /** Collects and wakes. */
  override addCancelled(future: AnyFuture): void {
    super.addCancelled(future);
    this.event.set();
  }
}

/** Wakes when every future is done, or on the first exception if asked (`ALL_COMPLETED`, `FIRST_EXCEPTION`). */
export class AllCompletedWaiter extends CollectingWaiter {
  #pending: number;
  readonly #stopOnException: boolean;

  /**
   * @param backend The backend of the event.
   * @param pending How many futures are not done yet.
   * @param stopOnException Wake on the first exception.
   */
  constructor(backend: Backend, pending: number, stopOnException: boolean) {
    super(backend);
    this.#pending = pending;
    this.#stopOnException = stopOnException;
  }

  /** Counts one more done. */
  override addResult(future: AnyFuture): void {
    super.addResult(future);
    this.#countDown();
  }

  /** Wakes at once if asked to stop on exceptions; else counts one more done. */
  override addException(future: AnyFuture): void {
    super.addException(future);
    if (this.#stopOnException) this.event.set();
    else this.#countDown();
  }

  /** Counts one more done. */
  override addCancelled(future: AnyFuture): void {
    super.addCancelled(future);
    this.#countDown();
  }

  #countDown(): void {
    if (--this.#pending <= 0) this.event.set();
  }
}
