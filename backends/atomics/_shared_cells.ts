/**
 * Cells of the `atomics` backend: a primitive's block in a shared heap,
 * read and written with `Atomics` (sequentially consistent).
 *
 * A primitive's cells object holds the index of its cells and this
 * isolate's token for their slab (40 bytes), which keeps the slab from
 * being given back while the cells can be reached (`_slabs.ts`): the heap,
 * and the view over it, are this isolate's default heap's. A primitive that
 * takes a slot instead (`allocateSlot`: a `Lock`) shares the cells object
 * of its slab, whose cell 0 is the slab's first, and adds its slot's index
 * to every cell index: no object of its own. Cells revived from another
 * heap (a Worker the library did not start, say) are `ForeignCells`, which
 * also hold their heap.
 *
 * @module
 */
import type { Backend, Cells } from "../types.ts";
import type { SharedHeap } from "./_heap.ts";
import { T_END } from "./_thread_block.ts";

let defaultHeap: SharedHeap | undefined;

/** Tells the cells which heap is this isolate's default (set once, by `_heaps.ts`). */
export function setCellsDefaultHeap(heap: SharedHeap): void {
  defaultHeap = heap;
}

/** Tells the cells which backend they belong to (set once, by `mod.ts`: its shared instance). */
export function setCellsBackend(backend: Backend): void {
  // A value on the prototype, which the compiler reads as a constant: no field per cells object.
  Object.defineProperty(SharedCells.prototype, "backend", { value: backend });
}

/**
 * This isolate's reference to one slab of a heap: every cells object in the
 * slab holds it, and the slab is given back once no isolate has one left.
 */
export class SlabRef {
  /** @param slab The slab's first cell. */
  constructor(readonly slab: number) {}
}

/** The reference of cells that are in no slab (a thread's block, waited on by its joiners): never handed over. */
export const NOT_IN_A_SLAB: SlabRef = new SlabRef(0);

/** A primitive's cells in this isolate's default heap. */
export class SharedCells implements Cells {
  /** The index of cell 0 in the heap. */
  readonly base: number;
  /** This isolate's reference to the slab the cells are in. */
  readonly ref: SlabRef;
  /** The shared `atomics` backend, on the prototype (see `setCellsBackend`). */
  declare readonly backend?: Backend;

  /**
   * @param base The index of cell 0 in the default heap.
   * @param ref This isolate's reference to their slab.
   */
  constructor(base: number, ref: SlabRef) {
    this.base = base;
    this.ref = ref;
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
    const heap = this.heap;
    const tag = heap.holderTag;
    // Remembered, so that the block a tag names is kept while a lock may hold the tag (see _thread_block.ts).
    if (tag !== 0 && !heap.holderTagUsed) heap.holderTagUsed = true;
    return tag;
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
   * @param ref This isolate's reference to their slab.
   */
  constructor(heap: SharedHeap, base: number, ref: SlabRef) {
    super(base, ref);
    this.#heap = heap;
  }

  /** The heap the block is in. */
  override get heap(): SharedHeap {
    return this.#heap;
  }
}
