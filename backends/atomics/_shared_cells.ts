/**
 * Cells of the `atomics` backend: a primitive's block in the shared heap,
 * read and written with `Atomics` (sequentially consistent).
 *
 * @module
 */
import type { Cells } from "../types.ts";
import type { SharedHeap } from "./_heap.ts";

/** A primitive's cells in a shared heap. */
export class SharedCells implements Cells {
  /** A view that covers the block. */
  readonly view: Int32Array;
  /** The index of cell 0 in the heap. */
  readonly base: number;
  /** The heap the block is in. */
  readonly heap: SharedHeap;

  /**
   * @param heap The heap.
   * @param base The index of cell 0.
   */
  constructor(heap: SharedHeap, base: number) {
    this.heap = heap;
    this.view = heap.view;
    this.base = base;
  }

  /** Reads cell `i`. */
  load(i: number): number {
    return Atomics.load(this.view, this.base + i);
  }

  /** Writes cell `i`. */
  store(i: number, value: number): void {
    Atomics.store(this.view, this.base + i, value);
  }

  /** Sets cell `i` to `replacement` if it holds `expected`. */
  cas(i: number, expected: number, replacement: number): boolean {
    return Atomics.compareExchange(this.view, this.base + i, expected, replacement) === expected;
  }

  /** Adds `delta` to cell `i`; returns the old value. */
  add(i: number, delta: number): number {
    return Atomics.add(this.view, this.base + i, delta);
  }

  /** Whether `cells` are shared cells (a brand check). */
  static is(cells: unknown): cells is SharedCells {
    return cells instanceof SharedCells;
  }
}
