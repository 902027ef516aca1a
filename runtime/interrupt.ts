/**
 * `_thread.interruptMain()` inside one isolate. Python raises
 * `KeyboardInterrupt` in the main thread at its next bytecode; here the
 * main thread gets it at its current or next wait in the library:
 * {@linkcode interruptThread} ends every wait it has parked (each backend's
 * registered wait knows how to leave its queue, as a timeout or abort
 * does), and if it has none, the interrupt stays pending until its next
 * park, on any backend. Every parking lot checks {@linkcode interruptTarget}
 * before it parks: a plain load while nothing is pending.
 *
 * A Worker reaches the main isolate through the shared heap instead (see
 * `atomics/_main_interrupt.ts`), which ends in {@linkcode interruptThread}
 * there.
 *
 * @module
 */
import { KeyboardInterrupt } from "./system_exit.ts";
import type { ThreadIdentity } from "./current_thread.ts";
import { registeredWaits } from "./pending.ts";

/** The message of every `KeyboardInterrupt` that `interruptMain()` raises. */
export const INTERRUPT_MESSAGE = "Interrupted by interruptMain()";

/** The thread an interrupt is pending for, if any. */
export let interruptTarget: ThreadIdentity | undefined = undefined;

/**
 * Raises `KeyboardInterrupt` in `thread`: every wait it has parked in this
 * isolate ends with it now; with none parked, its next park raises it.
 * Repeated calls before it is raised make one interrupt, as in Python.
 */
export function interruptThread(thread: ThreadIdentity): void {
  let interrupted = 0;
  for (const w of registeredWaits()) {
    if (w.thread !== thread || w.interrupt === undefined) continue;
    if (w.interrupt(new KeyboardInterrupt(INTERRUPT_MESSAGE))) interrupted++;
  }
  if (interrupted === 0) interruptTarget = thread;
}

/** Consumes the pending interrupt if it is for `thread`, returning the error to raise. */
export function takeInterrupt(thread: ThreadIdentity): KeyboardInterrupt | undefined {
  if (interruptTarget === undefined || interruptTarget !== thread) return undefined;
  interruptTarget = undefined;
  return new KeyboardInterrupt(INTERRUPT_MESSAGE);
}

// How a Worker reaches the main isolate (the atomics backend sets it): undefined once delivered, or why not.
let workerRoute: (() => string | undefined) | undefined;

/**
 * Sets how `interruptMain()` called in a Worker reaches the main thread
 * (the `atomics` backend does, through the heap it shares with the main
 * isolate). The route returns `undefined` once the interrupt is on its way,
 * or a reason why it cannot be delivered.
 */
export function routeWorkerInterrupts(route: () => string | undefined): void {
  workerRoute = route;
}

/** In a Worker: sends `interruptMain()` to the main thread; `undefined` if sent, else why it cannot be. */
export function interruptMainFromWorker(): string | undefined {
  return workerRoute === undefined ? "no backend of this Worker shares memory with it" : workerRoute();
}

/** Whether this isolate is a Worker (a Web Worker, or a `node:worker_threads` one), not the main isolate. */
export function isWorkerIsolate(): boolean {
  const g = globalThis as {
    WorkerGlobalScope?: abstract new () => unknown;
    process?: { getBuiltinModule?(name: string): unknown };
  };
  if (typeof g.WorkerGlobalScope === "function" && globalThis instanceof g.WorkerGlobalScope) return true;
  const workerThreads = g.process?.getBuiltinModule?.("node:worker_threads") as { isMainThread?: boolean } | undefined;
  return workerThreads?.isMainThread === false;
}
