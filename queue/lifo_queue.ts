/**
 * `LifoQueue`: Python's `queue.LifoQueue`.
 *
 * @module
 */
import { registerShareable } from "../primitives/revive.ts";
import { stackStorage, SUBCLASS_NOT_SHAREABLE } from "./_shared_queue.ts";
import { LifoStorage } from "./_storage.ts";
import { checkQueueOptions, SHARED_STORAGE, STORAGE, type StorageOptions } from "./_queue_options.ts";
import { Queue, type QueueOptions, revivedOptions } from "./queue.ts";

/**
 * A last-in, first-out queue (a stack) for handing items between threads
 * (Python's `queue.LifoQueue`): `get` returns the item put most recently.
 * Everything else is as {@linkcode Queue}, which it extends: on `atomics`
 * it can be handed to Workers, and it is the same stack in each of them.
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
    super(maxsize, {
      ...options,
      [STORAGE]: new LifoStorage<T>(),
      // In shared memory, a stack (a subclass of one's own would not revive in a Worker).
      [SHARED_STORAGE]: new.target === LifoQueue ? stackStorage : SUBCLASS_NOT_SHAREABLE,
    } as StorageOptions<T>);
  }
}

registerShareable("LifoQueue", LifoQueue, (backend, facts, at) => new LifoQueue(0, revivedOptions(backend, facts, at)));
