/**
 * Puts that wake getters in groups, for a Worker pool's task queue: waking
 * a sleeping Worker costs the waker microseconds, and a Worker woken with
 * several items to take stays awake through them. A queue's own `put`
 * wakes one getter per item; these use its internal `PUT_QUIETLY` and
 * `WAKE_GETTERS` instead.
 *
 * @module
 */
import { PUT_QUIETLY, type Queue, WAKE_GETTERS } from "./queue.ts";

/**
 * Puts every item, blocking while the queue is full as `putSync` does, but
 * waking getters once per `group` items instead of once per item (a pool
 * queuing a map's tasks).
 *
 * @param queue The queue.
 * @param items The items, in order.
 * @param group How many items to put between wake-ups.
 */
export function putAll<T>(queue: Queue<T>, items: readonly T[], group: number = 64): void {
  let unwoken = 0;
  for (const item of items) {
    if (queue[PUT_QUIETLY](item)) {
      if (++unwoken === group) {
        queue[WAKE_GETTERS](unwoken);
        unwoken = 0;
      }
      continue;
    }
    // Full: the getters must run before this item fits.
    queue[WAKE_GETTERS](unwoken + 1);
    unwoken = 0;
    queue.putSync(item);
  }
  if (unwoken > 0) queue[WAKE_GETTERS](unwoken);
}

/**
 * Puts items one at a time as `putSync` does, but of the items put in one
 * synchronous burst only the first wakes a getter at once; the others wake
 * getters together in a microtask (a pool queuing `applyAsync` calls in a
 * loop).
 */
export class CoalescedPuts<T> {
  readonly #queue: Queue<T>;
  // Items put in this burst whose wake-up is deferred; -1 when no burst is open.
  #unwoken = -1;

  /** @param queue The queue. */
  constructor(queue: Queue<T>) {
    this.#queue = queue;
  }

  /**
   * Puts an item, blocking while the queue is full.
   *
   * @param item The item.
   */
  put(item: T): void {
    // Full: the deferred getters have been woken (they must run to make room); now the blocking way.
    if (!this.tryPut(item)) this.#queue.putSync(item);
  }

  /**
   * Puts an item if there is room now; never blocks.
   *
   * @param item The item.
   * @returns Whether it was put (`false`: the queue is full, and the getters deferred so far are woken).
   */
  tryPut(item: T): boolean {
    const queue = this.#queue;
    if (!queue[PUT_QUIETLY](item)) {
      if (this.#unwoken > 0) queue[WAKE_GETTERS](this.#unwoken);
      if (this.#unwoken >= 0) this.#unwoken = 0;
      return false;
    }
    if (this.#unwoken >= 0) {
      this.#unwoken++;
      return true;
    }
    // The first put of a burst wakes a getter at once, so some thread is taking items even if the
    // caller now blocks; the rest wake together once the burst is over.
    queue[WAKE_GETTERS](1);
    this.#unwoken = 0;
    queueMicrotask(() => {
      const unwoken = this.#unwoken;
      this.#unwoken = -1;
      if (unwoken > 0) queue[WAKE_GETTERS](unwoken);
    });
    return true;
  }
}
