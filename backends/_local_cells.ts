/**
 * Cells for the in-isolate backends: plain int32 memory, read and written
 * without `Atomics` (one isolate never races with itself between awaits),
 * plus the wait queues of the parking lot, kept beside the cells they key.
 *
 * @module
 */
import type { Cells } from "./types.ts";
import { WaitQueue } from "./_wait_queue.ts";

/** Plain int32 cells with their wait queues. */
export class LocalCells implements Cells {
  // A plain array of small integers, kept in the int32 range as an Int32Array
  // would keep it: a fresh small typed array costs ~1.5 us in Deno 2.9 (its
  // memory is allocated outside the JS heap), more than making a Lock otherwise.
  readonly #view: number[] = [];
  /** The wait queue of each cell, made on first park. */
  readonly queues: (WaitQueue | undefined)[] = [];

  /** @param count How many zeroed cells. */
  constructor(count: number) {
    // Both arrays filled at once, so that they stay packed (a hole makes every load slower).
    for (let i = 0; i < count; i++) {
      this.#view.push(0);
      this.queues.push(undefined);
    }
  }

  /** Reads cell `i`. */
  load(i: number): number {
    return this.#view[i];
  }

  /** Writes cell `i`. */
  store(i: number, value: number): void {
    this.#view[i] = value | 0;
  }

  /** Sets cell `i` to `replacement` if it holds `expected`. */
  cas(i: number, expected: number, replacement: number): boolean {
    if (this.#view[i] !== expected) return false;
    this.#view[i] = replacement | 0;
    return true;
  }

  /** Adds `delta` to cell `i`; returns the old value. */
  add(i: number, delta: number): number {
    const old = this.#view[i];
    this.#view[i] = (old + delta) | 0;
    return old;
  }

  /** Reads cell `i` (one isolate: the same as `load`). */
  loadRelaxed(i: number): number {
    return this.#view[i];
  }

  /** Writes cell `i` (one isolate: the same as `store`). */
  storeRelaxed(i: number, value: number): void {
    this.#view[i] = value | 0;
  }

  /** Writes cell `i`; returns the old value. */
  exchange(i: number, value: number): number {
    const old = this.#view[i];
    this.#view[i] = value | 0;
    return old;
  }

  /** The queue of cell `i`, made if absent. */
  queue(i: number): WaitQueue {
    const queue = this.queues[i];
    return queue !== undefined ? queue : this.#newQueue(i);
  }

  // Out of line: the hot path stays small enough for V8 to inline it.
  #newQueue(i: number): WaitQueue {
    return this.queues[i] = new WaitQueue(this);
  }
}
