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

// Set while a waiter's `wake` runs on the stack of the thread that woke it.
let waking: ThreadIdentity | undefined;
// Until a thread first runs here, every context is the isolate's own thread's, and the
// store's lookup (tens of ns, on every park) can be skipped.
let threadsRan = false;

/** The thread running now. */
export function currentIdentity(): ThreadIdentity {
  return waking ?? (threadsRan ? storage.getStore() ?? isolateThread : isolateThread);
}

/**
 * Runs a parked waiter's `wake(token)` as the waiter's own thread, though it
 * runs on the waker's stack: a lock handed off this way records the waiter as
 * its owner, not the thread that released it. Synchronous code only (cheaper
 * than `runAsThread`, which a hand-off cannot afford).
 */
export function wakeAs<T>(thread: ThreadIdentity, request: { wake(token: number): T }, token: number): T {
  const previous = waking;
  waking = thread;
  try {
    return request.wake(token);
  } finally {
    waking = previous;
  }
}

/** Runs `fn` (and every task it starts) as `thread`. */
export function runAsThread<T>(thread: ThreadIdentity, fn: () => T): T {
  threadsRan = true;
  return storage.run(thread, fn);
}

/**
 * Runs `fn` outside every thread, in the context this module was loaded in.
 * A first `import()` started inside a thread leaks that thread's context into
 * later tasks Deno starts itself (the next `Deno.test` ran as the thread), so
 * module targets are imported through this.
 */
export const outsideThreads: <T>(fn: () => T) => T = typeof AsyncLocalStorage.snapshot === "function"
  ? AsyncLocalStorage.snapshot()
  : (fn) => fn(); // without snapshot() (older runtimes), imports run in the thread's context

let issuedIdent = 1; // 1 is the main thread
let identSource: (() => number) | undefined;

/** A new thread ident, distinct from every ident issued in the program. */
export function nextIdent(): number {
  return identSource ? identSource() : ++issuedIdent;
}

/**
 * Makes idents come from a counter shared by every thread of the program
 * (Workers included). `make` receives the highest ident issued here so far,
 * so the shared counter can start above it.
 */
export function shareIdents(make: (issued: number) => () => number): void {
  identSource = make(issuedIdent);
}

let renumber: ((ident: number) => void) | undefined;

/** Registers how the isolate's own thread takes a new ident (the `Thread` module does). */
export function onRenumberIsolateThread(hook: (ident: number) => void): void {
  renumber = hook;
}

/**
 * Gives the isolate's own thread a new ident: a Worker the library did not
 * start begins, like every isolate, as ident 1, which is the main thread's;
 * once it shares primitives with the program it needs an ident of its own
 * (an `RLock` is owned by ident).
 */
export function renumberIsolateThread(ident: number): void {
  renumber?.(ident);
}

/** The thread that code outside any started thread runs as (in the main isolate, the main thread). */
export function isolateIdentity(): ThreadIdentity {
  return isolateThread;
}

/** Sets the thread that code outside any started thread runs as. */
export function setIsolateThread(thread: ThreadIdentity): void {
  isolateThread = thread;
}
