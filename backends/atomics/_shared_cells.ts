/**
 * Cells of the `atomics` backend: a primitive's block in a shared heap,
 * read and written with `Atomics` (sequentially consistent).
 *
 * A primitive's cells object holds nothing but the index of its block
 * (32 bytes): the heap, and the view over it, are this isolate's default
 * heap's. Cells revived from another heap (a Worker the library did not
 * start, say) are `ForeignCells`, which also hold their heap.
 *
 * @module
 */
import type { Cells } from "../types.ts";
import type { SharedHeap } from "./_heap.ts";
import { T_END } from "./_thread_block.ts";

let defaultHeap: SharedHeap | undefined;

/** Tells the cells which heap is this isolate's default (set once, by `_heaps.ts`). */
export function setCellsDefaultHeap(heap: SharedHeap): void {
  defaultHeap = heap;
}

/** A primitive's cells in this isolate's default heap. */
export class SharedCells implements Cells {
  /** The index of cell 0 in the heap. */
  readonly base: number;

  /** @param base The index of cell 0 in the default heap. */
  constructor(base: number) {
    this.base = base;
  }

  /** The heap the block is in. */
  get heap(): SharedHeap {
    return defaultHeap!;
  }

  /** Reads cell `i`. */
  load(i: number): number {
    return Atomics.load(this.heap.view, this.base + i);
  }

  /** Writes cell `i`. */
  store(i: number, value: number): void {
    Atomics.store(this.heap.view, this.base + i, value);
  }

  /** Sets cell `i` to `replacement` if it holds `expected`. */
  cas(i: number, expected: number, replacement: number): boolean {
    return Atomics.compareExchange(this.heap.view, this.base + i, expected, replacement) === expected;
  }

  /** Adds `delta` to cell `i`; returns the old value. */
  add(i: number, delta: number): number {
    return Atomics.add(this.heap.view, this.base + i, delta);
  }

  /** This isolate's holder tag in the heap (see `Cells.holder`): 0 but in a Worker the library started. */
  get holder(): number {
    return this.heap.holderTag;
  }

  /** How the thread whose block is at `tag` has ended (`HOLDER_RUNNING`, `_RETURNED` or `_DIED`). */
  holderEnded(tag: number): number {
    return Atomics.load(this.heap.viewFor(tag + T_END), tag + T_END);
  }

  /** Whether `cells` are shared cells (a brand check). */
  static is(cells: unknown): cells is SharedCells {
    return cells instanceof SharedCells;
  }
}

/** Cells in a heap other than this isolate's default. */
export class ForeignCells extends SharedCells {
  readonly #heap: SharedHeap;

  /**
   * @param heap The heap.
   * @param base The index of cell 0.
   */
  constructor(heap: SharedHeap, base: number) {
    super(base);
    this.#heap = heap;
  }

  /** The heap the block is in. */
  override get heap(): SharedHeap {
    return this.#heap;
  }
}
