/**
 * `Queue`: Python's `queue.Queue`, a multi-producer, multi-consumer FIFO
 * queue, and the algorithm `LifoQueue` and `PriorityQueue` share.
 *
 * Written once over the library's primitives, so it runs on every backend:
 * one `Lock` and three `Condition`s over it (not empty, not full, all tasks
 * done), as CPython's `queue.py` has. The counters (unfinished tasks, the
 * shutdown flag, `maxsize`) live in cells of the backend; the items live in
 * a {@linkcode QueueStorage}, the one part a shared-memory queue swaps out.
 *
 * @module
 */
import { type BackendChoice, getBackend } from "../backends/mod.ts";
import type { Backend, Cells } from "../backends/types.ts";
import { Condition } from "../primitives/condition.ts";
import { DeadlockError, Empty, Full, ShutDown, ValueError } from "../primitives/errors.ts";
import { Lock } from "../primitives/lock.ts";
import { RESOLVED_TRUE } from "../primitives/_raw_lock.ts";
import { abortedSignal, checkWait, describe, type Wait, type WaitOptions } from "../primitives/_wait_options.ts";
import { checkQueueWait, conditionWait, type QueueWait, type QueueWaitOptions } from "./_queue_wait.ts";
import { FifoStorage, type QueueStorage } from "./_storage.ts";

/** The options of a queue's constructor. */
export interface QueueOptions {
  /** The backend of the queue's lock and conditions, by name or object; omitted, the default backend. */
  backend?: BackendChoice;
}

/** Lets a subclass choose the storage (internal: not part of the public options). */
export const STORAGE: unique symbol = Symbol("queue storage");

/** The constructor's options as the subclasses pass them. */
export interface StorageOptions<T> extends QueueOptions {
  /** Where the items live (default: FIFO). */
  [STORAGE]?: QueueStorage<T>;
}

const UNFINISHED = 0;
const SHUTDOWN = 1;
const MAXSIZE = 2;
const INT32_MAX = 2 ** 31 - 1;
const MUST_WAIT: unique symbol = Symbol("must wait");
const RESOLVED_VOID: Promise<void> = Promise.resolve();

let serial = 0;

/**
 * Checks the options object of a queue's constructor.
 *
 * @param kind The class, for messages.
 * @param options As received.
 */
export function checkQueueOptions(kind: string, options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== "object")) {
    throw new TypeError(`Cannot create ${kind} as 'options' must be an object: received ${describe(options)}`);
  }
}

/**
 * A FIFO queue for handing items between threads (Python's `queue.Queue`).
 *
 * `put` adds an item, waiting while the queue is full (a queue with
 * `maxsize` of 0 or less is never full); `get` removes the oldest item,
 * waiting while the queue is empty. Either takes Python's `(block, timeout)`
 * (timeout in ms) or `{ block, timeout, signal }`; a non-blocking call (or a
 * timed one that runs out) raises {@linkcode Full} or {@linkcode Empty},
 * and ignores its timeout. Waiters are served oldest first.
 *
 * Consumers call `taskDone()` once per item they finish; `join()` waits
 * until every item put has been marked done. `shutdown()` (Python 3.13)
 * makes later puts raise {@linkcode ShutDown}, and gets too once the queue
 * is empty; `shutdown(true)` also drops the queued items and wakes
 * `join()`. Threads blocked in `put` (and in `get`, once nothing is left)
 * wake with `ShutDown`.
 *
 * The `...Sync` twins block the calling thread. The queue's items live in
 * this isolate, so every thread that could make room or add an item is a
 * task of this isolate and cannot run while the caller blocks: a `...Sync`
 * call that would have to wait raises `Full`/`Empty` at once (non-blocking
 * or with a finite timeout) or `DeadlockError` (waiting forever).
 *
 * @typeParam T The type of the items.
 *
 * @example A producer and a consumer
 * ```ts
 * import { Thread } from "@locksmith/threading";
 * import { Queue } from "@locksmith/threading/queue";
 * import { assertEquals } from "@std/assert";
 *
 * const q = new Queue<number | null>(2);
 * const seen: number[] = [];
 * const consumer = new Thread({
 *   target: async () => {
 *     for (let item; (item = await q.get()) !== null; q.taskDone()) seen.push(item);
 *     q.taskDone();
 *   },
 * });
 * consumer.start();
 * for (const item of [1, 2, 3, 4]) await q.put(item);
 * await q.put(null);
 * await q.join();
 * await consumer.join();
 * assertEquals(seen, [1, 2, 3, 4]);
 * ```
 */
export class Queue<T = unknown> {
  readonly #backend: Backend;
  readonly #cells: Cells;
  readonly #storage: QueueStorage<T>;
  readonly #mutex: Lock;
  readonly #notEmpty: Condition;
  readonly #notFull: Condition;
  readonly #allTasksDone: Condition;
  readonly #label: string;

  /**
   * Creates a queue.
   *
   * @param maxsize The most items it holds; 0 or less (or `Infinity`): no limit.
   * @param options `backend`: the backend of its lock and conditions.
   * @throws {TypeError} If `maxsize` is not a number or `options` not an object.
   * @throws {ValueError} If `maxsize` is not an integer in the int32 range.
   */
  constructor(maxsize: number = 0, options?: QueueOptions) {
    const kind = new.target.name;
    checkQueueOptions(kind, options);
    this.#label = `${kind}#${++serial}`;
    const backend = this.#backend = getBackend(options?.backend);
    this.#cells = backend.allocate(3);
    this.#cells.store(MAXSIZE, this.#checkMaxsize(maxsize, "create"));
    this.#storage = (options as StorageOptions<T> | undefined)?.[STORAGE] ?? new FifoStorage<T>();
    const mutex = this.#mutex = new Lock({ backend });
    this.#notEmpty = new Condition(mutex, { backend });
    this.#notFull = new Condition(mutex, { backend });
    this.#allTasksDone = new Condition(mutex, { backend });
  }

  /**
   * The most items the queue holds; 0 or less means no limit. Setting it
   * wakes blocked `put`s so they see a larger limit at once (shrinking it
   * leaves the items already queued in place).
   *
   * @example Shrinking a queue
   * ```ts
   * import { Full, Queue } from "@locksmith/threading/queue";
   * import { assertThrows } from "@std/assert";
   *
   * const q = new Queue(3);
   * q.putNowait(1);
   * q.putNowait(2);
   * q.maxsize = 2;
   * assertThrows(() => q.putNowait(3), Full);
   * ```
   */
  get maxsize(): number {
    return this.#cells.load(MAXSIZE);
  }

  set maxsize(value: number) {
    const checked = this.#checkMaxsize(value, "set maxsize of");
    const took = this.#enterSync();
    try {
      this.#cells.store(MAXSIZE, checked);
      this.#notFull.notifyAll();
    } finally {
      if (took) this.#mutex.release();
    }
  }

  /**
   * How many items were put and not yet marked done with `taskDone()`.
   *
   * @example Counting tasks
   * ```ts
   * import { Queue } from "@locksmith/threading/queue";
   * import { assertEquals } from "@std/assert";
   *
   * const q = new Queue();
   * q.putNowait("a");
   * q.getNowait();
   * assertEquals(q.unfinishedTasks, 1);
   * q.taskDone();
   * assertEquals(q.unfinishedTasks, 0);
   * ```
   */
  get unfinishedTasks(): number {
    return this.#cells.load(UNFINISHED);
  }

  /**
   * Whether `shutdown()` was called.
   *
   * @example After shutdown
   * ```ts
   * import { Queue } from "@locksmith/threading/queue";
   * import { assertEquals } from "@std/assert";
   *
   * const q = new Queue();
   * q.shutdown();
   * assertEquals(q.isShutdown, true);
   * ```
   */
  get isShutdown(): boolean {
    return this.#cells.load(SHUTDOWN) !== 0;
  }

  /**
   * The queue's backend.
   *
   * @example The default backend
   * ```ts
   * import { Queue } from "@locksmith/threading/queue";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new Queue().backend.name, "async");
   * ```
   */
  get backend(): Backend {
    return this.#backend;
  }

  /**
   * The number of items queued now (Python notes it is "not reliable":
   * another thread may change it before the caller acts on it).
   *
   * @returns The number of items.
   *
   * @example Two items
   * ```ts
   * import { Queue } from "@locksmith/threading/queue";
   * import { assertEquals } from "@std/assert";
   *
   * const q = new Queue();
   * q.putNowait(1);
   * q.putNowait(2);
   * assertEquals(q.qsize(), 2);
   * ```
   */
  qsize(): number {
    return this.#storage.size;
  }

  /**
   * Whether the queue holds no item now.
   *
   * @returns `true` if empty.
   *
   * @example A new queue
   * ```ts
   * import { Queue } from "@locksmith/threading/queue";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new Queue().empty(), true);
   * ```
   */
  empty(): boolean {
    return this.#storage.size === 0;
  }

  /**
   * Whether the queue holds `maxsize` items now (never, without a limit).
   *
   * @returns `true` if full.
   *
   * @example A full queue
   * ```ts
   * import { Queue } from "@locksmith/threading/queue";
   * import { assertEquals } from "@std/assert";
   *
   * const q = new Queue(1);
   * q.putNowait("x");
   * assertEquals(q.full(), true);
   * ```
   */
  full(): boolean {
    return !this.#hasRoom();
  }

  /**
   * Puts an item into the queue.
   *
   * Blocking (the default), it waits while the queue is full, at most
   * `timeout` ms if given, and raises `Full` if still full by then.
   * Non-blocking, it puts the item only if there is room now and raises
   * `Full` otherwise; the timeout is then ignored.
   *
   * @param item The item.
   * @param block Whether to wait (default `true`), or `{ block, timeout, signal }`.
   * @param timeout Milliseconds to wait; omitted, `null` or `-1`: forever.
   * @returns Resolves once the item is in the queue.
   * @throws {Full} If there is no room (non-blocking, or not within the timeout).
   * @throws {ShutDown} If the queue is shut down, or is shut down while the call waits.
   * @throws {ValueError} If a blocking call's timeout is negative (other than -1).
   *
   * @example Waiting at most 10 ms for room
   * ```ts
   * import { Full, Queue } from "@locksmith/threading/queue";
   * import { assertRejects } from "@std/assert";
   *
   * const q = new Queue(1);
   * await q.put("a");
   * await assertRejects(() => q.put("b", true, 10), Full);
   * await assertRejects(() => q.put("b", { block: false }), Full);
   * ```
   */
  put(item: T, block?: boolean, timeout?: number | null): Promise<void>;
  /**
   * Puts an item into the queue, with options `{ block, timeout, signal }`.
   *
   * @param item The item.
   * @param options How to wait.
   * @returns Resolves once the item is in the queue.
   */
  put(item: T, options: QueueWaitOptions): Promise<void>;
  put(item: T, block?: boolean | QueueWaitOptions, timeout?: number | null): Promise<void> {
    const aborted = abortedSignal(block);
    if (aborted) return Promise.reject(aborted.reason);
    let wait: QueueWait;
    try {
      wait = checkQueueWait(`put to ${this.#label}`, block, timeout);
    } catch (error) {
      return Promise.reject(error);
    }
    const start = this.#backend.now();
    if (this.#backend.schedulingPoint === undefined && this.#mutex.acquireSync(false)) {
      // Uncontended: decide without awaiting, and wait only if we must.
      let done = true;
      try {
        done = this.#tryPut(item, wait.block);
      } catch (error) {
        return Promise.reject(error);
      } finally {
        if (done) this.#mutex.release();
      }
      if (done) return RESOLVED_VOID;
      return this.#putWaiting(item, wait, start, true);
    }
    return this.#putWaiting(item, wait, start, false);
  }

  async #putWaiting(item: T, wait: QueueWait, start: number, locked: boolean): Promise<void> {
    if (!locked) await this.#mutex.acquire(wait.signal === undefined ? undefined : { signal: wait.signal });
    try {
      if (!locked && this.#tryPut(item, wait.block)) return;
      const deadline = start + wait.timeout;
      for (;;) {
        const remaining = deadline - this.#backend.now();
        if (remaining <= 0) throw this.#full();
        const notified = await this.#notFull.wait(conditionWait(remaining, wait.signal));
        // A timed-out wait raises Full unless room appeared meanwhile.
        if (this.#tryPut(item, notified)) return;
      }
    } finally {
      this.#mutex.release();
    }
  }

  /**
   * Puts an item without waiting: Python's `put_nowait`, the same as
   * `putSync(item, false)`.
   *
   * @param item The item.
   * @throws {Full} If the queue is full.
   * @throws {ShutDown} If the queue is shut down.
   *
   * @example Filling a queue
   * ```ts
   * import { Full, Queue } from "@locksmith/threading/queue";
   * import { assertThrows } from "@std/assert";
   *
   * const q = new Queue(1);
   * q.putNowait(1);
   * assertThrows(() => q.putNowait(2), Full);
   * ```
   */
  putNowait(item: T): void {
    this.putSync(item, false);
  }

  /**
   * Puts an item, blocking the calling thread while the queue is full (see
   * the class doc: on a queue whose items live in this isolate, nothing can
   * make room while it blocks).
   *
   * @param item The item.
   * @param block Whether to wait (default `true`).
   * @param timeout Milliseconds to wait; omitted, `null` or `-1`: forever.
   * @throws {Full} If there is no room (non-blocking, or not within the timeout).
   * @throws {ShutDown} If the queue is shut down.
   * @throws {DeadlockError} If it would wait forever where nothing can make room.
   *
   * @example Without awaiting
   * ```ts
   * import { Queue } from "@locksmith/threading/queue";
   * import { assertEquals } from "@std/assert";
   *
   * const q = new Queue();
   * q.putSync("a");
   * assertEquals(q.getSync(), "a");
   * ```
   */
  putSync(item: T, block?: boolean, timeout?: number | null): void {
    const wait = checkQueueWait(`put to ${this.#label}`, block, timeout);
    const start = this.#backend.now();
    const took = this.#enterSync();
    try {
      if (this.#tryPut(item, wait.block)) return;
      this.#blockSync("put to", "full", wait, start, this.#notFull, (notified) => this.#tryPut(item, notified));
    } finally {
      if (took) this.#mutex.release();
    }
  }

  /**
   * Removes and returns the oldest item.
   *
   * Blocking (the default), it waits while the queue is empty, at most
   * `timeout` ms if given, and raises `Empty` if still empty by then.
   * Non-blocking, it returns an item only if one is there now and raises
   * `Empty` otherwise; the timeout is then ignored.
   *
   * @param block Whether to wait (default `true`), or `{ block, timeout, signal }`.
   * @param timeout Milliseconds to wait; omitted, `null` or `-1`: forever.
   * @returns The item.
   * @throws {Empty} If there is no item (non-blocking, or not within the timeout).
   * @throws {ShutDown} If the queue is shut down and empty, or becomes so while the call waits.
   * @throws {ValueError} If a blocking call's timeout is negative (other than -1).
   *
   * @example Getting with a timeout
   * ```ts
   * import { Empty, Queue } from "@locksmith/threading/queue";
   * import { assertEquals, assertRejects } from "@std/assert";
   *
   * const q = new Queue<string>();
   * await q.put("job");
   * assertEquals(await q.get(true, 100), "job");
   * await assertRejects(() => q.get(true, 10), Empty);
   * ```
   */
  get(block?: boolean, timeout?: number | null): Promise<T>;
  /**
   * Removes and returns the oldest item, with options `{ block, timeout, signal }`.
   *
   * @param options How to wait.
   * @returns The item.
   */
  get(options: QueueWaitOptions): Promise<T>;
  get(block?: boolean | QueueWaitOptions, timeout?: number | null): Promise<T> {
    const aborted = abortedSignal(block);
    if (aborted) return Promise.reject(aborted.reason);
    let wait: QueueWait;
    try {
      wait = checkQueueWait(`get from ${this.#label}`, block, timeout);
    } catch (error) {
      return Promise.reject(error);
    }
    const start = this.#backend.now();
    if (this.#backend.schedulingPoint === undefined && this.#mutex.acquireSync(false)) {
      let item: T | typeof MUST_WAIT;
      try {
        item = this.#tryGet(wait.block);
      } catch (error) {
        this.#mutex.release();
        return Promise.reject(error);
      }
      if (item !== MUST_WAIT) {
        this.#mutex.release();
        return Promise.resolve(item);
      }
      return this.#getWaiting(wait, start, true);
    }
    return this.#getWaiting(wait, start, false);
  }

  async #getWaiting(wait: QueueWait, start: number, locked: boolean): Promise<T> {
    if (!locked) await this.#mutex.acquire(wait.signal === undefined ? undefined : { signal: wait.signal });
    try {
      if (!locked) {
        const item = this.#tryGet(wait.block);
        if (item !== MUST_WAIT) return item;
      }
      const deadline = start + wait.timeout;
      for (;;) {
        const remaining = deadline - this.#backend.now();
        if (remaining <= 0) throw this.#empty();
        const notified = await this.#notEmpty.wait(conditionWait(remaining, wait.signal));
        const item = this.#tryGet(notified);
        if (item !== MUST_WAIT) return item;
      }
    } finally {
      this.#mutex.release();
    }
  }

  /**
   * Removes and returns an item without waiting: Python's `get_nowait`, the
   * same as `getSync(false)`.
   *
   * @returns The item.
   * @throws {Empty} If the queue is empty.
   * @throws {ShutDown} If the queue is shut down and empty.
   *
   * @example An empty queue
   * ```ts
   * import { Empty, Queue } from "@locksmith/threading/queue";
   * import { assertThrows } from "@std/assert";
   *
   * assertThrows(() => new Queue().getNowait(), Empty);
   * ```
   */
  getNowait(): T {
    return this.getSync(false);
  }

  /**
   * Removes and returns the oldest item, blocking the calling thread while
   * the queue is empty (see the class doc: on a queue whose items live in
   * this isolate, nothing can add one while it blocks).
   *
   * @param block Whether to wait (default `true`).
   * @param timeout Milliseconds to wait; omitted, `null` or `-1`: forever.
   * @returns The item.
   * @throws {Empty} If there is no item (non-blocking, or not within the timeout).
   * @throws {ShutDown} If the queue is shut down and empty.
   * @throws {DeadlockError} If it would wait forever where nothing can add an item.
   *
   * @example Without awaiting
   * ```ts
   * import { Empty, Queue } from "@locksmith/threading/queue";
   * import { assertEquals, assertThrows } from "@std/assert";
   *
   * const q = new Queue();
   * q.putSync(7);
   * assertEquals(q.getSync(), 7);
   * assertThrows(() => q.getSync(true, 5), Empty);
   * ```
   */
  getSync(block?: boolean, timeout?: number | null): T {
    const wait = checkQueueWait(`get from ${this.#label}`, block, timeout);
    const start = this.#backend.now();
    const took = this.#enterSync();
    try {
      const item = this.#tryGet(wait.block);
      if (item !== MUST_WAIT) return item;
      let got: T | typeof MUST_WAIT = MUST_WAIT;
      this.#blockSync("get from", "empty", wait, start, this.#notEmpty, (notified) => {
        got = this.#tryGet(notified);
        return got !== MUST_WAIT;
      });
      return got as T;
    } finally {
      if (took) this.#mutex.release();
    }
  }

  /**
   * Marks one item fetched by `get` as done. Consumers call it once per item
   * once its work is complete; when every item put has been marked done,
   * `join()` returns.
   *
   * @throws {ValueError} If called more times than items were put.
   *
   * @example Marking work done
   * ```ts
   * import { Queue } from "@locksmith/threading/queue";
   * import { assertThrows } from "@std/assert";
   *
   * const q = new Queue();
   * q.putNowait("job");
   * q.getNowait();
   * q.taskDone();
   * assertThrows(() => q.taskDone(), RangeError);
   * ```
   */
  taskDone(): void {
    const took = this.#enterSync();
    try {
      const unfinished = this.#cells.load(UNFINISHED) - 1;
      if (unfinished < 0) {
        throw new ValueError(`Cannot mark a task done on ${this.#label}: taskDone() called more times than put()`);
      }
      if (unfinished === 0) this.#allTasksDone.notifyAll();
      this.#cells.store(UNFINISHED, unfinished);
    } finally {
      if (took) this.#mutex.release();
    }
  }

  /**
   * Waits until every item put has been marked done with `taskDone()` (or
   * dropped by `shutdown(true)`). Python's `join` waits forever; a timeout
   * or signal may be given here.
   *
   * @param timeout Milliseconds, or `{ timeout, signal }`; omitted: forever.
   * @returns `true` once all tasks are done, `false` if the timeout elapsed first.
   * @throws {ValueError} If `timeout` is negative (other than -1).
   *
   * @example Waiting for the consumers
   * ```ts
   * import { Thread } from "@locksmith/threading";
   * import { Queue } from "@locksmith/threading/queue";
   * import { assertEquals } from "@std/assert";
   *
   * const q = new Queue<number>();
   * let total = 0;
   * const worker = new Thread({
   *   daemon: true,
   *   target: async () => {
   *     for (;;) {
   *       total += await q.get();
   *       q.taskDone();
   *     }
   *   },
   * });
   * worker.start();
   * for (const n of [1, 2, 3]) await q.put(n);
   * assertEquals(await q.join(), true);
   * assertEquals(total, 6);
   * q.shutdown(true); // ends the worker's get() with ShutDown
   * await worker.join();
   * ```
   */
  join(timeout?: number | WaitOptions | null): Promise<boolean> {
    const aborted = abortedSignal(timeout);
    if (aborted) return Promise.reject(aborted.reason);
    let wait: Wait;
    try {
      wait = checkWait(`join ${this.#label}`, timeout);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#backend.schedulingPoint === undefined && this.#cells.load(UNFINISHED) === 0) return RESOLVED_TRUE;
    return this.#joinWaiting(wait, this.#backend.now());
  }

  async #joinWaiting(wait: Wait, start: number): Promise<boolean> {
    await this.#mutex.acquire(wait.signal === undefined ? undefined : { signal: wait.signal });
    try {
      const deadline = start + wait.timeout;
      while (this.#cells.load(UNFINISHED) !== 0) {
        const remaining = deadline - this.#backend.now();
        if (remaining <= 0) return false;
        const notified = await this.#allTasksDone.wait(conditionWait(remaining, wait.signal));
        if (!notified) return this.#cells.load(UNFINISHED) === 0;
      }
      return true;
    } finally {
      this.#mutex.release();
    }
  }

  /**
   * Waits until every item put has been marked done, blocking the calling
   * thread (see the class doc).
   *
   * @param timeout Milliseconds; omitted: forever.
   * @returns `true` once all tasks are done, `false` if the timeout elapsed first.
   * @throws {DeadlockError} If it would wait forever where nothing can finish a task.
   *
   * @example Nothing to wait for
   * ```ts
   * import { Queue } from "@locksmith/threading/queue";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new Queue().joinSync(), true);
   * ```
   */
  joinSync(timeout?: number | null): boolean {
    const wait = checkWait(`join ${this.#label}`, timeout);
    const start = this.#backend.now();
    const took = this.#enterSync();
    try {
      if (this.#cells.load(UNFINISHED) === 0) return true;
      try {
        this.#blockSync("join", "", wait, start, this.#allTasksDone, () => this.#cells.load(UNFINISHED) === 0);
      } catch (error) {
        if (error instanceof Full) return false;
        throw error;
      }
      return true;
    } finally {
      if (took) this.#mutex.release();
    }
  }

  /**
   * Shuts the queue down (Python 3.13). Later `put`s raise `ShutDown`, and
   * so do `get`s once the queue is empty; blocked `put`s wake with
   * `ShutDown`, and blocked `get`s too when nothing is left for them.
   *
   * With `immediate`, the queued items are dropped (each counting as a task
   * done, so a `join()` waiting only on them returns) and every blocked
   * `get` raises `ShutDown` at once. Shutting down again is allowed, and
   * `immediate` may be added later.
   *
   * @param immediate Drop the queued items too (default `false`).
   * @throws {TypeError} If `immediate` is not a boolean.
   *
   * @example Draining after shutdown
   * ```ts
   * import { Queue, ShutDown } from "@locksmith/threading/queue";
   * import { assertEquals, assertRejects } from "@std/assert";
   *
   * const q = new Queue();
   * await q.put("last");
   * q.shutdown();
   * await assertRejects(() => q.put("more"), ShutDown);
   * assertEquals(await q.get(), "last");
   * await assertRejects(() => q.get(), ShutDown);
   * ```
   */
  shutdown(immediate: boolean = false): void {
    if (typeof immediate !== "boolean") {
      throw new TypeError(`Cannot shut down ${this.#label} as 'immediate' must be a boolean: received ${
        describe(immediate)
      }`);
    }
    const took = this.#enterSync();
    try {
      this.#cells.store(SHUTDOWN, 1);
      if (immediate) {
        const dropped = this.#storage.size;
        this.#storage.clear();
        this.#cells.store(UNFINISHED, Math.max(0, this.#cells.load(UNFINISHED) - dropped));
        this.#allTasksDone.notifyAll();
      }
      // Every waiter re-checks: getters raise ShutDown once nothing is left, putters at once.
      this.#notEmpty.notifyAll();
      this.#notFull.notifyAll();
    } finally {
      if (took) this.#mutex.release();
    }
  }

  /**
   * Describes the queue.
   *
   * @returns Such as `<Queue#3 size=2 maxsize=5>`.
   */
  toString(): string {
    const shut = this.isShutdown ? " shut down" : "";
    return `<${this.#label} size=${this.qsize()} maxsize=${this.maxsize}${shut}>`;
  }

  // Puts if there is room; says whether it did. Raises ShutDown, and Full
  // when there is no room and the caller may not (or may no longer) wait.
  #tryPut(item: T, block: boolean): boolean {
    if (this.#cells.load(SHUTDOWN) !== 0) throw new ShutDown(`Cannot put to ${this.#label}: it is shut down`);
    if (!this.#hasRoom()) {
      if (!block) throw this.#full();
      return false;
    }
    this.#storage.push(item);
    this.#cells.add(UNFINISHED, 1);
    this.#notEmpty.notify();
    return true;
  }

  // Gets an item if there is one. Raises ShutDown when shut down and empty,
  // and Empty when empty and the caller may not (or may no longer) wait.
  #tryGet(block: boolean): T | typeof MUST_WAIT {
    if (this.#storage.size > 0) {
      const item = this.#storage.pop();
      this.#notFull.notify();
      return item;
    }
    if (this.#cells.load(SHUTDOWN) !== 0) {
      throw new ShutDown(`Cannot get from ${this.#label}: it is shut down and empty`);
    }
    if (!block) throw this.#empty();
    return MUST_WAIT;
  }

  #hasRoom(): boolean {
    const maxsize = this.#cells.load(MAXSIZE);
    return maxsize <= 0 || this.#storage.size < maxsize;
  }

  #full(): Full {
    return new Full(`Cannot put to ${this.#label}: it is full (maxsize ${this.maxsize})`);
  }

  #empty(): Empty {
    return new Empty(`Cannot get from ${this.#label}: it is empty`);
  }

  // A synchronous call takes the lock only if it is free. Items that live in
  // this isolate are only touched by its tasks, which never hold the lock
  // across an await except inside a condition wait (which releases it): a
  // held lock then belongs to a waiter that has been handed it and has not
  // resumed, and the state is consistent. Blocking on it would deadlock.
  #enterSync(): boolean {
    if (!this.#storage.isolateLocal) {
      this.#mutex.acquireSync();
      return true;
    }
    return this.#mutex.acquireSync(false);
  }

  // The waiting part of a `...Sync` call, entered with the state checked
  // once. `attempt(notified)` retries and says whether it is done; it raises
  // Full/Empty once `notified` is false.
  #blockSync(
    verb: string,
    state: string,
    wait: QueueWait | Wait,
    start: number,
    condition: Condition,
    attempt: (notified: boolean) => boolean,
  ): void {
    const blocking = "block" in wait ? wait.block : wait.blocking;
    if (this.#storage.isolateLocal) {
      // Nothing in this isolate can run while we block: fail as a wait would.
      if (wait.timeout !== Infinity || !blocking) {
        if (!attempt(false)) throw this.#full();
        return;
      }
      throw new DeadlockError(
        `Cannot ${verb} ${this.#label} synchronously: it is ${state || "not done"} and the call would wait forever, and no other thread can run while this one blocks (the queue's items live in this isolate)`,
      );
    }
    const deadline = start + wait.timeout;
    for (;;) {
      const remaining = deadline - this.#backend.now();
      if (remaining <= 0 && !attempt(false)) throw this.#full();
      if (attempt(condition.waitSync(remaining === Infinity ? undefined : remaining))) return;
    }
  }

  #checkMaxsize(value: unknown, what: string): number {
    if (typeof value !== "number") {
      throw new TypeError(`Cannot ${what} ${this.#label} as 'maxsize' must be a number: received ${describe(value)}`);
    }
    if (value === Infinity) return 0;
    if (!Number.isInteger(value) || value > INT32_MAX || value < -INT32_MAX) {
      throw new ValueError(
        `Cannot ${what} ${this.#label} as 'maxsize' must be an integer up to ${INT32_MAX}, or Infinity: received ${value}`,
      );
    }
    return value;
  }
}
