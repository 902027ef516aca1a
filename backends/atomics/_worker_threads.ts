/**
 * Threads of the `atomics` backend: each runs in a `node:worker_threads`
 * Worker (Deno supports them), whose `unref()` gives daemon threads.
 *
 * This module is also the Worker's entry point: a Worker loads the very
 * module that spawned it (`import.meta.url`), which keeps working when the
 * package is consumed from JSR or through its npm layer, where a separate
 * worker file would be renamed. Loaded as the main module of a Worker with
 * our tag, it runs the thread (`_worker_body.ts`).
 *
 * The spawner and the Worker talk through a `MessageChannel` (the thread's
 * uncaught exception; a request to stop) and the thread's block in the heap
 * (`_thread_block.ts`: its end, its exit code, the stop request), so that a
 * blocking `joinSync()` can wait in the parking lot and then read the
 * exception with `receiveMessageOnPort`, without the event loop.
 *
 * Stopping a thread (`terminate`) does not call `worker.terminate()`: on
 * Deno 2.9.6 it takes effect only when the Worker returns to its event loop,
 * while its `exit` event fires at once (a Worker parked in `Atomics.wait`
 * wakes later and runs on, a busy one runs until it yields); and where it
 * stops a Worker mid-call (Node, by its documentation), it may stop it
 * inside an operation on shared memory. Instead the thread is asked to stop, and stops itself at its next
 * cancellation point, cleaning up as it goes; its end is known only once it
 * is real.
 *
 * @module
 */
import type { ModuleTarget, SpawnRequest, ThreadHandle } from "../types.ts";
import { HOLDER_DIED, HOLDER_RUNNING, PARK_INVALID, type ParkRequest } from "../types.ts";
import { BlockTag, type SharedHeap } from "./_heap.ts";
import { cancelIsolate, lotFor, sweepDeadIsolate } from "./_parking_lot.ts";
import { NOT_IN_A_SLAB, SharedCells } from "./_shared_cells.ts";
import { T_END, T_EXIT, THREAD_BLOCK_SIZE } from "./_thread_block.ts";
import {
  type LiveWorker,
  liveWorkers,
  maybeWorkerThreads,
  type NodeWorker,
  nodeWorkerThreads,
  WORKER_TAG,
  type WorkerData,
  type WorkerMessage,
} from "./_worker_protocol.ts";
import { runWorkerThread } from "./_worker_body.ts";
import { unpackError } from "../../runtime/error_transfer.ts";
import { RuntimeError } from "../../runtime/errors.ts";
import { isWorkerIsolate } from "../../runtime/interrupt.ts";
import { SystemExit } from "../../runtime/system_exit.ts";
import { importingTarget } from "../../runtime/target.ts";

/** Starts `request`'s call in a new Worker. */
export function spawnWorkerThread(
  heap: SharedHeap,
  request: SpawnRequest,
  call: NonNullable<SpawnRequest["call"]>,
): ThreadHandle {
  refuseWhileImportingTarget(request);
  const wt = nodeWorkerThreads();
  // Given back after the Worker has exited if no lock ever took its tag (see `untagged`).
  const block = heap.allocateBlock(THREAD_BLOCK_SIZE, BlockTag.Thread, true);
  const { port1, port2 } = new wt.MessageChannel();
  const name = request.thread.name;
  const data: WorkerData = {
    tag: WORKER_TAG,
    heap: heap.buffer,
    state: block,
    ident: request.thread.ident,
    name,
    daemon: request.thread.daemon,
    target: moduleReference(call.target),
    entry: moduleReference(call.entry),
    args: call.args,
    port: port2,
  };
  let worker: NodeWorker;
  try {
    worker = new wt.Worker(new URL(import.meta.url), {
      workerData: data,
      transferList: [port2],
      name,
      ...(call.stackSize > 0 ? { resourceLimits: { stackSizeMb: call.stackSize / 2 ** 20 } } : {}),
    });
  } catch (error) {
    port1.close();
    port2.close();
    heap.freeBlock(block, BlockTag.Thread);
    throw error;
  }
  let failed = false;
  let error: unknown = undefined;
  let done = false;
  let ended = false;
  // The Worker cleaned up and no lock ever held its tag (a lock's state names its holder's block):
  // nothing refers to its block once it has exited, so the block is given back then.
  let untagged = false;
  const take = (message: unknown) => {
    const m = message as WorkerMessage;
    if (m?.type === "error" && !failed) {
      failed = true;
      error = unpackError(m.error);
    } else if (m?.type === "done") done = true;
    else if (m?.type === "ended") untagged = !m.tagged;
  };
  const drain = () => {
    for (let m = wt.receiveMessageOnPort(port1); m !== undefined; m = wt.receiveMessageOnPort(port1)) take(m.message);
  };
  const endWord = () => Atomics.load(heap.viewFor(block + T_END), block + T_END);
  // The thread has ended (it published its end), or its Worker is gone without doing so (`exitCode` known).
  const end = (exitCode?: number) => {
    if (ended) return;
    ended = true;
    liveWorkers.delete(live);
    drain();
    port1.close();
    if (endWord() === HOLDER_RUNNING) {
      // Gone without cleaning up after itself (a crash): what it left in the lot is swept now.
      const view = heap.viewFor(block + T_EXIT);
      Atomics.store(view, block + T_EXIT, exitCode ?? 1);
      sweepDeadIsolate(heap, block, HOLDER_DIED);
    }
    // Neither returned nor raised: its Worker exited (or was stopped), with this code.
    if (!done && !failed) {
      failed = true;
      error = new SystemExit(Atomics.load(heap.viewFor(block + T_EXIT), block + T_EXIT));
    }
    request.onEnd(failed, error);
  };
  port1.on("message", take);
  worker.on("error", (e) => {
    // Escaped the Worker's own handlers (an error while it loads, say).
    if (!failed) {
      failed = true;
      error = e;
    }
  });
  worker.on("exit", (code) => {
    end(code);
    if (untagged) heap.freeBlock(block, BlockTag.Thread);
  });
  if (request.thread.daemon) {
    worker.unref();
    port1.unref();
  }
  const joinRequest = (timeout: number): ParkRequest<boolean> => ({
    subject: { label: `thread '${name}'` },
    op: "join",
    timeout,
    timeoutValue: false,
    validate: () => endWord() === HOLDER_RUNNING,
    wake: () => true,
  });
  const joinSync = (timeout: number): boolean => {
    if (ended) return true;
    const cells = new SharedCells(block, NOT_IN_A_SLAB, THREAD_BLOCK_SIZE);
    const lot = lotFor(heap);
    const deadline = timeout === Infinity ? Infinity : performance.now() + timeout;
    while (endWord() === HOLDER_RUNNING) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) return false;
      const parked = lot.parkSync(cells, T_END, joinRequest(remaining));
      if (parked === false) return false;
      if (parked === PARK_INVALID) break;
    }
    end();
    return true;
  };
  const cancel = () => {
    if (ended) return;
    cancelIsolate(heap, block);
    port1.postMessage({ type: "cancel" } satisfies WorkerMessage);
  };
  const live: LiveWorker = {
    cancel,
    joinSync,
    forget() {
      if (endWord() === HOLDER_RUNNING) sweepDeadIsolate(heap, block, HOLDER_DIED);
    },
  };
  liveWorkers.add(live);
  return { nativeId: worker.threadId, terminate: cancel, joinSync };
}

// Python refuses to start a process while a spawned child imports the main
// module (its bootstrapping phase); here, while a Worker imports a target's
// module, whose top level would otherwise start a Worker that imports it again.
function refuseWhileImportingTarget(request: SpawnRequest): void {
  const module = importingTarget();
  if (module === undefined || !isWorkerIsolate()) return;
  throw new RuntimeError(
    `Cannot start thread '${request.thread.name}' while this Worker imports ${module} to find its target: that module starts threads when it is imported, so each Worker that imports it would start another, without end. Guard the module's top-level code with 'if (import.meta.main) { ... }' (Python's 'if __name__ == "__main__":'), so that it runs only in the program's main module`,
  );
}

function moduleReference(target: ModuleTarget): { readonly module: string; readonly export: string } {
  return { module: String(target.module), export: target.export };
}

// The Worker's side: this module is its entry point.
if (import.meta.main) startIfWorker();

function startIfWorker(): void {
  const wt = maybeWorkerThreads();
  const data = wt && !wt.isMainThread ? wt.workerData as WorkerData | undefined : undefined;
  if (data?.tag !== WORKER_TAG) return;
  runWorkerThread(data, wt!.threadId);
}
