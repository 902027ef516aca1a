/**
 * `interruptMain`: Python's `_thread.interrupt_main`.
 *
 * @module
 */
import { interruptMainFromWorker, interruptThread, isWorkerIsolate } from "../runtime/interrupt.ts";
import type { ThreadIdentity } from "../runtime/current_thread.ts";
import { RuntimeError } from "../runtime/errors.ts";
import { mainThread } from "../primitives/thread.ts";

/**
 * Raises {@linkcode KeyboardInterrupt} in the main thread, as Python's
 * `_thread.interrupt_main()` simulates Ctrl-C. Python raises it at the main
 * thread's next bytecode; a JavaScript thread cannot be stopped between
 * statements, so here the main thread gets it at its current or next wait
 * in the library:
 *
 * - Every wait the main thread has parked (a `sleep`, an `acquire` of a
 *   held lock, a `join`, a queue `get` that finds nothing, ...) rejects
 *   with it now. It leaves its queue as an aborted wait does: a lock,
 *   semaphore or condition it waited on loses nothing, and a `Condition`
 *   re-acquires its lock first. With several waits parked (`Promise.all`),
 *   each rejects.
 * - With none parked, the main thread's next wait raises it, a blocking
 *   `...Sync` one included. A call that does not wait (`acquire(false)`,
 *   `acquireSync` of a free lock, `release`) does not.
 * - It is raised once: calls made before it is raised make one interrupt,
 *   and other threads' waits never see it.
 *
 * Per backend, from a thread of the main isolate:
 *
 * - `async`: as above.
 * - `cooperative`: the interrupted wait leaves at once and the main thread
 *   resumes with the error when the scheduler picks it; a pending interrupt
 *   is raised by its next park, and it goes on running. A run depends only
 *   on its seed: `replay` interrupts at the same step.
 * - `atomics`: as above, for its waits in `Atomics.waitAsync`; a main
 *   thread blocked in a `...Sync` call cannot be interrupted from its own
 *   isolate (nothing else in it runs), so the interrupt is raised by its
 *   next wait.
 *
 * From a Worker (`atomics` threads): the interrupt travels through the
 * shared heap the Worker shares with the main thread (every Worker this
 * library starts, or one that received a primitive from the main thread
 * before making its own). The main thread's parked waits, on any backend,
 * end with it as soon as its event loop runs; a main thread blocked in a
 * `...Sync` wait on a primitive of that heap is woken and throws it; a
 * main thread that is busy gets it at its next wait. Not reached: a
 * `joinSync()` of a Worker thread (it blocks outside the parking lot)
 * until it returns.
 *
 * @throws {RuntimeError} If called from a Worker whose shared heap the main
 * thread does not use (it never received one of the main thread's
 * primitives).
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
 *
 * @example A pending interrupt is raised by the next wait, once
 * ```ts
 * import { sleep } from "@locksmith/threading";
 * import { interruptMain, KeyboardInterrupt } from "@locksmith/threading/_thread";
 * import { assertRejects } from "@std/assert";
 *
 * interruptMain();
 * interruptMain(); // still one interrupt
 * await assertRejects(() => sleep(1), KeyboardInterrupt);
 * await sleep(1); // not interrupted
 * ```
 */
export function interruptMain(): void {
  if (!isWorkerIsolate()) {
    interruptThread(mainThread() as unknown as ThreadIdentity);
    return;
  }
  const why = interruptMainFromWorker();
  if (why !== undefined) {
    throw new RuntimeError(
      `Cannot interrupt the main thread from this Worker: it shares no atomics heap with the main thread (${why}); start the Worker as an 'atomics' Thread, or pass it a primitive of the main thread first`,
    );
  }
}
