// `interruptMain()` called in Workers: it reaches the main thread through
// the shared heap, whether the main thread waits asynchronously (on any
// backend), blocks in a `...Sync` call, or is busy and waits later. The
// interrupting bodies are in `conformance/_interrupt_targets.ts`.
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { Event, Lock, monotonic, pendingWaits, runningThreads, sleep, Thread } from "@locksmith/threading";
import { KeyboardInterrupt } from "@locksmith/threading/_thread";
import { askWorker } from "./_ask_worker.ts";

const atomics = { backend: "atomics" } as const;
const targets = new URL("./conformance/_interrupt_targets.ts", import.meta.url).href;

function start(exportName: string, args: unknown[]): Thread {
  const thread = new Thread({ ...atomics, target: { module: targets, export: exportName }, args });
  thread.start();
  return thread;
}

async function waitUntil(done: () => boolean): Promise<void> {
  const deadline = monotonic() + 30_000;
  while (!done()) {
    assert(monotonic() < deadline, "gave up waiting");
    await sleep(1);
  }
}

async function joinAll(threads: Thread[]): Promise<void> {
  for (const t of threads) await t.join();
  assertEquals(runningThreads(), [], "threads left running");
  assertEquals(pendingWaits(), [], "waiters left behind");
}

Deno.test("[atomics] interruptMain: a Worker interrupts the main thread blocked in acquireSync; the next waiter gets the lock", async () => {
  const lock = new Lock(atomics);
  const [held, go, release] = [new Event(atomics), new Event(atomics), new Event(atomics)];
  const holder = start("interruptWhileHolding", [lock, held, go, release, 100]);
  await held.wait();
  // Another waiter, in another Worker, queued before the main thread.
  const report = new Int32Array(new SharedArrayBuffer(8));
  const other = start("takeLockAndCount", [lock, report]);
  await waitUntil(() => Atomics.load(report, 1) === 1);
  await sleep(20);
  go.set(); // the holder interrupts 100 ms later: the main thread blocks at once
  // A generous timeout: a missed interrupt returns false then, and the assertion fails.
  assertThrows(() => lock.acquireSync(true, 30_000), KeyboardInterrupt);
  assertEquals(Atomics.load(report, 0), 0, "the lock is still held");
  release.set();
  await joinAll([holder, other]);
  assertEquals(Atomics.load(report, 0), 1, "the release went to the other waiter");
  assertEquals(lock.acquireSync(false), true);
  lock.release();
  assertEquals(lock.acquireSync(true, 5), true, "not interrupted again");
  lock.release();
});

Deno.test("[atomics] interruptMain: a Worker interrupts the main thread's wait on an atomics Lock", async () => {
  const lock = new Lock(atomics);
  const [held, go, release] = [new Event(atomics), new Event(atomics), new Event(atomics)];
  const holder = start("interruptWhileHolding", [lock, held, go, release, 50]);
  await held.wait();
  go.set();
  await assertRejects(() => lock.acquire(true, 30_000), KeyboardInterrupt);
  release.set();
  await joinAll([holder]);
  assertEquals(await lock.acquire(true, 30_000), true);
  lock.release();
});

Deno.test("[atomics] interruptMain: a Worker interrupts the main thread's waits on other backends too", async () => {
  for (const backend of ["async", "cooperative"] as const) {
    const never = new Event({ backend });
    const ready = new Event(atomics);
    const t = start("interruptAfter", [ready, 50]);
    await ready.wait();
    // On `cooperative` a wait with a signal follows real time (a timeout would elapse at once in virtual time).
    const unused = new AbortController();
    await assertRejects(() => never.wait({ signal: unused.signal }), KeyboardInterrupt, undefined, backend);
    await joinAll([t]);
    assertEquals(await never.wait(5), false, "raised once");
  }
});

Deno.test("[atomics] interruptMain: interrupts from Workers while the main thread is busy are one, raised at its next wait", async () => {
  const report = new Int32Array(new SharedArrayBuffer(8));
  const threads = [start("interruptAndCount", [report]), start("interruptAndCount", [report])];
  // Busy: blocked outside the library until both Workers have called interruptMain().
  const deadline = monotonic() + 30_000;
  for (let n = Atomics.load(report, 0); n < 2; n = Atomics.load(report, 0)) {
    assert(monotonic() < deadline, "the Workers never interrupted");
    Atomics.wait(report, 0, n, 100);
  }
  assertEquals(lockTakenAtOnce(), true, "a call that does not wait is not interrupted");
  await assertRejects(() => sleep(1, atomics), KeyboardInterrupt);
  await sleep(5, atomics);
  await sleep(5);
  await joinAll(threads);
});

function lockTakenAtOnce(): boolean {
  const lock = new Lock(atomics);
  const got = lock.acquireSync();
  lock.release();
  return got;
}

Deno.test("[atomics] interruptMain: a plain Web Worker reaches the main thread once it revived one of its primitives", async () => {
  const reply = await askWorker<{ ok: boolean; name?: string; message: string }>("interrupt_worker.ts", {
    mode: "revived",
    lock: new Lock(atomics),
  });
  assertEquals(reply, { ok: true });
  await assertRejects(() => sleep(1), KeyboardInterrupt);
  await sleep(1);
});

Deno.test("[atomics] interruptMain: a Worker that shares no heap with the main thread is a RuntimeError", async () => {
  for (const [mode, why] of [["no-heap", "it has none"], ["own-heap", "does not use this Worker's heap"]]) {
    const reply = await askWorker<{ ok: boolean; name?: string; message: string }>("interrupt_worker.ts", { mode });
    assertEquals(reply.ok, false, mode);
    assertEquals(reply.name, "RuntimeError", mode);
    assert(reply.message.startsWith("Cannot interrupt the main thread from this Worker"), reply.message);
    assert(reply.message.includes(why), reply.message);
  }
  await sleep(5); // nothing pending
});
