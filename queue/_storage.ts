/**
 * Where a queue keeps its items: the one part of a queue that changes from
 * one kind to another (FIFO, LIFO, heap), and the part a shared-memory queue
 * swaps for one of structured-cloned items in shared memory (a ring, a
 * stack, a heap: `backends/atomics/shared_*.ts`). The queue's
 * algorithm (its lock, its conditions, its counters in cells) never touches
 * the items except through this interface.
 *
 * @module
 */

/** The items of one queue. Called only with the queue's state consistent. */
export interface QueueStorage<T> {
  /** How many items are stored. */
  readonly size: number;
  /** Stores an item. It may throw (a priority queue that cannot order it): then nothing changed. */
  push(item: T): void;
  /** Removes and returns the next item; only called when `size > 0`. It may throw: then nothing changed. */
  pop(): T;
  /** Removes every item. */
  clear(): void;
  /**
   * Whether the items live in this isolate only: then all users of the
   * queue are threads of one isolate, so a blocking `...Sync` call could
   * never be satisfied while it blocks.
   */
  readonly isolateLocal: boolean;
  /** What a handle carries to another thread (a storage in shared memory: its buffers). */
  readonly facts?: Readonly<Record<string, unknown>>;
  /** The items, in an order that pushing them into an empty storage of the same kind rebuilds it (an isolate's). */
  items?(): T[];
  /** Readies an item for `push` before the lock is taken (encoding it); may throw, as `push` may. */
  prepare?(item: T): void;
  /** Storage other isolates use too: taken around each check-and-push (and a shutdown). */
  lockPut?(): void;
  /** Releases what `lockPut` took. */
  unlockPut?(): void;
  /** Taken around each check-and-pop (and, with the put lock, a clear). */
  lockGet?(): void;
  /** Releases what `lockGet` took. */
  unlockGet?(): void;
}

/** First in, first out: a growable ring buffer (`Array.shift` is O(n) on large arrays). */
export class FifoStorage<T> implements QueueStorage<T> {
  #items: (T | undefined)[] = new Array(16);
  #head = 0;
  #size = 0;
  /** The items live in this isolate. */
  readonly isolateLocal = true;

  /** How many items are stored. */
  get size(): number {
    return this.#size;
  }

  /** Appends an item. */
  push(item: T): void {
    const items = this.#items;
    if (this.#size === items.length) this.#grow();
    this.#items[(this.#head + this.#size) & (this.#items.length - 1)] = item;
    this.#size++;
  }

  /** Removes the oldest item. */
  pop(): T {
    const items = this.#items;
    const item = items[this.#head] as T;
    items[this.#head] = undefined; // let it be collected
    this.#head = (this.#head + 1) & (items.length - 1);
    this.#size--;
    return item;
  }

  /** Removes every item. */
  clear(): void {
    this.#items = new Array(16);
    this.#head = 0;
    this.#size = 0;
  }

  /** The items, oldest first. */
  items(): T[] {
    const items = this.#items;
    return Array.from({ length: this.#size }, (_, i) => items[(this.#head + i) & (items.length - 1)] as T);
  }

  #grow(): void {
    const old = this.#items;
    const items: (T | undefined)[] = new Array(old.length * 2);
    for (let i = 0; i < this.#size; i++) items[i] = old[(this.#head + i) & (old.length - 1)];
    this.#items = items;
    this.#head = 0;
  }
}

/** Last in, first out: a stack. */
export class LifoStorage<T> implements QueueStorage<T> {
  #items: T[] = [];
  /** The items live in this isolate. */
  readonly isolateLocal = true;

  /** How many items are stored. */
  get size(): number {
    return this.#items.length;
  }

  /** Pushes an item. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** Pops the newest item. */
  pop(): T {
    return this.#items.pop() as T;
  }

  /** Removes every item. */
  clear(): void {
    this.#items = [];
  }

  /** The items, oldest (bottom) first. */
  items(): T[] {
    return [...this.#items];
  }
}
