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
  /** When the wait began, from {@linkcode nextWaitSeq} (orders the list). */
  pendingSeq?: number;
  /**
   * Ends the wait with `reason`, leaving its queue as an abort would
   * (`interruptMain()` ends the main thread's waits this way), and says
   * whether it was still parked (a wake that won the race stands). Absent:
   * the wait cannot be interrupted.
   */
  interrupt?(reason: unknown): boolean;
}

/**
 * Waits registered as one: a queue whose waiters are all pending registers
 * while it is not empty, so a busy queue costs the registry nothing per wait.
 */
export interface WaitGroup {
  /** The previous group (owned by the registry). */
  pendingPrev?: WaitGroup | undefined;
  /** The next group (owned by the registry). */
  pendingNext?: WaitGroup | undefined;
  /** The group's waits, each with its `pendingSeq`. */
  [Symbol.iterator](): Iterator<RegisteredWait>;
}

interface Links<T> {
  pendingPrev?: T | undefined;
  pendingNext?: T | undefined;
}

// Circular lists with a sentinel: O(1) add and remove, no hashing.
function sentinel<T extends Links<T>>(): T {
  const head = { pendingPrev: undefined, pendingNext: undefined } as unknown as T;
  head.pendingPrev = head.pendingNext = head;
  return head;
}

function link<T extends Links<T>>(head: T, entry: T): void {
  if (entry.pendingNext !== undefined) return;
  const last = head.pendingPrev!;
  entry.pendingPrev = last;
  entry.pendingNext = head;
  last.pendingNext = entry;
  head.pendingPrev = entry;
}

function unlink<T extends Links<T>>(entry: T): void {
  const next = entry.pendingNext;
  if (next === undefined) return;
  const prev = entry.pendingPrev!;
  prev.pendingNext = next;
  next.pendingPrev = prev;
  entry.pendingPrev = entry.pendingNext = undefined;
}

const waits = sentinel<RegisteredWait>();
const groups = sentinel<WaitGroup>();
const threads = new Set<{ readonly name: string }>();
let seq = 0;

/** A number for a wait that begins now: waits are listed in this order. */
export function nextWaitSeq(): number {
  return ++seq;
}

/** Registers a wait (at most once until {@linkcode endWait}). */
export function beginWait(entry: RegisteredWait): void {
  entry.pendingSeq = ++seq;
  link(waits, entry);
}

/** Removes a wait registered with {@linkcode beginWait}; does nothing if it is not registered. */
export function endWait(entry: RegisteredWait): void {
  unlink(entry);
}

/** Registers a group of waits (a queue that has just become non-empty). */
export function beginWaitGroup(group: WaitGroup): void {
  link(groups, group);
}

/** Removes a group registered with {@linkcode beginWaitGroup} (its queue is empty again). */
export function endWaitGroup(group: WaitGroup): void {
  unlink(group);
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
  return registeredWaits().map((w) => ({
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

/** The registered waits themselves, oldest first (`interruptMain()` ends the main thread's). */
export function registeredWaits(): RegisteredWait[] {
  const all: RegisteredWait[] = [];
  for (let w = waits.pendingNext!; w !== waits; w = w.pendingNext!) all.push(w);
  for (let g = groups.pendingNext!; g !== groups; g = g.pendingNext!) all.push(...g);
  all.sort((a, b) => (a.pendingSeq ?? 0) - (b.pendingSeq ?? 0));
  return all;
}
