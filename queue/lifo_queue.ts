/**
 * `LifoQueue`: Python's `queue.LifoQueue`.
 *
 * @module
 */
import { LifoStorage } from "./_storage.ts";
import { checkQueueOptions, Queue, type QueueOptions, STORAGE, type StorageOptions } from "./queue.ts";

/**
 * A last-in, first-out queue (a stack) for handing items between threads
 * (Python's `queue.LifoQueue`): `get` returns the item put most recently.
 * Everything else is as {@linkcode Queue}, which it extends.
 *
 * @typeParam T The type of the items.
 *
 * @example Newest first
 * ```ts
 * import { LifoQueue } from "@locksmith/threading/queue";
 * import { assertEquals } from "@std/assert";
 *
 * const q = new LifoQueue<number>();
 * for (const n of [1, 2, 3]) await q.put(n);
 * assertEquals([await q.get(), await q.get(), await q.get()], [3, 2, 1]);
 * ```
 */
export class LifoQueue<T = unknown> extends Queue<T> {
  /**
   * Creates a LIFO queue.
   *
   * @param maxsize The most items it holds; 0 or less (or `Infinity`): no limit.
   * @param options `backend`: the backend of its lock and conditions.
   */
  constructor(maxsize: number = 0, options?: QueueOptions) {
    checkQueueOptions("LifoQueue", options);
    super(maxsize, { ...options, [STORAGE]: new LifoStorage<T>() } as StorageOptions<T>);
  }
}
