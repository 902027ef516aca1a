/**
 * `yieldNow()`: an explicit scheduling point.
 *
 * @module
 */
import { currentIdentity } from "../runtime/current_thread.ts";
import { type BackendChoice, getBackend } from "../backends/mod.ts";
import type { Backend, Subject } from "../backends/types.ts";
import { PRIMITIVE_OPTIONS, schedulingPoint } from "./core.ts";
import { checkOptions } from "../runtime/options.ts";

const nothing: Subject = { label: "" };

/**
 * Gives way to other threads, as Python's `time.sleep(0)` does: on the
 * `cooperative` backend it is a scheduling point, where the scheduler may
 * switch to another runnable thread (the explorer tries both); on `async` it
 * lets the tasks that are ready run first. Put it between the read and the
 * write of a shared variable to let the explorer find the race.
 *
 * Under the PCT strategy a thread that yields drops below every other, so a
 * thread that spins on `yieldNow()` waiting for another one lets it run.
 *
 * @param options `backend`: whose scheduler; omitted, the current thread's
 * backend when it has a scheduler, else the default backend.
 * @returns Resolves when the thread may go on.
 * @throws {TypeError} If the backend is unknown, or `options` is not an options object with only `backend`.
 *
 * @example Letting another thread run
 * ```ts
 * import { CooperativeBackend, Thread, yieldNow } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * const backend = new CooperativeBackend({ seed: 1 });
 * const order: string[] = [];
 * const threads = ["a", "b"].map((name) =>
 *   new Thread({
 *     backend,
 *     name,
 *     target: async () => {
 *       order.push(`${name}1`);
 *       await yieldNow();
 *       order.push(`${name}2`);
 *     },
 *   })
 * );
 * threads.forEach((t) => t.start());
 * for (const t of threads) await t.join();
 * assertEquals(order.toSorted(), ["a1", "a2", "b1", "b2"]);
 * ```
 */
export function yieldNow(options?: { backend?: BackendChoice }): Promise<void> {
  let backend: Backend;
  try {
    checkOptions("yield", options, PRIMITIVE_OPTIONS);
    backend = options?.backend !== undefined ? getBackend(options.backend) : currentBackend();
  } catch (error) {
    return Promise.reject(error);
  }
  return schedulingPoint(backend, "yield", nothing) ?? Promise.resolve();
}

// The current thread's own backend if it schedules (threads of a cooperative scheduler), else the default.
function currentBackend(): Backend {
  const thread = currentIdentity() as { readonly backend?: Backend };
  const own = thread.backend;
  return own !== undefined && typeof own.schedulingPoint === "function" ? own : getBackend();
}
