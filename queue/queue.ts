/**
 * `Queue`: Python's `queue.Queue`, a multi-producer, multi-consumer FIFO
 * queue, and the algorithm `LifoQueue` and `PriorityQueue` share.
 *
 * CPython's `queue.py` is one mutex and three conditions (not empty, not
 * full, all tasks done). Here the queue is written like the library's
 * primitives, once over the kernel seam: its counters (unfinished tasks,
 * the shutdown flag, `maxsize`) live in cells, and each of the three
 * conditions is a cell that waiters park on, with a `validate` that
 * re-checks the state in the same step as the park. That matters here: a
 * synchronous call (`putNowait`, `taskDone`, `shutdown`) cannot wait for a
 * mutex in one isolate, and a notify made without the mutex could slip
 * between a `Condition.wait`'s check and its sleep and be lost. A woken
 * waiter re-checks the state, as after Python's `wait()`.
 *
 * The three conditions are `ConditionCell`s (`_condition_cell.ts`, with the
 * counted-in protocol that lets a put or get skip the parking lot when
 * nobody waits). The items live in a {@linkcode QueueStorage}, the one part
 * a shared queue swaps out (`_shared_queue.ts`: on first hand-over to
 * another thread, the items move into shared memory). Puts that wake
 * getters in batches, for the Worker pool, are `batched_puts.ts`.
 *
 * @module
 */
import type { Backend } from "../backends/types.ts";
import { Empty, Full, ShutDown, ValueError } from "../runtime/errors.ts";
import { Core, type CoreOptions, exposeHandle, REVIVE_AT } from "../primitives/core.ts";
import { type HandleFacts, registerShareable } from "../primitives/revive.ts";
import { describe } from "../runtime/describe.ts";
import { abortedSignal, checkWait, type Wait, type WaitOptions } from "../runtime/wait_options.ts";
import { checkQueueWait, type QueueWaitOptions } from "../runtime/queue_wait.ts";
import { ConditionCell } from "./_condition_cell.ts";
import {
  checkShared,
  moveToShared,
  notShareableReason,
  ringStorage,
  type SharedStorageMaker,
  SUBCLASS_NOT_SHAREABLE,
} from "./_shared_queue.ts";
import { FifoStorage, type QueueStorage } from "./_storage.ts";
import {
  checkQueueOptions,
  CORE_OPTIONS,
  type QueueOptions,
  SHARED_FACTS,
  SHARED_STORAGE,
  STORAGE,
} from "./_queue_options.ts";
import type { StorageOptions } from "./_queue_options.ts";

export type { QueueOptions };

/** The method that puts an item if there is room now, waking no getter; says whether it did (internal). */
export const PUT_QUIETLY: unique symbol = Symbol("put quietly");

/** The method that wakes up to `n` getters (internal: after puts made quietly). */
export const WAKE_GETTERS: unique symbol = Symbol("wake getters");

// Cells: three counters, then the three conditions' cells (each with its count, 3 cells on).
const UNFINISHED = 0;
const SHUTDOWN = 1;
const MAXSIZE = 2;
const NOT_EMPTY = 3;
const NOT_FULL = 4;
const ALL_DONE = 5;
const CELLS = 9;

const INT32_MAX = 2 ** 31 - 1;
const MUST_WAIT: unique symbol = Symbol("must wait");
const RESOLVED_VOID: Promise<void> = Promise.resolve();
const RESOLVED_TRUE: Promise<boolean> = Promise.resolve(true);

/**
 * A FIFO queue for handing items between threads (Python's `queue.Queue`).
 *
 * `put` adds an item, waiting while the queue is full (a queue with
 * `maxsize` of 0 or less is never full); `get` removes the oldest item,
 * waiting while the queue is empty. Either takes Python's `(block, timeout)`
 * (timeout in ms) or `{ block, timeout, signal }`; a non-blocking call (or a
 * timed one that runs out) raises {@linkcode Full} or {@linkcode Empty},
 * and ignores its timeout. Waiters are woken oldest first (a caller that
 * finds an item without having to wait may still take it first, as in
 * Python).
 *
 * Consumers call `taskDone()` once per item they finish; `join()` waits
 * until every item put has been marked done. `shutdown()` (Python 3.13)
 * makes later puts raise {@linkcode ShutDown}, and gets too once the queue
 * is empty; `shutdown(true)` also drops the queued items and wakes
 * `join()`. Threads blocked in `put` (and in `get`, once nothing is left)
 * wake with `ShutDown`.
 *
 * The `...Sync` twins block the calling thread. While a queue's items live
 * in this isolate, every thread that could make room or add an item is a
 * task of this isolate and cannot run while the caller blocks: a `...Sync`
 * call that would have to wait raises `Full`/`Empty` at once (non-blocking
 * or with a finite timeout) or `DeadlockError` (waiting forever).
 *
 * On the `atomics` backend a `Queue` is shareable: the first time it is
 * handed to another thread (as a `Thread` argument, or posted and
 * `revive`d) its items move into shared memory, and from then on it is the
 * same queue in every Worker that holds it. Items are then
 * structured-cloned in and out (an item that cannot be cloned is a
 * `TypeError`; identity is not kept), and `putSync`/`getSync` block until
 * another thread makes room or puts an item. `{ shared: true }` puts the
 * items in shared memory from the start, `{ shared: false }` keeps them in
 * this isolate for good. `LifoQueue` and `PriorityQueue` are shareable the
 * same way, with their order kept across every thread that holds them.
 *
 * @typeParam T The type of the items.
 *
 * @example A shared queue, as a Worker would see it
 * ```ts
 * import { revive } from "@locksmith/threading";
 * import { Queue } from "@locksmith/threading/queue";
 * import { assertEquals } from "@std/assert";
 *
 * const q = new Queue<{ n: number }>(8, { backend: "atomics" });
 * const inWorker = revive<Queue<{ n: number }>>(structuredClone(q)); // what postMessage would deliver
 * inWorker.putSync({ n: 1 });
 * assertEquals(q.getSync(), { n: 1 });
 * ```
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
  readonly #core: Core;
  // Swapped once, from this isolate's storage to one in shared memory, when a queue that may be
  // shared is first handed to another thread.
  #storage: QueueStorage<T>;
  // Python's three conditions.
  readonly #notEmpty: ConditionCell;
  readonly #notFull: ConditionCell;
  readonly #allTasksDone: ConditionCell;
  // The shared storage's first size for a queue that goes shared later (undefined: the default).
  readonly #sharedBytes: number | undefined;
  // Makes the shared storage; undefined if the queue can never be shared, and why in `#whyNot`.
  readonly #makeShared: SharedStorageMaker<T> | undefined;
  readonly #whyNot: string | undefined;
  // The getter behind the handle a structured clone would carry (one for all queues).
  static readonly #shareable: PropertyDescriptor = {
    enumerable: true,
    get(this: Queue) {
      // Handed to another thread: from now on the items live in shared memory.
      if (this.#storage.isolateLocal) {
        this.#storage = moveToShared(
          this.#storage,
          this.#core.label,
          () => this.#makeShared!(undefined, this.#sharedBytes),
        );
      }
      return this.#core.handle(this.#storage.facts);
    },
  };
  static readonly #notShareable: PropertyDescriptor = {
    enumerable: true,
    get(this: Queue) {
      const core = this.#core;
      throw new TypeError(
        `Cannot share ${core.label} with another thread: it keeps its items in the isolate that made it, as ${
          notShareableReason(core.backend, this.#whyNot)
        }`,
      );
    },
  };

  /**
   * Creates a queue.
   *
   * @param maxsize The most items it holds; 0 or less (or `Infinity`): no limit.
   * @param options `backend`: the backend whose parking lot its waiters use.
   * @throws {TypeError} If `maxsize` is not a number, or `options` is not an options object with only its keys.
   * @throws {ValueError} If `maxsize` is not an integer in the int32 range.
   */
  constructor(maxsize: number = 0, options?: QueueOptions) {
    const kind = new.target.name;
    const internal = options as StorageOptions<T> | undefined;
    const own = internal?.[STORAGE];
    // A subclass that brings its own storage has checked its options (with its own keys).
    if (own === undefined) checkQueueOptions(kind, options);
    const facts = internal?.[SHARED_FACTS];
    const core = this.#core = new Core(kind, CELLS, options, undefined, CORE_OPTIONS);
    const cells = core.cells;
    // A revived queue's cells are live: its maxsize is already there.
    if (facts === undefined) cells.store(MAXSIZE, this.#checkMaxsize(maxsize, "create"));
    // Queue itself keeps its items in a ring; the library's subclasses say how. (A handle names
    // the class, and a Worker revives only the library's.)
    const sharing = own === undefined
      ? (kind === "Queue" ? ringStorage : SUBCLASS_NOT_SHAREABLE)
      : internal?.[SHARED_STORAGE] ?? SUBCLASS_NOT_SHAREABLE;
    this.#makeShared = typeof sharing === "function" ? sharing : undefined;
    this.#whyNot = typeof sharing === "string" ? sharing : undefined;
    const shared = checkShared(kind, options, this.#whyNot, core.backend);
    this.#sharedBytes = options?.sharedBytes;
    this.#storage = facts !== undefined || shared === true
      ? this.#makeShared!(facts, this.#sharedBytes)
      : own ?? new FifoStorage<T>();
    this.#notEmpty = new ConditionCell(
      core,
      NOT_EMPTY,
      "get",
      () => this.#storage.size === 0 && cells.load(SHUTDOWN) === 0,
    );
    this.#notFull = new ConditionCell(core, NOT_FULL, "put", () => !this.#hasRoom() && cells.load(SHUTDOWN) === 0);
    this.#allTasksDone = new ConditionCell(core, ALL_DONE, "join", () => cells.load(UNFINISHED) !== 0);
    // Shareable: a kind that can be, on a backend with shared memory, unless made with { shared: false }.
    const shareable = this.#makeShared !== undefined && core.backend.capabilities.sharedMemory && shared !== false;
    exposeHandle(this, shareable ? Queue.#shareable : Queue.#notShareable);
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
    return this.#core.cells.load(MAXSIZE);
  }

  set maxsize(value: number) {
    const core = this.#core;
    core.cells.store(MAXSIZE, this.#checkMaxsize(value, "set maxsize of"));
    core.record("set maxsize");
    this.#notFull.wakeAll();
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
    return this.#core.cells.load(UNFINISHED);
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
    return this.#core.cells.load(SHUTDOWN) !== 0;
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
    return this.#core.backend;
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
    let wait: Wait;
    try {
      wait = checkQueueWait("put to", this.#core, block, timeout);
    } catch (error) {
      return Promise.reject(error);
    }
    const start = wait.blocking && wait.timeout !== Infinity ? this.#core.backend.now() : 0;
    const entered = this.#core.enter("put");
    if (entered !== undefined) {
      return entered.then(() => {
        if (!this.#tryPut(item, wait.blocking)) return this.#put(item, wait, start);
      });
    }
    try {
      if (this.#tryPut(item, wait.blocking)) return RESOLVED_VOID;
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#put(item, wait, start);
  }

  // The waiting part of `put`, entered with the state checked once.
  async #put(item: T, wait: Wait, start: number): Promise<void> {
    const core = this.#core;
    const deadline = start + wait.timeout;
    for (;;) {
      const remaining = deadline - core.backend.now();
      // Out of time: a last try, which raises Full if there is still no room.
      if (remaining <= 0 && this.#tryPut(item, false)) return;
      const notified = await this.#notFull.park(remaining, wait.signal);
      // A wait that timed out raises Full unless room appeared meanwhile.
      if (this.#tryPut(item, notified)) return;
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
    const wait = checkQueueWait("put to", this.#core, block, timeout);
    const start = wait.blocking && wait.timeout !== Infinity ? this.#core.backend.now() : 0;
    if (this.#tryPut(item, wait.blocking)) return;
    this.#blockSync(this.#notFull, wait.timeout, start, (notified) => this.#tryPut(item, notified));
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
    let wait: Wait;
    try {
      wait = checkQueueWait("get from", this.#core, block, timeout);
    } catch (error) {
      return Promise.reject(error);
    }
    const start = wait.blocking && wait.timeout !== Infinity ? this.#core.backend.now() : 0;
    const entered = this.#core.enter("get");
    if (entered !== undefined) {
      return entered.then(() => {
        const item = this.#tryGet(wait.blocking);
        return item !== MUST_WAIT ? item : this.#get(wait, start);
      });
    }
    let item: T | typeof MUST_WAIT;
    try {
      item = this.#tryGet(wait.blocking);
    } catch (error) {
      return Promise.reject(error);
    }
    return item !== MUST_WAIT ? Promise.resolve(item) : this.#get(wait, start);
  }

  // The waiting part of `get`, entered with the state checked once.
  async #get(wait: Wait, start: number): Promise<T> {
    const core = this.#core;
    const deadline = start + wait.timeout;
    for (;;) {
      const remaining = deadline - core.backend.now();
      if (remaining <= 0) return this.#tryGet(false) as T; // a last try: raises Empty if nothing came
      const notified = await this.#notEmpty.park(remaining, wait.signal);
      const item = this.#tryGet(notified);
      if (item !== MUST_WAIT) return item;
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
    const wait = checkQueueWait("get from", this.#core, block, timeout);
    const start = wait.blocking && wait.timeout !== Infinity ? this.#core.backend.now() : 0;
    const first = this.#tryGet(wait.blocking);
    if (first !== MUST_WAIT) return first;
    let item: T | typeof MUST_WAIT = MUST_WAIT;
    this.#blockSync(this.#notEmpty, wait.timeout, start, (notified) => {
      item = this.#tryGet(notified);
      return item !== MUST_WAIT;
    });
    return item as T;
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
    const core = this.#core;
    // A compare-and-swap: other Workers may be marking tasks done at once.
    let unfinished;
    do {
      unfinished = core.cells.load(UNFINISHED) - 1;
      if (unfinished < 0) {
        throw new ValueError(`Cannot mark a task done on ${core.label}: taskDone() called more times than put()`);
      }
    } while (!core.cells.cas(UNFINISHED, unfinished + 1, unfinished));
    core.record("taskDone");
    if (unfinished === 0) this.#allTasksDone.wakeAll();
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
      wait = checkWait(`join ${this.#core.label}`, timeout);
    } catch (error) {
      return Promise.reject(error);
    }
    const core = this.#core;
    const start = core.backend.now();
    const entered = core.enter("join");
    if (entered !== undefined) return entered.then(() => this.#join(wait, start));
    return core.cells.load(UNFINISHED) === 0 ? RESOLVED_TRUE : this.#join(wait, start);
  }

  async #join(wait: Wait, start: number): Promise<boolean> {
    const core = this.#core;
    const deadline = start + wait.timeout;
    while (core.cells.load(UNFINISHED) !== 0) {
      const remaining = deadline - core.backend.now();
      if (remaining <= 0) return false;
      const notified = await this.#allTasksDone.park(remaining, wait.signal);
      if (!notified) return core.cells.load(UNFINISHED) === 0;
    }
    return true;
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
    const cells = this.#core.cells;
    const wait = checkWait(`join ${this.#core.label}`, timeout);
    if (cells.load(UNFINISHED) === 0) return true;
    const done = () => cells.load(UNFINISHED) === 0;
    return this.#blockSync(this.#allTasksDone, wait.timeout, this.#core.backend.now(), done);
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
      throw new TypeError(
        `Cannot shut down ${this.#core.label} as 'immediate' must be a boolean: received ${describe(immediate)}`,
      );
    }
    const core = this.#core;
    this.#storage.lockPut?.();
    core.cells.store(SHUTDOWN, 1);
    this.#storage.unlockPut?.();
    core.record(immediate ? "shutdown immediate" : "shutdown");
    if (immediate) {
      const storage = this.#storage;
      storage.lockPut?.();
      storage.lockGet?.();
      const dropped = storage.size;
      storage.clear();
      storage.unlockGet?.();
      storage.unlockPut?.();
      for (let seen = core.cells.load(UNFINISHED); !core.cells.cas(UNFINISHED, seen, Math.max(0, seen - dropped));) {
        seen = core.cells.load(UNFINISHED);
      }
      this.#allTasksDone.wakeAll();
    }
    // Every waiter re-checks: getters raise ShutDown once nothing is left, putters at once.
    this.#notEmpty.wakeAll();
    this.#notFull.wakeAll();
  }

  /**
   * Describes the queue.
   *
   * @returns Such as `<Queue#3 size=2 maxsize=5>`.
   */
  toString(): string {
    const shut = this.isShutdown ? " shut down" : "";
    return `<${this.#core.label} size=${this.qsize()} maxsize=${this.maxsize}${shut}>`;
  }

  // Puts if there is room; says whether it did. Raises ShutDown, and Full
  // when there is no room and the caller may not (or may no longer) wait.
  #tryPut(item: T, block: boolean, wake: boolean = true): boolean {
    const core = this.#core;
    const storage = this.#storage;
    storage.prepare?.(item);
    storage.lockPut?.();
    let pushed = false;
    let counted = false;
    try {
      // Checked under the lock: a shared queue's shutdown takes it too, so no item slips in after (and the
      // lock orders the flag: read without a fence).
      if (core.cells.loadRelaxed(SHUTDOWN) !== 0) throw new ShutDown(`Cannot put to ${core.label}: it is shut down`);
      // A guess of the bound is enough here: a putter told "full" waits on `notFull`, whose predicate
      // (`#hasRoom()`) reads it atomically.
      if (this.#hasRoom(core.cells.loadRelaxed(MAXSIZE))) {
        // Counted before the item shows: a shared queue's consumer (which does not take
        // this lock) may take it and call taskDone() at once.
        core.cells.add(UNFINISHED, 1);
        counted = true;
        // push may throw (an item a priority queue cannot order or a shared ring cannot clone)
        storage.push(item);
        pushed = true;
      }
    } finally {
      // Not put after all: uncount it (waking join() if that was the last task).
      if (counted && !pushed && core.cells.add(UNFINISHED, -1) === 1) this.#allTasksDone.wakeAll();
      storage.unlockPut?.();
    }
    if (!pushed) {
      if (!block) throw this.#full();
      return false;
    }
    core.record("put");
    if (wake) this.#notEmpty.wake(1);
    return true;
  }

  /**
   * Puts an item if there is room now, waking no getter (internal: for
   * `batched_puts.ts`, which wakes getters in groups).
   *
   * @param item The item.
   * @returns Whether it was put (`false`: the queue is full).
   * @throws {ShutDown} If the queue is shut down.
   */
  [PUT_QUIETLY](item: T): boolean {
    return this.#tryPut(item, true, false);
  }

  /**
   * Wakes up to `n` getters (internal: after puts made with `PUT_QUIETLY`).
   *
   * @param n How many.
   */
  [WAKE_GETTERS](n: number): void {
    this.#notEmpty.wake(n);
  }

  // Gets an item if there is one. Raises ShutDown when shut down and empty,
  // and Empty when empty and the caller may not (or may no longer) wait.
  #tryGet(block: boolean): T | typeof MUST_WAIT {
    const core = this.#core;
    const storage = this.#storage;
    let item: T | typeof MUST_WAIT = MUST_WAIT;
    let shut = false;
    storage.lockGet?.();
    try {
      if (storage.size > 0) item = storage.pop();
      else shut = core.cells.load(SHUTDOWN) !== 0;
    } finally {
      storage.unlockGet?.();
    }
    if (item !== MUST_WAIT) {
      core.record("get");
      this.#notFull.wake(1);
      return item;
    }
    if (shut) {
      throw new ShutDown(`Cannot get from ${core.label}: it is shut down and empty`);
    }
    if (!block) throw this.#empty();
    return MUST_WAIT;
  }

  // Whether a put fits under `maxsize` (by default read atomically, as a wait's predicate must).
  #hasRoom(maxsize: number = this.#core.cells.load(MAXSIZE)): boolean {
    return maxsize <= 0 || this.#storage.size < maxsize;
  }

  #full(): Full {
    return new Full(`Cannot put to ${this.#core.label}: it is full (maxsize ${this.maxsize})`);
  }

  #empty(): Empty {
    return new Empty(`Cannot get from ${this.#core.label}: it is empty`);
  }

  // The waiting part of a `...Sync` call, entered with the state checked
  // once. `attempt(notified)` retries and says whether it is done; a put or
  // get raises Full/Empty itself once `notified` is false. Returns false if
  // the time ran out.
  #blockSync(
    condition: ConditionCell,
    timeout: number,
    start: number,
    attempt: (notified: boolean) => boolean,
  ): boolean {
    const backend = this.#core.backend;
    const deadline = start + timeout;
    for (;;) {
      const remaining = deadline - backend.now();
      if (remaining <= 0) return attempt(false);
      // While the items live in this isolate, nothing that could change the state can run while this blocks.
      if (attempt(condition.parkSync(remaining, this.#storage.isolateLocal))) return true;
    }
  }

  #checkMaxsize(value: unknown, what: string): number {
    if (typeof value !== "number") {
      throw new TypeError(
        `Cannot ${what} ${this.#core.label} as 'maxsize' must be a number: received ${describe(value)}`,
      );
    }
    if (value === Infinity) return 0;
    if (!Number.isInteger(value) || value > INT32_MAX || value < -INT32_MAX) {
      throw new ValueError(
        `Cannot ${what} ${this.#core.label} as 'maxsize' must be an integer up to ${INT32_MAX}, or Infinity: received ${value}`,
      );
    }
    return value;
  }
}

/**
 * Re-makes a shared queue over a handle's cells and storage (what `revive`
 * does with a `Queue` handle; a `SimpleQueue` is one over such a queue).
 *
 * @param backend The backend the handle names.
 * @param facts The handle's facts: `ring`, the shared ring.
 * @param at Where the queue's cells are.
 * @returns The queue.
 */
export function reviveQueue<T>(backend: Backend, facts: HandleFacts, at: unknown): Queue<T> {
  return new Queue<T>(0, revivedOptions(backend, facts, at));
}

/**
 * The options that re-make a queue of any of the library's kinds over a
 * handle's cells and storage (internal: for the kinds' revivers).
 *
 * @param backend The backend the handle names.
 * @param facts The handle's facts: the storage's buffers.
 * @param at Where the queue's cells are.
 * @returns The options.
 */
export function revivedOptions(backend: Backend, facts: HandleFacts, at: unknown): QueueOptions {
  return { backend, [SHARED_FACTS]: facts, [REVIVE_AT]: at } as StorageOptions<unknown> & CoreOptions;
}

registerShareable("Queue", Queue, reviveQueue);
