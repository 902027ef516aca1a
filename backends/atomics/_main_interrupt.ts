/**
 * `interruptMain()` from a Worker, through the shared heap. The main
 * isolate listens on its default heap's `H_INTERRUPT` word with an
 * `Atomics.waitAsync` (which keeps nothing alive); a Worker sets the word,
 * rings it, and wakes the main thread if it blocks in a `...Sync` call.
 * Whoever sees the word first in the main isolate takes it with one
 * compare-and-swap, so the interrupt is delivered once:
 *
 * - the listener, on the main isolate's event loop: every wait the main
 *   thread has parked, on any backend, ends with `KeyboardInterrupt`; with
 *   none parked, its next park raises it (`interruptThread`);
 * - a park of the main thread on this heap that starts meanwhile;
 * - the main thread blocked in `parkSync` on this heap, which
 *   `wakeBlockedMain` wakes (its event loop cannot run the listener).
 *
 * @module
 */
import { isolateIdentity, outsideThreads } from "../../runtime/current_thread.ts";
import { interruptThread } from "../../runtime/interrupt.ts";
import { H_INTERRUPT, H_MAIN_LISTENS, type SharedHeap } from "./_heap.ts";
import { wakeBlockedMain } from "./_parking_lot.ts";

/** In the main isolate: delivers Workers' interrupts that arrive through `heap`. */
export function listenForInterrupts(heap: SharedHeap): void {
  const view = heap.view; // the header is always covered
  const listen = (): void => {
    for (;;) {
      if (Atomics.compareExchange(view, H_INTERRUPT, 1, 0) === 1) interruptThread(isolateIdentity());
      const waiting = Atomics.waitAsync(view, H_INTERRUPT, 0);
      if (waiting.async) {
        waiting.value.then(listen);
        return;
      }
    }
  };
  // Not in the context of whichever thread first used the heap.
  outsideThreads(listen);
  Atomics.store(view, H_MAIN_LISTENS, 1);
}

/**
 * In a Worker: raises `KeyboardInterrupt` in the main thread through
 * `heap`. Returns `false` if the main isolate does not listen on it (it
 * never adopted the Worker's heap as its own).
 */
export function interruptMainThrough(heap: SharedHeap): boolean {
  const view = heap.view;
  if (Atomics.load(view, H_MAIN_LISTENS) !== 1) return false;
  Atomics.store(view, H_INTERRUPT, 1);
  Atomics.notify(view, H_INTERRUPT);
  wakeBlockedMain(heap);
  return true;
}
