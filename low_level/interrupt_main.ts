/**
 * `interruptMain`: Python's `_thread.interrupt_main`.
 *
 * @module
 */
import type { ThreadIdentity } from "../backends/_current_thread.ts";
import { setPendingInterrupt } from "../backends/_interrupt.ts";
import { interruptWaiter } from "../backends/_local_parking_lot.ts";
import { registeredWaits } from "../backends/_pending.ts";
import { Waiter } from "../backends/_wait_queue.ts";
import { RuntimeError } from "../primitives/errors.ts";
import { KeyboardInterrupt } from "../primitives/system_exit.ts";
import { mainThread } from "../primitives/thread.ts";

/**
 * Raises {@linkcode KeyboardInterrupt} in the main thread, as Python's
 * `_thread.interrupt_main()` simulates Ctrl-C: every wait the main thread
 * has parked in the library now rejects with it; if it has none, its next
 * wait does (a `sleep`, a lock that is held, a `join`, a queue `get` that
 * finds nothing, ...). Code that never waits is not interrupted: unlike
 * Python's, a JavaScript thread cannot be stopped between statements.
 *
 * Where it works: waits on the `async` backend's parking lot, from any
 * thread of the main isolate. Not yet: waits parked on the `cooperative`
 * scheduler or on `atomics` shared memory, and calls from inside a Worker
 * (it throws there).
 *
 * @throws {RuntimeError} If called from inside a Worker.
 *
 * @example Interrupting the main thread's wait
 * ```ts
 * import { Event, Thread } from "@locksmith/threading";
 * import { interruptMain, KeyboardInterrupt } from "@locksmith/threading/_thread";
 * import { assertRejects } from "@std/assert";
 *
 * const never = new Event();
 * const t = new Thread({ target: () => interruptMain() });
 * t.start();
 * await assertRejects(() => never.wait(), KeyboardInterrupt);
 * await t.join();
 * ```
 */
export function interruptMain(): void {
  if (inWorker()) {
    throw new RuntimeError(
      "Cannot interrupt the main thread from a Worker: interruptMain() works within the main isolate only",
    );
  }
  const main = mainThread();
  let interrupted = 0;
  for (const w of registeredWaits()) {
    // The in-isolate lot's own waiters (the cooperative scheduler's are a subclass it manages itself).
    if (w.thread !== main || !(w instanceof Waiter) || w.constructor !== Waiter) continue;
    interruptWaiter(w, new KeyboardInterrupt("Interrupted by interruptMain()"));
    interrupted++;
  }
  if (interrupted === 0) setPendingInterrupt(main as unknown as ThreadIdentity);
}

function inWorker(): boolean {
  const g = globalThis as {
    WorkerGlobalScope?: abstract new () => unknown;
    process?: { getBuiltinModule?(name: string): unknown };
  };
  if (typeof g.WorkerGlobalScope === "function" && globalThis instanceof g.WorkerGlobalScope) return true;
  const workerThreads = g.process?.getBuiltinModule?.("node:worker_threads") as { isMainThread?: boolean } | undefined;
  return workerThreads?.isMainThread === false;
}
