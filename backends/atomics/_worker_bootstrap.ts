/**
 * The start of a Worker thread of the `atomics` backend: adopt the
 * spawner's heap (so primitives made here are shareable too, idents come
 * from the program's counter, and the clock is one timeline), become the
 * thread (`currentThread()` is it), revive the arguments, call the target,
 * and report how it ended.
 *
 * @module
 */
import { setIsolateThread, type ThreadIdentity } from "../../runtime/current_thread.ts";
import { setDefaultBackend } from "../mod.ts";
import { enumerate, mainThread, Thread } from "../../primitives/thread.ts";
import { reviveDeep } from "../../primitives/revive.ts";
import { callTarget, targetsLoaded } from "../../runtime/target.ts";
import { SystemExit } from "../../runtime/system_exit.ts";
import { packError } from "../../runtime/error_transfer.ts";
import { heapOf, useDefaultHeap } from "./_heap_registry.ts";
import { keepAliveForDaemons } from "./_parking_lot.ts";
import { FINISHED, nodeWorkerThreads, type WorkerData, type WorkerMessage } from "./_worker_threads.ts";

/** Runs the thread described by `data` in this Worker, then ends the Worker. */
export async function runWorkerThread(data: WorkerData): Promise<void> {
  const heap = useDefaultHeap(heapOf(data.heap, false));
  // The spawner decides whether this Worker keeps the program alive.
  keepAliveForDaemons();
  // Primitives made in a Worker thread are shareable by default.
  setDefaultBackend("atomics");
  const me = new Thread({ name: data.name, daemon: data.daemon });
  Thread.adoptAsIsolateThread(me, data.ident, (nodeWorkerThreads() as unknown as { threadId: number }).threadId);
  setIsolateThread(me as unknown as ThreadIdentity);
  const post = (message: WorkerMessage) => data.port.postMessage(message);
  try {
    const args = reviveDeep([...data.args]);
    // A revived Barrier's module action must be loaded before a waitSync() may run it.
    await targetsLoaded();
    await callTarget(data.target, args);
  } catch (error) {
    if (!(error instanceof SystemExit)) post({ type: "error", error: packError(error) });
  }
  try {
    // As Python does at exit: wait for the non-daemon threads this thread started.
    for (const thread of enumerate()) {
      if (thread !== me && thread !== mainThread() && !thread.daemon) await thread.join();
    }
  } finally {
    post({ type: "done" });
    data.port.close();
    const view = heap.viewFor(data.state);
    Atomics.store(view, data.state, FINISHED);
    Atomics.notify(view, data.state);
    // End now, whatever the target left behind (timers, open handles).
    (globalThis as unknown as { process: { exit(code: number): never } }).process.exit(0);
  }
}
