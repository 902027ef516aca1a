/**
 * Threads of the `atomics` backend: each runs in a `node:worker_threads`
 * Worker (Deno supports them): `unref()` gives daemon threads, and
 * `terminate()` can stop a Worker even inside `Atomics.wait`, which a Web
 * Worker's cannot.
 *
 * This module is also the Worker's entry point: a Worker loads the very
 * module that spawned it (`import.meta.url`), which keeps working when the
 * package is consumed from JSR or through its npm layer, where a separate
 * worker file would be renamed. Loaded as the main module of a Worker with
 * our tag, it adopts the spawner's heap (so primitives made there are
 * shareable too, idents come from the program's counter, and the clock is
 * one timeline), calls the thread's `entry` (a module of the floor above,
 * which makes the `Thread` and calls the target), and reports how it ended.
 *
 * The spawner and the Worker talk through a `MessageChannel` (the thread's
 * uncaught exception) and one shared cell (the thread's state), so a
 * blocking `joinSync()` can wait in `Atomics.wait` and then read the
 * exception with `receiveMessageOnPort`, without the event loop.
 *
 * @module
 */
import type { ModuleTarget, SpawnRequest, ThreadHandle, WorkerThreadStart } from "../types.ts";
import { BlockTag, type SharedHeap } from "./_heap.ts";
import { heapOf, releaseIsolateHeaps, useDefaultHeap } from "./_heap_registry.ts";
import { keepAliveForDaemons } from "./_parking_lot.ts";
import { packError, unpackError } from "../../runtime/error_transfer.ts";
import { SystemExit } from "../../runtime/system_exit.ts";
import { loadTarget } from "../../runtime/target.ts";

/** Marks the Worker's `workerData` as ours. */
export const WORKER_TAG = "@locksmith/threading:worker";
/** The thread's state cell: running. */
export const RUNNING = 0;
/** The thread's state cell: its target has ended (messages are posted). */
export const FINISHED = 1;

/** What a Worker thread receives. */
export interface WorkerData {
  readonly tag: typeof WORKER_TAG;
  readonly heap: SharedArrayBuffer;
  readonly state: number;
  readonly ident: number;
  readonly name: string;
  readonly daemon: boolean;
  readonly target: { readonly module: string; readonly export: string };
  readonly entry: { readonly module: string; readonly export: string };
  readonly args: readonly unknown[];
  readonly port: MessagePortLike;
}

/** A message from the Worker to its spawner. */
export type WorkerMessage = { readonly type: "error"; readonly error: unknown } | { readonly type: "done" };

/** The parts of `node:worker_threads` used here. */
interface WorkerThreadsModule {
  readonly isMainThread: boolean;
  readonly workerData: unknown;
  readonly Worker: new (url: URL, options: Record<string, unknown>) => NodeWorker;
  readonly MessageChannel: new () => { port1: MessagePortLike; port2: MessagePortLike };
  receiveMessageOnPort(port: MessagePortLike): { message: unknown } | undefined;
}

/** A `node:worker_threads` MessagePort. */
export interface MessagePortLike {
  postMessage(message: unknown): void;
  on(event: "message", listener: (message: unknown) => void): void;
  close(): void;
  unref(): void;
}

interface NodeWorker {
  readonly threadId: number;
  on(event: "exit", listener: (code: number) => void): void;
  on(event: "error", listener: (error: unknown) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}

let workerThreads: WorkerThreadsModule | undefined;

/** `node:worker_threads`, loaded without a static import (edge runtimes have none). */
export function nodeWorkerThreads(): WorkerThreadsModule {
  if (workerThreads) return workerThreads;
  const process = (globalThis as { process?: { getBuiltinModule?(name: string): unknown } }).process;
  const module = process?.getBuiltinModule?.("node:worker_threads") as WorkerThreadsModule | undefined;
  if (module === undefined) {
    throw new TypeError(
      "Cannot start a thread on the 'atomics' backend: this runtime has no node:worker_threads (Deno and Node have it)",
    );
  }
  return workerThreads = module;
}

/** Starts `request`'s call in a new Worker. */
export function spawnWorkerThread(
  heap: SharedHeap,
  request: SpawnRequest,
  call: NonNullable<SpawnRequest["call"]>,
): ThreadHandle {
  const wt = nodeWorkerThreads();
  // Given back once the Worker has exited: nothing touches it then.
  const state = heap.allocateBlock(1, BlockTag.Thread, true);
  const { port1, port2 } = new wt.MessageChannel();
  const data: WorkerData = {
    tag: WORKER_TAG,
    heap: heap.buffer,
    state,
    ident: request.thread.ident,
    name: request.thread.name,
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
      name: request.thread.name,
      ...(call.stackSize > 0 ? { resourceLimits: { stackSizeMb: call.stackSize / 2 ** 20 } } : {}),
    });
  } catch (error) {
    port1.close();
    port2.close();
    heap.freeBlock(state, BlockTag.Thread);
    throw error;
  }
  let failed = false;
  let error: unknown = undefined;
  let ended = false;
  const take = (message: unknown) => {
    const m = message as WorkerMessage;
    if (m?.type === "error" && !failed) {
      failed = true;
      error = unpackError(m.error);
    }
  };
  const drain = () => {
    for (let m = wt.receiveMessageOnPort(port1); m !== undefined; m = wt.receiveMessageOnPort(port1)) take(m.message);
  };
  const end = () => {
    if (ended) return;
    ended = true;
    drain();
    port1.close();
    request.onEnd(failed, error);
  };
  port1.on("message", take);
  worker.on("error", (e) => {
    // Escaped the bootstrap (a stray rejection after the target ended, say).
    if (!failed) {
      failed = true;
      error = e;
    }
  });
  // A terminated Worker may still run (and write its state) after its exit
  // event on this runtime: its state cell is not given back.
  let terminated = false;
  worker.on("exit", () => {
    end();
    if (!terminated) heap.freeBlock(state, BlockTag.Thread);
  });
  if (request.thread.daemon) {
    worker.unref();
    port1.unref();
  }
  const view = () => heap.viewFor(state);
  return {
    nativeId: worker.threadId,
    terminate(): void {
      if (ended) return;
      terminated = true;
      // node:worker_threads' terminate stops even a Worker in Atomics.wait or a busy loop.
      worker.terminate().catch(() => {});
      // The Worker will never mark itself finished: mark it, so that a joinSync
      // (which blocks this isolate's event loop, and so the exit event) returns.
      const v = view();
      Atomics.store(v, state, FINISHED);
      Atomics.notify(v, state);
    },
    joinSync(timeout: number): boolean {
      if (ended) return true;
      const deadline = timeout === Infinity ? Infinity : performance.now() + timeout;
      for (;;) {
        const v = view();
        if (Atomics.load(v, state) === FINISHED) break;
        const remaining = deadline - performance.now();
        if (remaining <= 0) return false;
        Atomics.wait(v, state, RUNNING, remaining);
      }
      end();
      return true;
    },
  };
}

function moduleReference(target: ModuleTarget): { readonly module: string; readonly export: string } {
  return { module: String(target.module), export: target.export };
}

// The Worker's side: this module is its entry point.
if (import.meta.main) startIfWorker();

function startIfWorker(): void {
  const process = (globalThis as { process?: { getBuiltinModule?(name: string): unknown } }).process;
  const wt = process?.getBuiltinModule?.("node:worker_threads") as WorkerThreadsModule | undefined;
  const data = wt && !wt.isMainThread ? wt.workerData as WorkerData | undefined : undefined;
  if (data?.tag !== WORKER_TAG) return;
  runWorkerThread(data, (wt as unknown as { threadId: number }).threadId);
}

// Runs the thread described by `data` in this Worker, then ends the Worker.
async function runWorkerThread(data: WorkerData, threadId: number): Promise<void> {
  const heap = useDefaultHeap(heapOf(data.heap, false));
  // The spawner decides whether this Worker keeps the program alive.
  keepAliveForDaemons();
  const post = (message: WorkerMessage) => data.port.postMessage(message);
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
    if (!(error instanceof SystemExit)) post({ type: "error", error: packError(error) });
  } finally {
    post({ type: "done" });
    data.port.close();
    // No finalizer will run in this isolate any more: give back what it holds now, before it reports the end.
    releaseIsolateHeaps();
    const view = heap.viewFor(data.state);
    Atomics.store(view, data.state, FINISHED);
    Atomics.notify(view, data.state);
    // End now, whatever the target left behind (timers, open handles).
    (globalThis as unknown as { process: { exit(code: number): never } }).process.exit(0);
  }
}
