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

/**
 * What the registry keeps of a wait: enough to describe it on demand. The
 * registry links its entries into an intrusive list through `pendingPrev` /
 * `pendingNext` (a `Set` of fresh objects costs over 100 ns per add+delete,
 * the bulk of a contended hand-off); give them initial `undefined` values
 * in the entry's constructor so V8 keeps one shape.
 */
export interface RegisteredWait {
  readonly backend: string;
  readonly request: { readonly op: string; readonly subject: { readonly label: string } };
  readonly thread: { readonly name: string };
  /** The previous entry (owned by the registry; `undefined` while not registered). */
  pendingPrev?: RegisteredWait | undefined;
  /** The next entry (owned by the registry; `undefined` while not registered). */
  pendingNext?: RegisteredWait | undefined;
}

// A circular list with a sentinel, oldest first: O(1) add and remove, no hashing.
const waits = { pendingPrev: undefined, pendingNext: undefined } as unknown as RegisteredWait;
waits.pendingPrev = waits.pendingNext = waits;
const threads = new Set<{ readonly name: string }>();

/** Registers a wait (at most once until {@linkcode endWait}). */
export function beginWait(entry: RegisteredWait): void {
  if (entry.pendingNext !== undefined) return;
  const last = waits.pendingPrev!;
  entry.pendingPrev = last;
  entry.pendingNext = waits;
  last.pendingNext = entry;
  waits.pendingPrev = entry;
}

/** Removes a wait registered with {@linkcode beginWait}; does nothing if it is not registered. */
export function endWait(entry: RegisteredWait): void {
  const next = entry.pendingNext;
  if (next === undefined) return;
  const prev = entry.pendingPrev!;
  prev.pendingNext = next;
  next.pendingPrev = prev;
  entry.pendingPrev = entry.pendingNext = undefined;
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
  const list: PendingWait[] = [];
  for (let w = waits.pendingNext!; w !== waits; w = w.pendingNext!) {
    list.push({ backend: w.backend, op: w.request.op, subject: w.request.subject.label, thread: w.thread.name });
  }
  return list;
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
