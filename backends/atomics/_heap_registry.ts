/**
 * The heaps this isolate knows: its default heap (made here, or received
 * from the thread that spawned this Worker) and any heap a handle brought.
 *
 * @module
 */
import { nextIdent, renumberIsolateThread, shareIdents } from "../../runtime/current_thread.ts";
import { H_IDENT, SharedHeap } from "./_heap.ts";
import { listenForInterrupts } from "./_main_interrupt.ts";
import { setCellsDefaultHeap } from "./_shared_cells.ts";

const heaps = new Map<number, SharedHeap>();
let defaultHeap: SharedHeap | undefined;

/** The heap new primitives of this isolate allocate from; made on first use. */
export function getDefaultHeap(): SharedHeap {
  return defaultHeap ?? useDefaultHeap(SharedHeap.create());
}

/** This isolate's default heap, if it has one yet (made or received). */
export function defaultHeapIfAny(): SharedHeap | undefined {
  return defaultHeap;
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
  if (!inWorker()) listenForInterrupts(heap);
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
      if (ownThread && inWorker()) renumberIsolateThread(nextIdent());
    }
  }
  return heap;
}

// Whether this isolate is a Worker (a Web Worker, or a node:worker_threads one).
function inWorker(): boolean {
  if ((globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== undefined) return true;
  const process = (globalThis as { process?: { getBuiltinModule?(name: string): unknown } }).process;
  const wt = process?.getBuiltinModule?.("node:worker_threads") as { isMainThread?: boolean } | undefined;
  return wt?.isMainThread === false;
}
