/**
 * `SimpleQueue`: Python's `queue.SimpleQueue`.
 *
 * @module
 */
import { getBackend } from "../backends/mod.ts";
import type { Backend } from "../backends/types.ts";
import { DeadlockError, Empty } from "../runtime/errors.ts";
import { Semaphore } from "../primitives/semaphore.ts";
import { abortedSignal } from "../runtime/wait_options.ts";
import { checkQueueWait, type QueueWait, type QueueWaitOptions } from "./_queue_wait.ts";
import { FifoStorage } from "./_storage.ts";
import { checkQueueOptions, Queue, type QueueOptions, reviveQueue } from "./queue.ts";
import { registerShareable } from "../primitives/revive.ts";
import { exposeHandle, HANDLE_KEY } from "../primitives/core.ts";

const RESOLVED_VOID: Promise<void> = Promise.resolve();
let serial = 0;
// The Queue a revived SimpleQueue is made over (internal option).
const OVER: unique symbol = Symbol("SimpleQueue over a Queue");
// The count of a SimpleQueue whose items are in a Queue.
const NO_COUNT = new Semaphore(0, { backend: "async" });

/**
 * A SimpleQueue over a shared Queue that arrived from another thread (how
 * `revive` rebuilds one; internal).
 *
 * @param queue The revived queue.
 * @returns The SimpleQueue.
 */
export function simpleQueueOver<T>(queue: Queue<T>): SimpleQueue<T> {
  return new SimpleQueue<T>({ backend: queue.backend, [OVER]: queue } as QueueOptions);
}

/**
 * An unbounded FIFO queue without task tracking (Python's
 * `queue.SimpleQueue`): `put` never waits, `get` waits for an item. It has
 * no `maxsize`, `taskDone`, `join` or `shutdown`, and costs less than a
 * {@linkcode Queue}. Getters are served oldest first.
 *
 * `put` takes (and ignores) `block` and `timeout`, so code written for
 * `Queue` runs with it. As with `Queue`, while the items live in this
 * isolate a `getSync` that would have to wait raises `Empty` at once
 * (non-blocking or finite timeout) or `DeadlockError` (waiting forever).
 *
 * On the `atomics` backend a SimpleQueue is shareable as a `Queue` is (its
 * items are kept by one): handed to a Worker, it is the same queue there,
 * with items structured-cloned through shared memory.
 *
 * @typeParam T The type of the items.
 *
 * @example Results from several threads
 * ```ts
 * import { Thread } from "@locksmith/threading";
 * import { SimpleQueue } from "@locksmith/threading/queue";
 * import { assertEquals } from "@std/assert";
 *
 * const results = new SimpleQueue<number>();
 * const threads = [1, 2, 3].map((n) => new Thread({ target: () => results.put(n * n) }));
 * threads.forEach((t) => t.start());
 * const got = [await results.get(), await results.get(), await results.get()];
 * for (const t of threads) await t.join();
 * assertEquals(got.sort(), [1, 4, 9]);
 * ```
 */
export class SimpleQueue<T = unknown> {
  readonly #storage = new FifoStorage<T>();
  readonly #count: Semaphore;
  readonly #backend: Backend;
  readonly #label: string;
  readonly #subject: { readonly label: string };
  readonly #fast: boolean;
  // On a backend with shared memory: the Queue that holds the items, so that the
  // SimpleQueue can be handed to Workers (see Queue); every call goes to it.
  readonly #queue: Queue<T> | undefined;
  static readonly #shareable: PropertyDescriptor = {
    enumerable: true,
    get(this: SimpleQueue) {
      // The handle of the Queue under it, named as a SimpleQueue so that it revives as one.
      const handle = (this.#queue as unknown as Record<string, object>)[HANDLE_KEY];
      return { ...handle, kind: "SimpleQueue" };
    },
  };
  static readonly #notShareable: PropertyDescriptor = {
    enumerable: true,
    get(this: SimpleQueue) {
      throw new TypeError(
        `Cannot share ${this.#label} with another thread: it keeps its items in the isolate that made it, as the '${this.#backend.name}' backend has no shared memory (make it with { backend: "atomics" })`,
      );
    },
  };

  /**
   * Creates an empty queue.
   *
   * @param options `backend`: the backend of its semaphore.
   */
  constructor(options?: QueueOptions) {
    checkQueueOptions("SimpleQueue", options);
    this.#label = `SimpleQueue#${++serial}`;
    this.#subject = { label: this.#label };
    this.#backend = getBackend(options?.backend);
    this.#fast = this.#backend.schedulingPoint === undefined;
    const over = (options as { [OVER]?: Queue<T> } | undefined)?.[OVER];
    if (over !== undefined || this.#backend.capabilities.sharedMemory) {
      this.#queue = over ??
        new Queue<T>(0, { ...options, backend: this.#backend });
      this.#count = NO_COUNT; // unused: the queue counts its items
      exposeHandle(this, SimpleQueue.#shareable);
      return;
    }
    this.#count = new Semaphore(0, { backend: this.#backend });
    if (options?.shared === true) {
      throw new TypeError(
        `Cannot create SimpleQueue with 'shared' on the '${this.#backend.name}' backend: it has no shared memory (use { backend: "atomics" })`,
      );
    }
    exposeHandle(this, SimpleQueue.#notShareable);
  }

  /**
   * The queue's backend.
   *
   * @example The default backend
   * ```ts
   * import { SimpleQueue } from "@locksmith/threading/queue";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new SimpleQueue().backend.name, "async");
   * ```
   */
  get backend(): Backend {
    return this.#backend;
  }

  /**
   * Puts an item; it never waits. `block` and `timeout` are accepted for
   * compatibility with `Queue` and ignored, as in Python.
   *
   * @param item The item.
   * @param _block Ignored.
   * @param _timeout Ignored.
   * @returns A resolved promise.
   *
   * @example Putting
   * ```ts
   * import { SimpleQueue } from "@locksmith/threading/queue";
   * import { assertEquals } from "@std/assert";
   *
   * const q = new SimpleQueue();
   * await q.put("a");
   * assertEquals(q.qsize(), 1);
   * ```
   */
  put(item: T, _block?: boolean | QueueWaitOptions, _timeout?: number | null): Promise<void> {
    const aborted = abortedSignal(_block);
    if (aborted) return Promise.reject(aborted.reason);
    try {
      this.putSync(item);
    } catch (error) {
      return Promise.reject(error);
    }
    return RESOLVED_VOID;
  }

  /**
   * Puts an item: the same as `put`, without a promise.
   *
   * @param item The item.
   * @param _block Ignored.
   * @param _timeout Ignored.
   *
   * @example Putting synchronously
   * ```ts
   * import { SimpleQueue } from "@locksmith/threading/queue";
   * import { assertEquals } from "@std/assert";
   *
   * const q = new SimpleQueue();
   * q.putSync(1);
   * assertEquals(q.getNowait(), 1);
   * ```
   */
  putSync(item: T, _block?: boolean, _timeout?: number | null): void {
    if (this.#queue !== undefined) return this.#queue.putSync(item);
    this.#storage.push(item);
    this.#count.release();
  }

  /**
   * Puts an item: Python's `put_nowait`, the same as `putSync`.
   *
   * @param item The item.
   *
   * @example Putting without waiting
   * ```ts
   * import { SimpleQueue } from "@locksmith/threading/queue";
   * import { assertEquals } from "@std/assert";
   *
   * const q = new SimpleQueue();
   * q.putNowait("x");
   * assertEquals(q.empty(), false);
   * ```
   */
  putNowait(item: T): void {
    this.putSync(item);
  }

  /**
   * Removes and returns the oldest item, waiting while the queue is empty
   * (at most `timeout` ms if given). Non-blocking, it returns an item only
   * if one is there now; the timeout is then ignored.
   *
   * @param block Whether to wait (default `true`), or `{ block, timeout, signal }`.
   * @param timeout Milliseconds to wait; omitted, `null` or `-1`: forever.
   * @returns The item.
   * @throws {Empty} If there is no item (non-blocking, or not within the timeout).
   * @throws {ValueError} If a blocking call's timeout is negative (other than -1).
   *
   * @example Waiting at most 10 ms
   * ```ts
   * import { Empty, SimpleQueue } from "@locksmith/threading/queue";
   * import { assertRejects } from "@std/assert";
   *
   * await assertRejects(() => new SimpleQueue().get(true, 10), Empty);
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
    const queue = this.#queue;
    if (queue !== undefined) {
      // No task accounting in a SimpleQueue: each item is done as it is taken.
      return queue.get(block as boolean, timeout).then((item) => {
        queue.taskDone();
        return item;
      });
    }
    let wait: QueueWait;
    try {
      wait = checkQueueWait("get from", this.#subject, block, timeout);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#fast && this.#count.value > 0) {
      this.#count.acquireSync(); // a permit is free: this cannot wait
      return Promise.resolve(this.#storage.pop());
    }
    const acquired = wait.block
      ? this.#count.acquire({ timeout: wait.timeout === Infinity ? undefined : wait.timeout, signal: wait.signal })
      : this.#count.acquire({ blocking: false, signal: wait.signal });
    return acquired.then((ok) => {
      if (!ok) throw this.#empty();
      return this.#storage.pop();
    });
  }

  /**
   * Removes and returns an item without waiting: Python's `get_nowait`.
   *
   * @returns The item.
   * @throws {Empty} If the queue is empty.
   *
   * @example An empty queue
   * ```ts
   * import { Empty, SimpleQueue } from "@locksmith/threading/queue";
   * import { assertThrows } from "@std/assert";
   *
   * assertThrows(() => new SimpleQueue().getNowait(), Empty);
   * ```
   */
  getNowait(): T {
    return this.getSync(false);
  }

  /**
   * Removes and returns the oldest item, blocking the calling thread while
   * the queue is empty; as the items live in this isolate, nothing can add
   * one meanwhile (see the class doc).
   *
   * @param block Whether to wait (default `true`).
   * @param timeout Milliseconds to wait; omitted, `null` or `-1`: forever.
   * @returns The item.
   * @throws {Empty} If there is no item (non-blocking, or with a timeout).
   * @throws {DeadlockError} If it would wait forever.
   *
   * @example Getting synchronously
   * ```ts
   * import { SimpleQueue } from "@locksmith/threading/queue";
   * import { assertEquals } from "@std/assert";
   *
   * const q = new SimpleQueue();
   * q.putSync("a");
   * assertEquals(q.getSync(), "a");
   * ```
   */
  getSync(block?: boolean, timeout?: number | null): T {
    const queue = this.#queue;
    if (queue !== undefined) {
      const item = queue.getSync(block, timeout);
      queue.taskDone();
      return item;
    }
    const wait = checkQueueWait("get from", this.#subject, block, timeout);
    if (this.#count.value > 0) {
      this.#count.acquireSync();
      return this.#storage.pop();
    }
    if (!wait.block || wait.timeout !== Infinity) throw this.#empty();
    throw new DeadlockError(
      `Cannot get from ${this.#label} synchronously: it is empty and the call would wait forever, and no other thread can run while this one blocks (the queue's items live in this isolate)`,
    );
  }

  /**
   * Whether the queue holds no item now (items already promised to a
   * waiting `get` are not counted).
   *
   * @returns `true` if empty.
   *
   * @example A new queue
   * ```ts
   * import { SimpleQueue } from "@locksmith/threading/queue";
   * import { assertEquals } from "@std/assert";
   *
   * assertEquals(new SimpleQueue().empty(), true);
   * ```
   */
  empty(): boolean {
    return this.qsize() === 0;
  }

  /**
   * The number of items queued now and not yet promised to a waiting `get`.
   *
   * @returns The number of items.
   *
   * @example Two items
   * ```ts
   * import { SimpleQueue } from "@locksmith/threading/queue";
   * import { assertEquals } from "@std/assert";
   *
   * const q = new SimpleQueue();
   * q.putNowait(1);
   * q.putNowait(2);
   * assertEquals(q.qsize(), 2);
   * ```
   */
  qsize(): number {
    return this.#queue !== undefined ? this.#queue.qsize() : this.#count.value;
  }

  /**
   * Describes the queue.
   *
   * @returns Such as `<SimpleQueue#2 size=3>`.
   */
  toString(): string {
    return `<${this.#label} size=${this.qsize()}>`;
  }

  #empty(): Empty {
    return new Empty(`Cannot get from ${this.#label}: it is empty`);
  }
}

registerShareable("SimpleQueue", SimpleQueue, (backend, facts, at) => simpleQueueOver(reviveQueue(backend, facts, at)));
