/**
 * Where a Worker thread starts, once its backend has set the Worker up (on
 * `atomics`: adopted the spawner's heap): it becomes the thread
 * (`currentThread()` is a `Thread` with the spawner's ident and name),
 * revives the arguments, calls the target and, as Python does at exit,
 * waits for the non-daemon threads it started. An exception escaping the
 * target rejects, and the backend carries it to the spawner.
 *
 * @module
 */
import { setDefaultBackend } from "../backends/mod.ts";
import type { WorkerThreadStart } from "../backends/types.ts";
import { setIsolateThread, type ThreadIdentity } from "../runtime/current_thread.ts";
import { callTarget, targetsLoaded } from "../runtime/target.ts";
import { reviveDeep } from "../primitives/revive.ts";
import { enumerate, mainThread, Thread } from "../primitives/thread.ts";
// Every shareable kind registers itself as its module loads: load them all, so that any argument revives.
import "../primitives/barrier.ts";
import "../primitives/condition.ts";
import "../primitives/lock.ts";
import "../primitives/rlock.ts";
import "../primitives/semaphore.ts";
import "../queue/simple_queue.ts";
import "../queue/lifo_queue.ts";
import "../queue/priority_queue.ts";

/**
 * Runs a thread in this Worker (a `SpawnRequest`'s `entry`).
 *
 * @param start Who the thread is and what it calls.
 * @returns Resolves when the target and the non-daemon threads it started have ended.
 */
export async function runWorkerThread(start: WorkerThreadStart): Promise<void> {
  // Primitives made in a Worker thread are on its backend by default (shareable, on `atomics`).
  setDefaultBackend(start.backend);
  const me = new Thread({ name: start.name, daemon: start.daemon });
  Thread.adoptAsIsolateThread(me, start.ident, start.nativeId);
  setIsolateThread(me as unknown as ThreadIdentity);
  try {
    const args = reviveDeep([...start.args]);
    // A revived Barrier's module action must be loaded before a waitSync() may run it.
    await targetsLoaded();
    await callTarget(start.target, args);
  } finally {
    for (const thread of enumerate()) {
      if (thread !== me && thread !== mainThread() && !thread.daemon) await thread.join();
    }
  }
}
