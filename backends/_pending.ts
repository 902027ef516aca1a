/**
 * The library's own registry of pending waits and running threads. Deno's
 * test sanitizers cannot see a parked promise or a live Worker, so tests
 * (and users' tests) ask this registry that nothing was left behind.
 *
 * @module
 */

/** One pending wait, as the registry describes it. */
export interface PendingWait {
  /** The backend the wait is parked on. */
  readonly backend: string;
  /** The operation, such as `acquire`. */
  readonly op: string;
  /** The primitive waited on, such as `Lock#3`. */
  readonly subject: string;
  /** The name of the thread that waits. */
  readonly thread: string;
}

/** What the registry keeps of a wait: enough to describe it on demand. */
export interface RegisteredWait {
  readonly backend: string;
  readonly request: { readonly op: string; readonly subject: { readonly label: string } };
  readonly thread: { readonly name: string };
}

const waits = new Set<RegisteredWait>();
const threads = new Set<{ readonly name: string }>();

/** Registers a wait. */
export function beginWait(entry: RegisteredWait): void {
  waits.add(entry);
}

/** Removes a wait registered with {@linkcode beginWait}. */
export function endWait(entry: RegisteredWait): void {
  waits.delete(entry);
}

/** Registers a running thread. */
export function beginThread(thread: { readonly name: string }): void {
  threads.add(thread);
}

/** Removes a thread registered with {@linkcode beginThread}. */
export function endThread(thread: { readonly name: string }): void {
  threads.delete(thread);
}

/**
 * Lists the waits that are parked right now, on every backend of this
 * isolate. A test that ends with an empty list left no waiter behind.
 *
 * @returns One entry per pending wait, oldest first.
 *
 * @example Nothing waits after a lock is used
 * ```ts
 * import { Lock, pendingWaits } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * const lock = new Lock();
 * await lock.acquire();
 * lock.release();
 * assertEquals(pendingWaits(), []);
 * ```
 */
export function pendingWaits(): PendingWait[] {
  return [...waits].map((w) => ({
    backend: w.backend,
    op: w.request.op,
    subject: w.request.subject.label,
    thread: w.thread.name,
  }));
}

/**
 * Lists the names of the threads started and not yet finished, on every
 * backend of this isolate (the main thread is not listed).
 *
 * @returns The names, in the order the threads started.
 *
 * @example No thread is left running
 * ```ts
 * import { runningThreads, Thread } from "@locksmith/threading";
 * import { assertEquals } from "@std/assert";
 *
 * const t = new Thread({ target: () => {} });
 * t.start();
 * await t.join();
 * assertEquals(runningThreads(), []);
 * ```
 */
export function runningThreads(): string[] {
  return [...threads].map((t) => t.name);
}
