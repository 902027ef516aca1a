/**
 * The error classes of the library, named after Python's exceptions.
 *
 * Each is constructed where it is thrown, sets `name`, and carries a message
 * that says what was wrong and what was received.
 *
 * @module
 */

/**
 * Raised when an operation is not allowed in the current state: releasing an
 * unlocked lock, releasing or waiting on a lock the caller does not own,
 * starting a thread twice, joining the current thread (Python's
 * `RuntimeError`, also exported as {@linkcode ThreadError}).
 *
 * @example Releasing an unlocked lock
 * ```ts
 * import { Lock, RuntimeError } from "@locksmith/threading";
 * import { assertThrows } from "@std/assert";
 *
 * assertThrows(() => new Lock().release(), RuntimeError);
 * ```
 */
export class RuntimeError extends Error {
  /**
   * Creates the error.
   *
   * @param message What went wrong.
   * @param options Standard error options (`cause`).
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RuntimeError";
  }
}

/**
 * Python's `threading.ThreadError`, an alias of {@linkcode RuntimeError}.
 *
 * @example Catching it
 * ```ts
 * import { Lock, ThreadError } from "@locksmith/threading";
 * import { assertThrows } from "@std/assert";
 *
 * assertThrows(() => new Lock().release(), ThreadError);
 * ```
 */
export const ThreadError: typeof RuntimeError = RuntimeError;

/**
 * Raised for an argument of the right type but a wrong value: a negative
 * semaphore value, a bad timeout, a barrier with no parties (Python's
 * `ValueError`).
 *
 * @example A negative semaphore value
 * ```ts
 * import { Semaphore, ValueError } from "@locksmith/threading";
 * import { assertThrows } from "@std/assert";
 *
 * assertThrows(() => new Semaphore(-1), ValueError);
 * ```
 */
export class ValueError extends RangeError {
  /**
   * Creates the error.
   *
   * @param message What was wrong and what was received.
   * @param options Standard error options (`cause`).
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ValueError";
  }
}

/**
 * Raised for a timeout above `TIMEOUT_MAX` (Python's `OverflowError`).
 *
 * @example A timeout that is too large
 * ```ts
 * import { Lock, OverflowError, TIMEOUT_MAX } from "@locksmith/threading";
 * import { assertRejects } from "@std/assert";
 *
 * await assertRejects(() => new Lock().acquire(true, TIMEOUT_MAX * 2), OverflowError);
 * ```
 */
export class OverflowError extends RangeError {
  /**
   * Creates the error.
   *
   * @param message What was wrong and what was received.
   * @param options Standard error options (`cause`).
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "OverflowError";
  }
}

/**
 * Raised by `Barrier.wait` when the barrier is broken: aborted, reset while
 * threads waited, timed out, or its action threw.
 *
 * @example An aborted barrier
 * ```ts
 * import { Barrier, BrokenBarrierError } from "@locksmith/threading";
 * import { assertRejects } from "@std/assert";
 *
 * const barrier = new Barrier(2);
 * barrier.abort();
 * await assertRejects(() => barrier.wait(), BrokenBarrierError);
 * ```
 */
export class BrokenBarrierError extends RuntimeError {
  /**
   * Creates the error.
   *
   * @param message Why the barrier is broken.
   * @param options Standard error options (`cause`).
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BrokenBarrierError";
  }
}

/**
 * Raised for a wait that can never be satisfied: a cooperative scheduler
 * with nothing runnable and no timer pending, or a `...Sync` wait forever on
 * a backend where the caller is the only thread. Its message names the
 * threads and what each waits on.
 *
 * @example Waiting forever in one thread
 * ```ts
 * import { DeadlockError, Lock } from "@locksmith/threading";
 * import { assertThrows } from "@std/assert";
 *
 * const lock = new Lock();
 * lock.acquireSync();
 * assertThrows(() => lock.acquireSync(), DeadlockError);
 * ```
 */
export class DeadlockError extends RuntimeError {
  /**
   * Creates the error.
   *
   * @param message Which threads wait on what.
   * @param options Standard error options (`cause`).
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DeadlockError";
  }
}

/**
 * Raised by an acquire that took a lock (a `Lock`, an `RLock`, or a permit
 * of a `robust` `Semaphore`) abandoned by a thread that died holding it: a
 * Worker that raised, exited or was terminated in its critical section.
 * The caller holds the lock now, as the receiver of Windows'
 * `WAIT_ABANDONED` or POSIX's `EOWNERDEAD` holds its mutex: what the lock
 * guards may be half-updated, so check or repair it, then release the lock
 * as after any acquire. (`guard()` and `runExclusive()`, which hold the lock
 * only for their scope, release it before they reject.) Python has no such
 * error: there the lock stays held and its waiters wait forever.
 *
 * @example Handling it
 * ```ts
 * import { AbandonedLockError, Lock } from "@locksmith/threading";
 *
 * const lock = new Lock({ backend: "atomics" });
 * try {
 *   await lock.acquire();
 * } catch (error) {
 *   if (!(error instanceof AbandonedLockError)) throw error;
 *   // The lock is held by this thread: repair what it guards here.
 * }
 * lock.release();
 * ```
 */
export class AbandonedLockError extends RuntimeError {
  /**
   * Creates the error.
   *
   * @param message Which lock, and who abandoned it.
   * @param options Standard error options (`cause`).
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AbandonedLockError";
  }
}

/**
 * Raised by a queue's `getNowait` (or a non-blocking or timed `get`) when the
 * queue is empty (Python's `queue.Empty`).
 *
 * @example Constructing one
 * ```ts
 * import { Empty } from "@locksmith/threading";
 * import { assertInstanceOf } from "@std/assert";
 *
 * assertInstanceOf(new Empty("Queue is empty"), Error);
 * ```
 */
export class Empty extends Error {
  /**
   * Creates the error.
   *
   * @param message What was attempted.
   * @param options Standard error options (`cause`).
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "Empty";
  }
}

/**
 * Raised by a queue's `putNowait` (or a non-blocking or timed `put`) when the
 * queue is full (Python's `queue.Full`).
 *
 * @example Constructing one
 * ```ts
 * import { Full } from "@locksmith/threading";
 * import { assertInstanceOf } from "@std/assert";
 *
 * assertInstanceOf(new Full("Queue is full"), Error);
 * ```
 */
export class Full extends Error {
  /**
   * Creates the error.
   *
   * @param message What was attempted.
   * @param options Standard error options (`cause`).
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "Full";
  }
}

/**
 * Raised by a queue operation after `shutdown` (Python 3.13's
 * `queue.ShutDown`).
 *
 * @example Constructing one
 * ```ts
 * import { ShutDown } from "@locksmith/threading";
 * import { assertInstanceOf } from "@std/assert";
 *
 * assertInstanceOf(new ShutDown("Queue is shut down"), Error);
 * ```
 */
export class ShutDown extends Error {
  /**
   * Creates the error.
   *
   * @param message What was attempted.
   * @param options Standard error options (`cause`).
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ShutDown";
  }
}

/**
 * Raised when the result of a cancelled future is asked for (Python's
 * `concurrent.futures.CancelledError`).
 *
 * @example Constructing one
 * ```ts
 * import { CancelledError } from "@locksmith/threading";
 * import { assertInstanceOf } from "@std/assert";
 *
 * assertInstanceOf(new CancelledError("Future was cancelled"), Error);
 * ```
 */
export class CancelledError extends Error {
  /**
   * Creates the error.
   *
   * @param message What was cancelled.
   * @param options Standard error options (`cause`).
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CancelledError";
  }
}

/**
 * Raised when a future's result or a pool's map does not arrive within its
 * timeout (Python's `concurrent.futures.TimeoutError`).
 *
 * @example Constructing one
 * ```ts
 * import { TimeoutError } from "@locksmith/threading";
 * import { assertInstanceOf } from "@std/assert";
 *
 * assertInstanceOf(new TimeoutError("Timed out after 10 ms"), Error);
 * ```
 */
export class TimeoutError extends Error {
  /**
   * Creates the error.
   *
   * @param message What timed out, and after how long.
   * @param options Standard error options (`cause`).
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TimeoutError";
  }
}

/**
 * Raised when a future is asked to do something its state does not allow
 * (Python's `concurrent.futures.InvalidStateError`).
 *
 * @example Constructing one
 * ```ts
 * import { InvalidStateError } from "@locksmith/threading";
 * import { assertInstanceOf } from "@std/assert";
 *
 * assertInstanceOf(new InvalidStateError("Future is already finished"), Error);
 * ```
 */
export class InvalidStateError extends Error {
  /**
   * Creates the error.
   *
   * @param message What was attempted, and in which state.
   * @param options Standard error options (`cause`).
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "InvalidStateError";
  }
}

/**
 * Raised when a pool can no longer run work: a worker died or its
 * initializer failed (Python's `concurrent.futures.BrokenExecutor`).
 *
 * @example Constructing one
 * ```ts
 * import { BrokenExecutor } from "@locksmith/threading";
 * import { assertInstanceOf } from "@std/assert";
 *
 * assertInstanceOf(new BrokenExecutor("Initializer failed"), Error);
 * ```
 */
export class BrokenExecutor extends Error {
  /**
   * Creates the error.
   *
   * @param message Why the pool is broken.
   * @param options Standard error options (`cause`).
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BrokenExecutor";
  }
}
