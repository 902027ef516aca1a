/**
 * What a Worker thread of the `atomics` backend and its spawner share: the
 * `workerData` it starts with, the messages on its port, the parts of
 * `node:worker_threads` used, and the Worker threads this isolate started
 * and that still run.
 *
 * @module
 */

/** Marks the Worker's `workerData` as ours. */
export const WORKER_TAG = "@locksmith/threading:worker";

/** What a Worker thread receives. */
export interface WorkerData {
  readonly tag: typeof WORKER_TAG;
  readonly heap: SharedArrayBuffer;
  /** Its thread block (`_thread_block.ts`): its holder tag. */
  readonly state: number;
  readonly ident: number;
  readonly name: string;
  readonly daemon: boolean;
  readonly target: { readonly module: string; readonly export: string };
  readonly entry: { readonly module: string; readonly export: string };
  readonly args: readonly unknown[];
  readonly port: MessagePortLike;
}

/**
 * A message between a Worker and its spawner: to the spawner, the thread's
 * uncaught exception and its normal end; to the Worker, a request to stop.
 */
export type WorkerMessage =
  | { readonly type: "error"; readonly error: unknown }
  | { readonly type: "done" }
  // Sent as the Worker's thread has cleaned up: whether a lock ever took its holder tag.
  | { readonly type: "ended"; readonly tagged: boolean }
  | { readonly type: "cancel" };

/** The parts of `node:worker_threads` used here. */
export interface WorkerThreadsModule {
  readonly isMainThread: boolean;
  readonly workerData: unknown;
  readonly threadId: number;
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

/** A `node:worker_threads` Worker. */
export interface NodeWorker {
  readonly threadId: number;
  on(event: "exit", listener: (code: number) => void): void;
  on(event: "error", listener: (error: unknown) => void): void;
  unref(): void;
}

let workerThreads: WorkerThreadsModule | undefined;

/** `node:worker_threads`, loaded without a static import (edge runtimes have none). */
export function nodeWorkerThreads(): WorkerThreadsModule {
  if (workerThreads) return workerThreads;
  const module = maybeWorkerThreads();
  if (module === undefined) {
    throw new TypeError(
      "Cannot start a thread on the 'atomics' backend: this runtime has no node:worker_threads (Deno and Node have it)",
    );
  }
  return workerThreads = module;
}

/** `node:worker_threads` if the runtime has it. */
export function maybeWorkerThreads(): WorkerThreadsModule | undefined {
  const process = (globalThis as { process?: { getBuiltinModule?(name: string): unknown } }).process;
  return process?.getBuiltinModule?.("node:worker_threads") as WorkerThreadsModule | undefined;
}

/** A Worker thread this isolate started, as a dying isolate stops it. */
export interface LiveWorker {
  /** Asks it to stop (see `ThreadHandle.terminate`). */
  cancel(): void;
  /** Waits up to `timeout` ms for it to end; says whether it did. */
  joinSync(timeout: number): boolean;
  /** Gives it up for dead: cleans up after it as after a crash. */
  forget(): void;
}

/** The Worker threads this isolate started that have not ended. */
export const liveWorkers: Set<LiveWorker> = new Set();

/**
 * This isolate is ending, and the runtime stops the Workers it started with
 * it, where they stand (they would die unseen): asks each to stop, gives
 * them `graceMs` in all to do so at a cancellation point, and cleans up
 * after those that did not.
 */
export function stopLiveWorkers(graceMs: number): void {
  const workers = [...liveWorkers];
  for (const w of workers) w.cancel();
  const deadline = performance.now() + graceMs;
  for (const w of workers) {
    if (!w.joinSync(Math.max(0, deadline - performance.now()))) w.forget();
  }
}
