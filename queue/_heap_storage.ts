/**
 * A binary min-heap for `PriorityQueue`. Every comparison of a push or pop
 * is made before anything moves, so a comparator that throws (items Python
 * could not order either) leaves the heap as it was.
 *
 * @module
 */
import type { QueueStorage } from "./_storage.ts";

/** A min-heap ordered by `compare`. */
export class HeapStorage<T> implements QueueStorage<T> {
  readonly #heap: T[] = [];
  readonly #compare: (a: T, b: T) => number;
  readonly #path: number[] = [];
  /** The items live in this isolate. */
  readonly isolateLocal = true;

  /** @param compare Negative if `a` comes out first. */
  constructor(compare: (a: T, b: T) => number) {
    this.#compare = compare;
  }

  /** How many items are stored. */
  get size(): number {
    return this.#heap.length;
  }

  /** Inserts an item. */
  push(item: T): void {
    const heap = this.#heap;
    const compare = this.#compare;
    const end = heap.length;
    // Plan: how far up the item goes.
    let target = end;
    while (target > 0) {
      const parent = (target - 1) >> 1;
      if (!(compare(item, heap[parent]) < 0)) break;
      target = parent;
    }
    // Move: shift the parents on the path down by one level.
    heap.push(item);
    for (let i = end; i > target;) {
      const parent = (i - 1) >> 1;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[target] = item;
  }

  /** Removes the smallest item. */
  pop(): T {
    const heap = this.#heap;
    const compare = this.#compare;
    const top = heap[0];
    const n = heap.length - 1; // the size once the last item has moved
    if (n === 0) return heap.pop()!;
    const last = heap[n];
    // Plan: the path the last item sinks along from the root.
    const path = this.#path;
    path.length = 0;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && compare(heap[right], heap[left]) < 0 ? right : left;
      if (!(compare(heap[child], last) < 0)) break;
      path.push(child);
      i = child;
    }
    // Move.
    heap.pop();
    let hole = 0;
    for (const child of path) {
      heap[hole] = heap[child];
      hole = child;
    }
    heap[hole] = last;
    return top;
  }

  /** Removes every item. */
  clear(): void {
    this.#heap.length = 0;
  }

  /** The items, in heap order (pushed in that order, they make the same heap). */
  items(): T[] {
    return [...this.#heap];
  }
}
