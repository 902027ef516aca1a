/**
 * `SimpleQueue`: Python's `queue.SimpleQueue`, as one of two small classes
 * chosen once, when the queue is made:
 *
 * - where the items can live only in this isolate (`async`, `cooperative`),
 *   CPython's `_PySimpleQueue`: a FIFO of items and a counter of permits
 *   (`primitives/permits.ts`), one permit per item;
 * - on a backend with shared memory (`atomics`), a `Queue` with `taskDone`
 *   folded into every get, so that it can be handed to Workers as a
 *   `Queue` is.
 *
 * @module
 */
import { getBackend } from "../backends/mod.ts";
import type { Backend } from "../backends/types.ts";
import { Empty } from "../runtime/errors.ts";
import { abortedSignal } from "../runtime/wait_options.ts";
import { exposeHandle, HANDLE_KEY } from "../primitives/core.ts";
import { Permits } from "../primitives/permits.ts";
import { registerShareable } from "../primitives/revive.ts";
import { checkQueueWait, type QueueWaitOptions } from "../runtime/queue_wait.ts";
import { FifoStorage } from "./_storage.ts";
import { checkQueueOptions } from "./_queue_options.ts";
import { Queue, type QueueOptions, reviveQueue } from "./queue.ts";

const RESOLVED_VOID: Promise<void> = Promise.resolve();
let sharedSerial = 0;
// The Queue a revived SimpleQueue is made over (internal option).
const OVER: unique symbol = Symbol("SimpleQueue over a Queue");

/** What both kinds of SimpleQueue do; arguments are checked by each (a shared one's by its Queue). */
interface SimpleQueueKind<T> {
  readonly label: string;
  readonly size: number;
  put(item: T): void;
  get(block: boolean | QueueWaitOptions | undefined, timeout: number | null | undefined): Promise<T>;
  getSync(block: boolean | undefined, timeout: number | null | undefined): T;
}

// CPython's `_PySimpleQueue`: the items, and a permit per item.
class LocalSimpleQueue<T> implements SimpleQueueKind<T> {
  readonly #items = new FifoStorage<T>();
  readonly #count: Permits;

  constructor(backend: Backend) {
    this.#count = new Permits("SimpleQueue", 0, { backend }, "get");
  }

  get label(): string {
    return this.#count.label;
  }

  // The items put and not yet taken, as `_PySimpleQueue.qsize()` counts them: one that a put has handed to a
  // waiting getter (with its permit) is still there until that getter runs.
  get size(): number {
    return this.#items.size;
  }

  put(item: T): void {
    this.#items.push(item);
    this.#count.release(1);
    this.#count.record("put");
  }

  get(block: boolean | QueueWaitOptions | undefined, timeout: number | null | undefined): Promise<T> {
    let wait;
    try {
      wait = checkQueueWait("get from", this.#count, block, timeout);
    } catch (error) {
      return Promise.reject(error);
    }
    const entered = this.#count.enter("get");
    return entered === undefined ? this.#take(wait) : entered.then(() => this.#take(wait));
  }

  #take(wait: Parameters<Permits["acquire"]>[0]): Promise<T> {
    // An item is there: take it without a round through the parking lot.
    if (this.#count.tryAcquire()) return Promise.resolve(this.#items.pop());
    return this.#count.acquire(wait).then((ok) => {
      if (!ok) throw this.#empty();
      return this.#items.pop();
    });
  }

  getSync(block: boolean | undefined, timeout: number | null | undefined): T {
    // Nothing can put while this isolate blocks: the wait ends at once (Empty) or is a deadlock.
    if (this.#count.acquireSync(checkQueueWait("get from", this.#count, block, timeout))) return this.#items.pop();
    throw this.#empty();
  }

  #empty(): Empty {
    return new Empty(`Cannot get from ${this.label}: it is empty`);
  }
}

// A Queue whose every get marks its task done at once: no task accounting in a SimpleQueue.
class SharedSimpleQueue<T> implements SimpleQueueKind<T> {
  readonly label = `SimpleQueue#${++sharedSerial}`;

  constructor(readonly queue: Queue<T>) {}

  get size(): number {
    return this.queue.qsize();
  }

  put(item: T): void {
    this.queue.putSync(item);
  }

  get(block: boolean | QueueWaitOptions | undefined, timeout: number | null | undefined): Promise<T> {
    return this.queue.get(block as boolean, timeout).then((item) => {
      this.queue.taskDone();
      return item;
    });
  }

  getSync(block: boolean | undefined, timeout: number | null | undefined): T {
    const item = this.queue.getSync(block, timeout);
    this.queue.taskDone();
    return item;
  }
}

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
  readonly #backend: Backend;
  // Chosen once, by where the items can live.
  readonly #kind: SimpleQueueKind<T>;
  static readonly #shareable: PropertyDescriptor = {
    enumerable: true,
    get(this: SimpleQueue) {
      // The handle of the Queue under it, named as a SimpleQueue so that it revives as one.
      const queue = (this.#kind as SharedSimpleQueue<unknown>).queue as unknown as Record<string, object>;
      return { ...queue[HANDLE_KEY], kind: "SimpleQueue" };
    },
  };
  static readonly #notShareable: PropertyDescriptor = {
    enumerable: true,
    get(this: SimpleQueue) {
      throw new TypeError(
        `Cannot share ${this.#kind.label} with another thread: it keeps its items in the isolate that made it, as the '${this.#backend.name}' backend has no shared memory (make it with { backend: "atomics" })`,
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
    const backend = this.#backend = getBackend(options?.backend);
    const over = (options as { [OVER]?: Queue<T> } | undefined)?.[OVER];
    if (over !== undefined || backend.capabilities.sharedMemory) {
      this.#kind = new SharedSimpleQueue(over ?? new Queue<T>(0, { ...options, backend }));
      exposeHandle(this, SimpleQueue.#shareable);
      return;
    }
    if (options?.shared === true) {
      throw new TypeError(
        `Cannot create SimpleQueue with 'shared' on the '${backend.name}' backend: it has no shared memory (use { backend: "atomics" })`,
      );
    }
    this.#kind = new LocalSimpleQueue(backend);
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
      this.#kind.put(item);
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
    this.#kind.put(item);
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
    this.#kind.put(item);
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
    return this.#kind.get(block, timeout);
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
    return this.#kind.getSync(false, undefined);
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
    return this.#kind.getSync(block, timeout);
  }

  /**
   * Whether the queue holds no item now: `qsize() === 0` (an item a put
   * handed to a waiting `get` counts until that get returns it).
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
    return this.#kind.size === 0;
  }

  /**
   * The number of items put and not yet taken, as Python's `qsize()` counts
   * them (and as a shared `SimpleQueue` on `atomics` does): an item a put
   * handed to a waiting `get` counts until that get returns it.
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
    return this.#kind.size;
  }

  /**
   * Describes the queue.
   *
   * @returns Such as `<SimpleQueue#2 size=3>`.
   */
  toString(): string {
    return `<${this.#kind.label} size=${this.#kind.size}>`;
  }
}

registerShareable("SimpleQueue", SimpleQueue, (backend, facts, at) => simpleQueueOver(reviveQueue(backend, facts, at)));
