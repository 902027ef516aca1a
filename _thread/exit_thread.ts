/**
 * `exitThread`: Python's `_thread.exit`.
 *
 * @module
 */
import { currentThread, mainThread } from "../primitives/thread.ts";
import { SystemExit } from "../runtime/system_exit.ts";

let exitHandlersInstalled = false;

/**
 * Ends the calling thread by throwing {@linkcode SystemExit} (Python's
 * `_thread.exit`): its `finally` blocks run, and a thread that ends this way
 * ends quietly (no excepthook). Called on the main thread and not caught,
 * it ends the program with status 0, as Python's `SystemExit` does.
 *
 * @returns Never: it always throws.
 * @throws {SystemExit} Always.
 *
 * @example Ending a thread early
 * ```ts
 * import { Thread } from "@locksmith/threading";
 * import { exitThread } from "@locksmith/threading/_thread";
 * import { assertEquals } from "@std/assert";
 *
 * const steps: string[] = [];
 * const t = new Thread({
 *   target: () => {
 *     try {
 *       steps.push("work");
 *       exitThread();
 *       steps.push("never");
 *     } finally {
 *       steps.push("cleanup");
 *     }
 *   },
 * });
 * t.start();
 * await t.join();
 * assertEquals(steps, ["work", "cleanup"]);
 * ```
 */
export function exitThread(): never {
  if (currentThread() === mainThread()) installExitHandlers();
  throw new SystemExit(0);
}

// An uncaught SystemExit on the main thread ends the program with its status.
function installExitHandlers(): void {
  if (exitHandlersInstalled) return;
  exitHandlersInstalled = true;
  const onUncaught = (event: Event) => {
    const error = (event as ErrorEvent).error ?? (event as PromiseRejectionEvent).reason;
    if (!(error instanceof SystemExit)) return;
    event.preventDefault();
    (globalThis as { Deno?: { exit(code: number): never } }).Deno?.exit(error.code);
  };
  globalThis.addEventListener?.("error", onUncaught);
  globalThis.addEventListener?.("unhandledrejection", onUncaught);
}
