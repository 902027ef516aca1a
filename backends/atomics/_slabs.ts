/**
 * Where primitives' cells live in a shared heap, and when they are given
 * back: once no thread can reach the primitive any more.
 *
 * Cells come in slabs: a heap block of 128 cells (more for a primitive with
 * many cells) cut into slots of one size, each slot a header (a hash of the
 * kind and the cell count, which a handle is checked against) and the
 * primitive's cells. An isolate fills a slab of each size on its own, with
 * no shared step, so a new primitive costs no `Atomics` call but the
 * header's store.
 *
 * A slab is given back as a whole, when its count of references falls to
 * zero. It counts one reference per isolate that can reach a primitive in
 * it, and one per handle in flight:
 *
 * - An isolate's reference is a token object (a `SlabRef`): every cells
 *   object that uses it holds it (the slab's own cells object too, which
 *   the primitives that take a slot share), so the token lives as long as
 *   any of them; a `FinalizationRegistry` gives the reference back once the
 *   garbage collector has taken the token (and the event loop has run the
 *   finalizer). The slab an isolate fills has one token for all its
 *   primitives, not one each: a registration costs about 70 bytes of JS
 *   heap, a field 8. A revived primitive gets a token of its own.
 * - A handle (what a structured clone of a primitive carries) takes a
 *   reference when it is made and carries it as a ticket: a one-use word in
 *   the heap. The isolate that revives the handle redeems the ticket, and
 *   the reference becomes the revived primitive's token's. So a primitive
 *   posted to a Worker and dropped by its maker at once lives on until the
 *   Worker has it. A handle that is never revived keeps its slab for good:
 *   a ticket cannot know that its message was dropped.
 * - A Worker the library started gives back its references when it ends
 *   (`releaseAll`): it runs no finalizer after that. A Worker that dies
 *   otherwise (terminated, `Deno.exit`, an uncaught error) keeps them.
 *
 * A handle whose ticket was redeemed already (revived twice) takes a new
 * reference if the slab still has one, under the heap's allocator lock (no
 * slab is given back meanwhile), and names the slab's generation, so it
 * never revives a primitive made later in reused memory.
 *
 * A slab given back while a primitive in it had waiters cannot happen: a
 * waiting thread holds the primitive.
 *
 * @module
 */
import { BlockTag, type SharedHeap } from "./_heap.ts";
import { SharedCells, SlabRef } from "./_shared_cells.ts";
import { isWorkerIsolate } from "../../runtime/interrupt.ts";

// Slab layout, from its first cell.
const S_SLOT = 0; // cells per slot, header included
const S_REFS = 1; // references: isolates that reach it, handles in flight
const S_GEN = 2; // which life of the block this slab is (0 once given back)
const S_FIRST = 3; // the first slot
// A slab's cells (the heap adds its header: a 128-cell block).
const SLAB_CELLS = 127;

/** A kind's hash in a slot header, never 0. */
function kindHash(kind: string): number {
  let h = 5381;
  for (let i = 0; i < kind.length; i++) h = (Math.imul(h, 33) + kind.charCodeAt(i)) | 0;
  return ((h ^ (h >>> 16)) & 0x7fff) | 0x4000;
}

/** Where a handle's reference is: what `ticket` gives and `reference` takes. */
export interface SlabTicket {
  /** The slab's first cell. */
  readonly slab: number;
  /** The slab's generation when the handle was made. */
  readonly generation: number;
  /** The ticket's cell. */
  readonly ticket: number;
  /** What the ticket holds until it is redeemed. */
  readonly serial: number;
}

// The slab being filled for one slot size, and its cells (from the slab's first cell), which the
// primitives that take a slot of it share (`allocateSlot`).
class Filling {
  readonly cells: SharedCells;
  constructor(readonly ref: SlabRef, public next: number, readonly end: number, slab: number) {
    this.cells = new SharedCells(slab, ref, end - slab);
  }
}

/** This isolate's slabs and references in one heap. */
export class IsolateSlabs {
  readonly #heap: SharedHeap;
  // How many live tokens this isolate has for each slab, each one of the
  // slab's references: kept in a Worker, which gives them back as it ends
  // (the main isolate's end is the program's).
  readonly #refs: Map<number, number> | undefined = isWorkerIsolate() ? new Map() : undefined;
  readonly #filling: (Filling | undefined)[] = [];
  // A token's finalizer is told its slab.
  readonly #registry = new FinalizationRegistry<number>((slab) => this.#collected(slab));
  #released = false;

  /** @param heap The heap. */
  constructor(heap: SharedHeap) {
    this.#heap = heap;
  }

  /** `count` zeroed cells for a primitive of `kind`, in this isolate's slab of their size. */
  allocate(count: number, kind: string): SharedCells {
    const filling = this.#fillingFor(count);
    return new SharedCells(this.#takeSlot(filling, count, kind), filling.ref, count);
  }

  /**
   * The same, as cells `at` to `at + count - 1` of the cells of the slab
   * (`cells`): no cells object of the primitive's own.
   */
  allocateSlot(count: number, kind: string): { readonly cells: SharedCells; readonly at: number } {
    const filling = this.#fillingFor(count);
    const cells = filling.cells;
    return { cells, at: this.#takeSlot(filling, count, kind) - cells.base };
  }

  // The slab being filled for slots of `count` cells, with room for one more.
  #fillingFor(count: number): Filling {
    const slotCells = count + 1;
    const filling = this.#filling[slotCells];
    return filling === undefined || filling.next + slotCells > filling.end ? this.#newSlab(slotCells) : filling;
  }

  // Takes the next slot of `filling` and writes its header; returns the index of its first cell.
  #takeSlot(filling: Filling, count: number, kind: string): number {
    const slot = filling.next;
    filling.next = slot + count + 1;
    Atomics.store(this.#heap.view, slot, (kindHash(kind) << 16) | count);
    return slot + 1;
  }

  /** Takes a reference to `ref`'s slab for a handle, and says where it is. */
  ticket(ref: SlabRef): SlabTicket {
    const heap = this.#heap;
    const slab = ref.slab;
    const view = heap.viewFor(slab + S_GEN);
    Atomics.add(view, slab + S_REFS, 1);
    const { ticket, serial } = heap.issueTicket();
    return { slab, generation: Atomics.load(view, slab + S_GEN), ticket, serial };
  }

  /**
   * Why the cells at `index` are not a live `kind` of `count` cells in the
   * slab a handle names, or `undefined` if they are.
   */
  check(index: unknown, kind: string, count: number, slab: unknown, generation: unknown): string | undefined {
    const heap = this.#heap;
    if (!Number.isInteger(index) || !Number.isInteger(slab) || !heap.isBlock(slab as number, BlockTag.Slab)) {
      return `index ${index} is outside the heap's allocated blocks`;
    }
    const s = slab as number;
    const i = index as number;
    const end = s + heap.blockCells(s) - 1;
    const view = heap.viewFor(end);
    if (Atomics.load(view, s + S_GEN) !== generation) {
      return `the memory of the ${kind} at ${index} was given back (no thread held it), so this handle is stale`;
    }
    const offset = i - 1 - (s + S_FIRST);
    if (offset < 0 || offset % Atomics.load(view, s + S_SLOT) !== 0 || i + count > end) {
      return `index ${index} is outside the heap's allocated blocks`;
    }
    const header = Atomics.load(view, i - 1);
    if (header >>> 16 !== kindHash(kind)) return `the cells at ${index} do not hold a ${kind}`;
    if ((header & 0xffff) !== count) return `the block at ${index} has ${header & 0xffff} cells, not ${count}`;
    return undefined;
  }

  /**
   * A token for a revived primitive in the slab a handle names (after
   * `check`): the handle's ticket is redeemed, or else a reference taken
   * while the slab has one. `undefined` if it has none left.
   */
  reference(slab: number, generation: number, ticket: unknown, serial: unknown): SlabRef | undefined {
    if (!this.#heap.redeemTicket(ticket, serial) && !this.#retain(slab, generation)) return undefined;
    return this.#track(slab);
  }

  /** Gives back every reference of this isolate (a Worker that ends); it allocates no more. */
  releaseAll(): void {
    this.#released = true;
    for (const [slab, count] of this.#refs ?? []) this.#release(slab, count);
    this.#refs?.clear();
    this.#filling.length = 0;
  }

  // A token was collected: its reference goes back.
  #collected(slab: number): void {
    if (this.#released) return;
    const refs = this.#refs;
    if (refs !== undefined) {
      const count = refs.get(slab)!;
      if (count === 1) refs.delete(slab);
      else refs.set(slab, count - 1);
    }
    this.#release(slab, 1);
  }

  #newSlab(slotCells: number): Filling {
    if (this.#released) throw new Error("Cannot allocate cells: this isolate has given back its atomics heap");
    const heap = this.#heap;
    const slab = heap.allocateBlock(Math.max(SLAB_CELLS, S_FIRST + slotCells), BlockTag.Slab, false);
    const slots = Math.floor((heap.blockCells(slab) - 1 - S_FIRST) / slotCells);
    const view = heap.view;
    Atomics.store(view, slab + S_SLOT, slotCells);
    Atomics.store(view, slab + S_REFS, 1);
    Atomics.store(view, slab + S_GEN, heap.nextSerial());
    const first = slab + S_FIRST;
    return this.#filling[slotCells] = new Filling(this.#track(slab), first, first + slots * slotCells, slab);
  }

  // A token standing for one of the slab's references, which this isolate holds.
  #track(slab: number): SlabRef {
    const ref = new SlabRef(slab);
    this.#refs?.set(slab, (this.#refs.get(slab) ?? 0) + 1);
    this.#registry.register(ref, slab);
    return ref;
  }

  // A new reference to `slab` if it still has one in `generation`. Under the
  // allocator lock: a slab is given back only under it, so it cannot become
  // something else between the checks and the increment.
  #retain(slab: number, generation: number): boolean {
    return this.#heap.exclusive((view) => {
      if (view[slab - 1] >>> 8 !== BlockTag.Slab || Atomics.load(view, slab + S_GEN) !== generation) return false;
      for (let refs = Atomics.load(view, slab + S_REFS); refs > 0; refs = Atomics.load(view, slab + S_REFS)) {
        if (Atomics.compareExchange(view, slab + S_REFS, refs, refs + 1) === refs) return true;
      }
      return false;
    });
  }

  #release(slab: number, count: number): void {
    const view = this.#heap.viewFor(slab + S_GEN);
    if (Atomics.sub(view, slab + S_REFS, count) !== count) return;
    // The last reference: no handle may revive it from now on.
    Atomics.store(view, slab + S_GEN, 0);
    this.#heap.freeBlock(slab, BlockTag.Slab);
  }
}

/** This isolate's slabs in `heap`, made on first use. */
export function slabsOf(heap: SharedHeap): IsolateSlabs {
  return (heap.slabs ??= new IsolateSlabs(heap)) as IsolateSlabs;
}
