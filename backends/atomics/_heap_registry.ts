/**
 * The heaps this isolate knows: its default heap (made here, or received
 * from the thread that spawned this Worker) and any heap a handle brought.
 *
 * @module
 */
import { nextIdent, renumberIsolateThread, shareIdents } from "../../runtime/current_thread.ts";
import { isWorkerIsolate, routeWorkerInterrupts } from "../../runtime/interrupt.ts";
import { H_IDENT, SharedHeap } from "./_heap.ts";
import { interruptMainThrough, listenForInterrupts } from "./_main_interrupt.ts";
import { setCellsDefaultHeap } from "./_shared_cells.ts";
import type { IsolateSlabs } from "./_slabs.ts";
import type { SharedParkingLot } from "./_parking_lot.ts";

const heaps = new Map<number, SharedHeap>();
let defaultHeap: SharedHeap | undefined;

/** The heap new primitives of this isolate allocate from; made on first use. */
export function getDefaultHeap(): SharedHeap {
  return defaultHeap ?? useDefaultHeap(SharedHeap.create());
}

/** Makes `heap` this isolate's default, and the program's ident counter the heap's. */
export function useDefaultHeap(heap: SharedHeap): SharedHeap {
  if (defaultHeap === heap) return heap;
  // Cells of the default heap do not say which heap they are in: it cannot change.
  if (defaultHeap !== undefined) throw new Error("Cannot change the default atomics heap once it is in use");
  heaps.set(heap.id, heap);
  defaultHeap = heap;
  setCellsDefaultHeap(heap);
  const view = heap.view;
  shareIdents((issued) => {
    // Start above every ident issued before the heap existed.
    for (let seen = Atomics.load(view, H_IDENT); seen < issued; seen = Atomics.load(view, H_IDENT)) {
      if (Atomics.compareExchange(view, H_IDENT, seen, issued) === seen) break;
    }
    return () => Atomics.add(view, H_IDENT, 1) + 1;
  });
  // Workers that share it reach the main thread through it (`interruptMain()`).
  if (!isWorkerIsolate()) listenForInterrupts(heap);
  return heap;
}

/** Whether `heap` is this isolate's default heap. */
export function isDefaultHeap(heap: SharedHeap): boolean {
  return heap === defaultHeap;
}

/**
 * This isolate's view of the heap in `buffer` (check it with
 * `SharedHeap.isHeap` first). The first heap an isolate meets becomes its
 * default: a Worker that received a primitive before making any shares the
 * sender's heap, and its thread takes an ident of the program's (unless
 * `ownThread` is false: a Worker thread the library started has its ident).
 */
export function heapOf(buffer: SharedArrayBuffer, ownThread = true): SharedHeap {
  const id = new Int32Array(buffer, 0, 2)[1];
  let heap = heaps.get(id);
  if (heap === undefined) {
    heaps.set(id, heap = SharedHeap.adopt(buffer));
    if (defaultHeap === undefined) {
      useDefaultHeap(heap);
      if (ownThread && isWorkerIsolate()) renumberIsolateThread(nextIdent());
    }
  }
  return heap;
}

/**
 * Gives back what this isolate holds in every heap it knows: its references
 * to primitives' memory and its idle waiter records. A Worker the library
 * started calls it as it ends (no finalizer runs after that); it makes no
 * primitive afterwards.
 */
export function releaseIsolateHeaps(): void {
  for (const heap of heaps.values()) {
    (heap.slabs as IsolateSlabs | undefined)?.releaseAll();
    (heap.lot as SharedParkingLot | undefined)?.releaseRecords();
  }
}

// `interruptMain()` in a Worker goes through this isolate's default heap, if the main isolate listens on it.
routeWorkerInterrupts(() => {
  if (defaultHeap === undefined) return "it has none";
  return interruptMainThrough(defaultHeap) ? undefined : "the main thread does not use this Worker's heap";
});
