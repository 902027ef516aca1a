/**
 * Which thread is running. Threads of the in-isolate backends are async
 * tasks, so the current thread is carried by `AsyncLocalStorage`: it follows
 * the task across every `await`, not the event loop's turn. Code outside any
 * started thread runs as the isolate's own thread (the main thread, or the
 * thread a Worker was started for).
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** What the kernel needs to know of a thread. */
export interface ThreadIdentity {
  /** Distinct among live threads. */
  readonly ident: number;
  /** The thread's name. */
  readonly name: string;
  /** A daemon thread does not keep the program alive. */
  readonly daemon: boolean;
}

const storage = new AsyncLocalStorage<ThreadIdentity>();
let isolateThread: ThreadIdentity = { ident: 1, name: "MainThread", daemon: false };

/** The thread running now. */
export function currentIdentity(): ThreadIdentity {
  return storage.getStore() ?? isolateThread;
}

/** Runs `fn` (and every task it starts) as `thread`. */
export function runAsThread<T>(thread: ThreadIdentity, fn: () => T): T {
  return storage.run(thread, fn);
}

/** Sets the thread that code outside any started thread runs as. */
export function setIsolateThread(thread: ThreadIdentity): void {
  isolateThread = thread;
}
