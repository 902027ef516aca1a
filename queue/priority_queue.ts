/**
 * `PriorityQueue`: Python's `queue.PriorityQueue`.
 *
 * @module
 */
import { describe } from "../runtime/describe.ts";
import { registerShareable } from "../primitives/revive.ts";
import { HeapStorage } from "./_heap_storage.ts";
import { heapStorage, SUBCLASS_NOT_SHAREABLE } from "./_shared_queue.ts";
import { compareLikePython } from "./python_order.ts";
import { checkQueueOptions, SHARED_STORAGE, STORAGE, type StorageOptions } from "./_queue_options.ts";
import { Queue, type QueueOptions, revivedOptions } from "./queue.ts";

// Why one with a comparator of its own cannot be handed to another thread.
const OWN_COMPARE =
  "its 'compare' function cannot reach another thread (a PriorityQueue in the default order, Python's, can be shared)";

/** The options of a `PriorityQueue`. */
export interface PriorityQueueOptions<T> extends QueueOptions {
  /**
   * Orders the items: negative if `a` comes out before `b`. The default,
   * {@linkcode compareLikePython}, orders numbers, strings and arrays of them
   * (`[priority, data]` entries) as Python orders its tuples.
   */
  compare?: (a: T, b: T) => number;
}

/**
 * A queue that hands out its smallest item first (Python's
 * `queue.PriorityQueue`), typically `[priority, data]` entries. Items are
 * ordered by the `compare` option, by default as Python's `<` orders them
 * (see {@linkcode compareLikePython}); items it cannot order are refused by
 * `put` with a `TypeError`, leaving the queue unchanged. Items that compare
 * equal come out in no particular order, as in Python. Everything else is
 * as {@linkcode Queue}, which it extends: on `atomics` one in the default
 * order can be handed to Workers, and it is the same heap in each of them
 * (one with a `compare` function of its own cannot: a function does not
 * reach another thread).
 *
 * @typeParam T The type of the items.
 *
 * @example Jobs by priority
 * ```ts
 * import { PriorityQueue } from "@locksmith/threading/queue";
 * import { assertEquals } from "@std/assert";
 *
 * const q = new PriorityQueue<[number, string]>();
 * await q.put([3, "low"]);
 * await q.put([1, "urgent"]);
 * await q.put([2, "normal"]);
 * assertEquals((await q.get())[1], "urgent");
 * assertEquals((await q.get())[1], "normal");
 * ```
 *
 * @example A comparator of your own
 * ```ts
 * import { PriorityQueue } from "@locksmith/threading/queue";
 * import { assertEquals } from "@std/assert";
 *
 * const q = new PriorityQueue<{ due: Date }>(0, { compare: (a, b) => a.due.getTime() - b.due.getTime() });
 * q.putNowait({ due: new Date(2030, 0, 2) });
 * q.putNowait({ due: new Date(2030, 0, 1) });
 * assertEquals(q.getNowait().due.getDate(), 1);
 * ```
 */
export class PriorityQueue<T = unknown> extends Queue<T> {
  /**
   * Creates a priority queue.
   *
   * @param maxsize The most items it holds; 0 or less (or `Infinity`): no limit.
   * @param options `backend`, and `compare` to order the items.
   * @throws {TypeError} If `compare` is given and is not a function, or an option is unknown.
   */
  constructor(maxsize: number = 0, options?: PriorityQueueOptions<T>) {
    checkQueueOptions("PriorityQueue", options, ["compare"]);
    const compare = options?.compare ?? compareLikePython;
    if (typeof compare !== "function") {
      throw new TypeError(`Cannot create PriorityQueue as 'compare' must be a function: received ${describe(compare)}`);
    }
    // In shared memory, a heap; the default order is the one every thread can have.
    const sharing = new.target !== PriorityQueue
      ? SUBCLASS_NOT_SHAREABLE
      : compare === compareLikePython
      ? heapStorage<T>(compare)
      : OWN_COMPARE;
    super(
      maxsize,
      { ...options, [STORAGE]: new HeapStorage<T>(compare), [SHARED_STORAGE]: sharing } as StorageOptions<T>,
    );
  }
}

registerShareable(
  "PriorityQueue",
  PriorityQueue,
  (backend, facts, at) => new PriorityQueue(0, revivedOptions(backend, facts, at)),
);
