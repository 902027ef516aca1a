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
  /**
   * A view of the heap that covers the cells. The heap's buffer only grows,
   * in place, so a view that covers them once covers them for good: kept
   * here, an uncontended lock reads one object fewer per operation than
   * through `heap.view` (`bench/lock_shape_floor.ts` shows what each object
   * on the way costs).
   */
  readonly view: Int32Array;
  /** The shared `atomics` backend, on the prototype (see `setCellsBackend`). */
  declare readonly backend?: Backend;

  /**
   * @param base The index of cell 0 in the heap.
   * @param ref This isolate's reference to their slab.
   * @param count How many cells from `base` on the cells are used through (at least 1).
   * @param heap Their heap: this isolate's default unless given.
   */
  constructor(base: number, ref: SlabRef, count: number, heap: SharedHeap = defaultHeap!) {
    this.base = base;
    this.ref = ref;
    this.view = heap.viewFor(base + count - 1);
  }

  /** The heap the block is in. */
  get heap(): SharedHeap {
    return defaultHeap!;
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

  /** Writes `value` to cell `i`; returns the old value. */
  exchange(i: number, value: number): number {
    return Atomics.exchange(this.view, this.base + i, value);
  }

  /** Reads cell `i` with a plain load (no fence: see `Cells.loadRelaxed`). */
  loadRelaxed(i: number): number {
    return this.view[this.base + i];
  }

  /** Writes cell `i` with a plain store (no fence: see `Cells.storeRelaxed`). */
  storeRelaxed(i: number, value: number): void {
    this.view[this.base + i] = value;
  }

  /**
   * This isolate's holder tag in the heap (see `Cells.holder`), on the
   * prototype: the value 0, which the compiler folds into an uncontended
   * lock, but in a Worker the library started (see `useHolderTag`).
   */
  declare readonly holder: number;

  /** How the thread whose block is at `tag` has ended (`HOLDER_RUNNING`, `_RETURNED` or `_DIED`). */
  holderEnded(tag: number): number {
    return Atomics.load(this.heap.viewFor(tag + T_END), tag + T_END);
  }

  /** Whether `cells` are shared cells (a brand check). */
  static is(cells: unknown): cells is SharedCells {
    return cells instanceof SharedCells;
  }
}

Object.defineProperty(SharedCells.prototype, "holder", { value: 0, configurable: true });

/**
 * Makes `tag` this isolate's holder tag in its default heap: once, in a
 * Worker the library started, before anything locks.
 *
 * @param heap The isolate's default heap.
 * @param tag The thread's block.
 */
export function useHolderTag(heap: SharedHeap, tag: number): void {
  heap.holderTag = tag;
  Object.defineProperty(SharedCells.prototype, "holder", {
    configurable: true,
    get(): number {
      // Remembered, so that the block a tag names is kept while a lock may hold the tag (see _thread_block.ts).
      if (!heap.holderTagUsed) heap.holderTagUsed = true;
      return tag;
    },
  });
}

/** Cells in a heap other than this isolate's default. */
export class ForeignCells extends SharedCells {
  readonly #heap: SharedHeap;

  /**
   * @param heap The heap.
   * @param base The index of cell 0.
   * @param ref This isolate's reference to their slab.
   * @param count How many cells from `base` on the cells are used through (at least 1).
   */
  constructor(heap: SharedHeap, base: number, ref: SlabRef, count: number) {
    super(base, ref, count, heap);
    this.#heap = heap;
  }

  /** The heap the block is in. */
  override get heap(): SharedHeap {
    return this.#heap;
  }
}

// Only the default heap gets a holder tag (`useHolderTag`): in another heap this isolate's is 0, even in a
// Worker whose default heap's cells answer with their tag.
Object.defineProperty(ForeignCells.prototype, "holder", { value: 0 });
