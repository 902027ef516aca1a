/**
 * The heaps this isolate knows: its default heap (made here, or received
 * from the thread that spawned this Worker) and any heap a handle brought.
 *
 * @module
 */
import { shareIdents } from "../_current_thread.ts";
import { H_IDENT, SharedHeap } from "./_heap.ts";

const heaps = new Map<number, SharedHeap>();
let defaultHeap: SharedHeap | undefined;

/** The heap new primitives of this isolate allocate from; made on first use. */
export function getDefaultHeap(): SharedHeap {
  return defaultHeap ?? useDefaultHeap(SharedHeap.create());
}

/** Makes `heap` this isolate's default, and the program's ident counter the heap's. */
export function useDefaultHeap(heap: SharedHeap): SharedHeap {
  heaps.set(heap.id, heap);
  defaultHeap = heap;
  const view = heap.view;
  shareIdents((issued) => {
    // Start above every ident issued before the heap existed.
    for (let seen = Atomics.load(view, H_IDENT); seen < issued; seen = Atomics.load(view, H_IDENT)) {
      if (Atomics.compareExchange(view, H_IDENT, seen, issued) === seen) break;
    }
    return () => Atomics.add(view, H_IDENT, 1) + 1;
  });
  return heap;
}

/** This isolate's view of the heap in `buffer` (check it with `SharedHeap.isHeap` first). */
export function heapOf(buffer: SharedArrayBuffer): SharedHeap {
  const id = new Int32Array(buffer, 0, 2)[1];
  let heap = heaps.get(id);
  if (heap === undefined) heaps.set(id, heap = SharedHeap.adopt(buffer));
  return heap;
}
