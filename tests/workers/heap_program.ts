/**
 * A program for `tests/atomics_heap_test.ts`, run in a child process so that
 * it owns its default atomics heap, made with a small limit (the first
 * argument, in bytes), and can ask for a garbage collection when run with
 * `--v8-flags=--expose-gc`. It prints one JSON line: what the mode measured.
 *
 * Modes (the second argument):
 * - `soak N`: a server that serves N requests, making and dropping a Lock
 *   per request (and an Event, Semaphore or RLock every other one: 1.5 N
 *   primitives, counted), yielding to the event loop between batches as a
 *   server does between requests.
 * - `waits N M`: N concurrent waits end, then M Locks are kept: the Locks
 *   should fit in the memory the waiter records gave back.
 * - `workers N`: N Workers one after another, each waiting in three
 *   tasks at once; the heap's high-water mark after each.
 * - `full`: Locks are kept until the heap refuses one; then waits on an
 *   existing lock and a Worker must still work.
 * - `concurrent N`: three Workers and this thread each make and drop N
 *   Locks at once, and add to one shared counter under one shared Lock
 *   (revived anew every 100 Locks): no new Lock may read as locked, no
 *   increment may be lost.
 * - `inflight`: a Lock handed to a Worker while its maker drops it and
 *   collects garbage stays one lock, and its cells are not reused while the
 *   Worker holds it.
 *
 * @module
 */
import { Event, Lock, revive, RLock, Semaphore, Thread } from "@locksmith/threading";
import { SharedHeap } from "../../backends/atomics/_heap.ts";
import { getDefaultHeap, useDefaultHeap } from "../../backends/atomics/_heap_registry.ts";

const atomics = { backend: "atomics" } as const;
const H_NEXT = 2; // the heap's bump pointer (its high-water mark), in cells

/** Bytes below the heap's bump pointer. */
function highWater(): number {
  return Atomics.load(getDefaultHeap().view, H_NEXT) * 4;
}

function macrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A Worker's body: three tasks wait on `go` at once, then it ends. */
export async function waitThree(go: Event, arrived: Int32Array): Promise<void> {
  const waits = [0, 1, 2].map(() => go.wait());
  Atomics.add(arrived, 0, 1);
  Atomics.notify(arrived, 0);
  await Promise.all(waits);
}

/** A Worker's body: holds `lock` until `release` is set. */
export async function holdUntil(lock: Lock, release: Event, report: Int32Array): Promise<void> {
  const held = await lock.acquire({ timeout: 20_000 });
  Atomics.store(report, 0, held ? 1 : -1);
  Atomics.notify(report, 0);
  await release.wait(20_000);
  lock.release();
}

/** A Worker's (or this thread's) share of `concurrent`: returns how many new Locks read as locked. */
export async function churn(count: number, shared: object, counter: Int32Array): Promise<number> {
  let bad = 0;
  for (let i = 0; i < count; i++) {
    const lock = new Lock(atomics);
    if (!lock.acquireSync(false)) bad++;
    lock.release();
    if (i % 100 === 99) {
      // A new primitive over the shared lock's cells, from a fresh handle each time.
      const guard = revive<Lock>(structuredClone(revive<Lock>(shared)));
      guard.acquireSync();
      counter[0]++;
      guard.release();
    }
    if (i % 1000 === 999) await macrotask();
  }
  Atomics.add(counter, 1, bad);
  return bad;
}

async function concurrent(count: number): Promise<Record<string, number>> {
  const shared = new Lock(atomics);
  const counter = new Int32Array(new SharedArrayBuffer(8));
  const threads = [0, 1, 2].map(() =>
    new Thread({ ...atomics, target: { module: import.meta.url, export: "churn" }, args: [count, shared, counter] })
  );
  threads.forEach((t) => t.start());
  await churn(count, shared, counter);
  for (const t of threads) await t.join(60_000);
  const heap = getDefaultHeap();
  return {
    counter: Atomics.load(counter, 0),
    lockedWhenNew: Atomics.load(counter, 1),
    alive: threads.filter((t) => t.isAlive()).length,
    peakBytes: heap.highWaterBytes(),
  };
}

async function untilAtLeast(cell: Int32Array, value: number): Promise<void> {
  while (Atomics.load(cell, 0) < value) {
    const result = Atomics.waitAsync(cell, 0, Atomics.load(cell, 0), 20_000);
    if (result.async && await result.value === "timed-out") throw new Error("a Worker never reported");
  }
}

async function soak(count: number): Promise<Record<string, number>> {
  const start = highWater();
  let peak = start;
  let made = 0;
  for (let i = 0; i < count; i++) {
    const lock = new Lock(atomics);
    lock.acquireSync();
    lock.release();
    made++;
    if (i & 1) {
      const other = i % 3 === 0 ? new Event(atomics) : i % 3 === 1 ? new Semaphore(1, atomics) : new RLock(atomics);
      if (other instanceof Event) other.set();
      made++;
    }
    if (i % 2000 === 1999) {
      await macrotask();
      peak = Math.max(peak, highWater());
    }
  }
  return { count, primitives: made, startBytes: start, peakBytes: Math.max(peak, highWater()) };
}

async function waits(waiters: number, locks: number): Promise<Record<string, number>> {
  const start = highWater();
  const event = new Event(atomics);
  const all = Array.from({ length: waiters }, () => event.wait());
  event.set();
  await Promise.all(all);
  const afterWaits = highWater();
  const kept = Array.from({ length: locks }, () => new Lock(atomics));
  const afterLocks = highWater();
  if (kept.some((lock) => lock.locked())) throw new Error("a new lock is locked");
  return { startBytes: start, afterWaitsBytes: afterWaits, afterLocksBytes: afterLocks };
}

async function workers(count: number): Promise<Record<string, number[]>> {
  const go = new Event(atomics);
  const arrived = new Int32Array(new SharedArrayBuffer(4));
  const marks: number[] = [];
  for (let i = 0; i < count; i++) {
    go.clear();
    Atomics.store(arrived, 0, 0);
    const t = new Thread({ ...atomics, target: { module: import.meta.url, export: "waitThree" }, args: [go, arrived] });
    t.start();
    await untilAtLeast(arrived, 1);
    go.set();
    await t.join(20_000);
    if (t.isAlive()) throw new Error("a Worker did not end");
    marks.push(highWater());
  }
  return { marks };
}

async function full(): Promise<Record<string, unknown>> {
  const kept: Lock[] = [];
  let refusal = "";
  try {
    for (;;) kept.push(new Lock(atomics));
  } catch (error) {
    refusal = String(error);
  }
  // An existing lock, contended by many waiters at once (each needs a waiter record).
  const lock = kept[0];
  await lock.acquire();
  const waiters = Array.from({ length: 200 }, () => lock.acquire({ timeout: 20_000 }));
  lock.release();
  let acquired = 0;
  for (const waiter of waiters) {
    if (await waiter) acquired++;
    lock.release();
  }
  // A Worker starts, and takes the lock.
  const release = new Event(atomics);
  const report = new Int32Array(new SharedArrayBuffer(4));
  const t = new Thread({
    ...atomics,
    target: { module: import.meta.url, export: "holdUntil" },
    args: [lock, release, report],
  });
  t.start();
  await untilAtLeast(report, 1);
  const workerHeld = lock.locked();
  release.set();
  await t.join(20_000);
  return { kept: kept.length, refusal, acquired, workerHeld, workerAlive: t.isAlive() };
}

// A Lock whose only trace is a handle: the Lock object itself is dropped.
function handleOfDroppedLock(): object {
  return structuredClone(new Lock(atomics));
}

async function collect(gc: () => void): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await macrotask();
  }
}

async function inflight(): Promise<Record<string, unknown>> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");
  const toWorker = handleOfDroppedLock();
  const toSelf = handleOfDroppedLock();
  // Collected, then memory churned: a freed block would be reused now.
  await collect(gc);
  for (let i = 0; i < 5000; i++) new Lock(atomics);
  await collect(gc);
  const release = new Event(atomics);
  const report = new Int32Array(new SharedArrayBuffer(4));
  const t = new Thread({
    ...atomics,
    target: { module: import.meta.url, export: "holdUntil" },
    args: [toWorker, release, report],
  });
  t.start();
  await untilAtLeast(report, 1);
  const mine = revive<Lock>(toSelf);
  const selfHeld = mine.acquireSync(false);
  // Neither lock shares its cells with a new one.
  const fresh = Array.from({ length: 5000 }, () => new Lock(atomics));
  const aliased = fresh.filter((lock) => lock.locked()).length;
  release.set();
  await t.join(20_000);
  mine.release();
  return { workerHeld: Atomics.load(report, 0), selfHeld, aliased, workerAlive: t.isAlive() };
}

if (import.meta.main) {
  const [limit, mode, ...rest] = Deno.args;
  useDefaultHeap(SharedHeap.create(Number(limit)));
  const n = rest.map(Number);
  const result = mode === "soak"
    ? await soak(n[0])
    : mode === "waits"
    ? await waits(n[0], n[1])
    : mode === "workers"
    ? await workers(n[0])
    : mode === "full"
    ? await full()
    : mode === "concurrent"
    ? await concurrent(n[0])
    : await inflight();
  console.log(JSON.stringify(result));
}
