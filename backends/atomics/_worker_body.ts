/**
 * The Worker's side of a thread of the `atomics` backend: it adopts the
 * spawner's heap (so primitives made there are shareable too, idents come
 * from the program's counter, and the clock is one timeline), calls the
 * thread's `entry` (a module of the floor above, which makes the `Thread`
 * and calls the target), reports how it ended, and ends its Worker.
 *
 * However the Worker ends, it cleans up after itself before it is gone, so
 * that no thread waits for it in vain: its waits leave their queues and
 * what was on its way to it is given back, the permits it holds of robust
 * semaphores go back, its end is published in its thread block (joiners
 * wake, locks it holds become abandoned), and the Workers it started are
 * stopped (they would die with it, unseen). The ways it can end, and where
 * each is caught:
 *
 * | end                                   | caught in                          | block's end |
 * |---------------------------------------|------------------------------------|-------------|
 * | the target returns (or `SystemExit`)  | `runWorkerThread`                  | RETURNED    |
 * | the target raises                     | `runWorkerThread`                  | DIED        |
 * | an uncaught error or rejection        | the global `error` / `unhandledrejection` listener | DIED |
 * | `Deno.exit()` / `process.exit()`      | the global `unload` listener       | DIED        |
 * | `terminate` (a cancellation point)    | a wait of the lot, or the port     | DIED        |
 * | a crash the runtime does not report   | the spawner's `exit` listener      | DIED        |
 *
 * @module
 */
import type { WorkerThreadStart } from "../types.ts";
import { HOLDER_DIED, HOLDER_RETURNED } from "../types.ts";
import { heapOf, releaseIsolateHeaps, useDefaultHeap } from "./_heap_registry.ts";
import { keepAliveForDaemons, lotFor, onCancellation } from "./_parking_lot.ts";
import { T_EXIT } from "./_thread_block.ts";
import { useHolderTag } from "./_shared_cells.ts";
import { stopLiveWorkers, type WorkerData, type WorkerMessage } from "./_worker_protocol.ts";
import { packError } from "../../runtime/error_transfer.ts";
import { SystemExit } from "../../runtime/system_exit.ts";
import { loadTarget } from "../../runtime/target.ts";
import { runIsolateEndHooks } from "../../runtime/isolate_end.ts";

/** The exit code of a Worker stopped by `terminate`. */
const CANCELLED_EXIT_CODE = 1;
/** How long a dying Worker gives the Workers it started to stop at a cancellation point. */
const CHILDREN_GRACE_MS = 1000;

type Exit = (code: number) => never;

// `process.exit`, taken before the thread's code runs (which could replace it), called on `process`.
function processExit(): Exit {
  const process = (globalThis as unknown as { process: { exit: Exit } }).process;
  const exit = process.exit;
  return (code) => exit.call(process, code);
}

/**
 * Runs the thread described by `data` in this Worker, then ends the Worker.
 *
 * @param data What the spawner sent.
 * @param threadId The Worker's thread id.
 */
export async function runWorkerThread(data: WorkerData, threadId: number): Promise<void> {
  const heap = useDefaultHeap(heapOf(data.heap, false));
  // Before anything parks or locks: this thread's tag is its block.
  useHolderTag(heap, data.state);
  // The spawner decides whether this Worker keeps the program alive.
  keepAliveForDaemons();
  const exit = processExit();
  const post = (message: WorkerMessage) => data.port.postMessage(message);
  let ending = false;
  // Cleans up after this thread (see the module doc); runs once, however it ends.
  const end = (how: number, code: number): void => {
    if (ending) return;
    ending = true;
    // From here on, its own waits (for the Workers it started) are not cut short by a stop request.
    onCancellation(undefined);
    stopLiveWorkers(CHILDREN_GRACE_MS);
    const view = heap.viewFor(data.state + T_EXIT);
    Atomics.store(view, data.state + T_EXIT, code);
    runIsolateEndHooks();
    lotFor(heap).endIsolate(how);
    // No finalizer will run in this isolate any more: give back its references and idle records now.
    releaseIsolateHeaps();
    post({ type: "ended", tagged: heap.holderTagUsed });
  };
  const die = (error: unknown): never => {
    if (!ending) post({ type: "error", error: packError(error) });
    end(HOLDER_DIED, 1);
    return exit(1);
  };
  const stop = (): never => {
    end(HOLDER_DIED, CANCELLED_EXIT_CODE);
    return exit(CANCELLED_EXIT_CODE);
  };
  // A wait of the library that finds this thread asked to stop ends it there.
  onCancellation(stop);
  // A stop request while the thread awaits something else: taken at its next turn of the event loop.
  data.port.on("message", (message) => {
    if ((message as WorkerMessage)?.type === "cancel") stop();
  });
  data.port.unref();
  // An error no code of the thread caught ends the thread (first: a listener of its own that would
  // keep the Worker alive does not run), as it would end the Worker; an exit in the thread's code
  // (`Deno.exit()`, `process.exit()`) ends it too, and the Worker cleans up before it goes.
  const exited = (code: number | undefined) => end(HOLDER_DIED, code ?? 0);
  const g = globalThis as unknown as {
    addEventListener?: typeof globalThis.addEventListener;
    Deno?: { exitCode?: number };
    process: { exitCode?: number; on(event: string, listener: (value: never) => void): void };
  };
  if (typeof g.addEventListener === "function") {
    g.addEventListener("error", (event) => {
      event.preventDefault();
      die((event as ErrorEvent).error);
    });
    g.addEventListener("unhandledrejection", (event) => {
      event.preventDefault();
      die(event.reason);
    });
    g.addEventListener("unload", () => exited(g.Deno?.exitCode ?? g.process.exitCode));
  } else {
    // Node: no global events; its process events instead.
    g.process.on("uncaughtException", die);
    g.process.on("unhandledRejection", die);
    g.process.on("exit", exited);
  }
  let how = HOLDER_RETURNED;
  try {
    const entry = await loadTarget(data.entry);
    const start: WorkerThreadStart = {
      backend: "atomics",
      ident: data.ident,
      name: data.name,
      daemon: data.daemon,
      nativeId: threadId,
      target: data.target,
      args: data.args,
    };
    await entry(start);
  } catch (error) {
    if (!(error instanceof SystemExit)) {
      how = HOLDER_DIED;
      post({ type: "error", error: packError(error) });
    }
  } finally {
    post({ type: "done" });
    end(how, 0);
    // End now, whatever the target left behind (timers, open handles).
    exit(0);
  }
}
