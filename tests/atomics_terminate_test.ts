// `Process.terminate()`/`kill()` and `Pool.terminate()` on the `atomics`
// backend tell the truth: a terminated Worker stops at its next cancellation
// point (any wait of the library, or its return to its event loop), and until
// it has really stopped it is alive and `join()` waits. A Worker in a loop
// that never yields cannot be stopped on Deno 2.9.6; it stays alive until the
// loop yields. The bodies are in `workers/fault_targets.ts`.
import { assert, assertEquals, assertRejects } from "@std/assert";
import { Barrier, BrokenBarrierError, Event, Lock, Semaphore, sleep } from "@locksmith/threading";
import { Queue } from "@locksmith/threading/queue";
import { Pool } from "@locksmith/threading/multiprocessing";
import { CancelledError } from "@locksmith/threading/futures";
import { Worker } from "node:worker_threads";
import { reportArray, Slot } from "./workers/fault_targets.ts";
import { Spin } from "./workers/spin_worker.ts";
import {
  assertNothingLeft,
  atomics,
  catchingExceptions,
  faultTarget,
  startProcess,
  waitReady,
  within,
} from "./_fault_helpers.ts";

Deno.test("[atomics] terminate: a Process blocked in acquireSync() is stopped there; the permit it waited for is not taken later", async () => {
  const sem = new Semaphore(0, atomics);
  const report = reportArray();
  const p = startProcess("blockOnSemaphore", [sem, report]);
  await waitReady(report);
  // Let it block in Atomics.wait inside the library (the check below holds either way: a
  // terminate that comes first stops it at its park).
  await sleep(50);
  p.terminate();
  await within(p.join(), "the terminated process never ended");
  assertEquals([p.isAlive(), p.exitcode], [false, -15]);
  // A Worker that only looked terminated would still be parked, and take this permit.
  sem.release();
  assertEquals(await within(sem.acquire(), "the permit went to the terminated Worker"), true);
  assertEquals(Atomics.load(report, Slot.After), 0, "the terminated Worker ran on");
  assertNothingLeft();
});

for (const kind of ["sleep", "event", "eventSync", "queueSync", "timer"]) {
  Deno.test(`[atomics] terminate: kill() stops a Process waiting (${kind}) there: exitcode -9, no finally ran`, async () => {
    const report = reportArray();
    const primitive = kind.startsWith("event") ? new Event(atomics) : new Queue<number>(0, atomics);
    const p = startProcess("waitInLibrary", [kind, report, primitive]);
    await waitReady(report);
    p.kill();
    await within(p.join(), "the killed process never ended");
    assertEquals([p.isAlive(), p.exitcode], [false, -9]);
    assertEquals(Atomics.load(report, Slot.After), 0, "it ran on");
    assertEquals(Atomics.load(report, Slot.Finally), 0, "its finally block ran");
    p.close();
    assertNothingLeft();
  });
}

for (const kind of ["barrier", "barrierSync"]) {
  Deno.test(`[atomics] terminate: a Process stopped in a Barrier's ${kind === "barrier" ? "wait()" : "waitSync()"} breaks it, as an exception in Python's wait() does`, async () => {
    const barrier = new Barrier(2, null, null, atomics);
    const report = reportArray();
    const p = startProcess("waitInLibrary", [kind, report, barrier]);
    await waitReady(report);
    await within(
      (async () => {
        while (barrier.nWaiting === 0) await sleep(1);
      })(),
      "the Process never reached the barrier",
    );
    // Let it park (the check below holds either way: a terminate that comes first stops it as its park starts).
    await sleep(20);
    p.terminate();
    await within(p.join(), "the terminated process never ended");
    assertEquals([p.isAlive(), p.exitcode], [false, -15]);
    assertEquals([Atomics.load(report, Slot.After), Atomics.load(report, Slot.Finally)], [0, 0], "it ran on");
    // Its cycle can never complete: the barrier is broken, and says so at once (not at a timeout).
    assertEquals([barrier.broken, barrier.nWaiting], [true, 0]);
    await assertRejects(() => within(barrier.wait(), "a wait on the broken barrier hung"), BrokenBarrierError);
    // Repaired, it serves a whole cycle again.
    barrier.reset();
    const indices = await within(Promise.all([barrier.wait(), barrier.wait()]), "the repaired barrier's cycle hung");
    assertEquals(indices.sort(), [0, 1]);
    p.close();
    assertNothingLeft();
  });
}

for (const kind of ["barrier", "barrierSync"]) {
  Deno.test(`[atomics] terminate: a Process stopped while the barrier's action runs for it (${kind === "barrier" ? "wait()" : "waitSync()"}) breaks the barrier`, async () => {
    // The action is a function of this isolate: the Process, arriving last, asks this isolate to run
    // it and waits for it there; it is stopped while the action runs.
    let actionStarted = false;
    let finishAction!: () => void;
    const actionMayEnd = new Promise<void>((resolve) => finishAction = resolve);
    const barrier = new Barrier(
      2,
      async () => {
        actionStarted = true;
        await actionMayEnd;
      },
      null,
      atomics,
    );
    const first = barrier.wait();
    first.catch(() => {});
    const report = reportArray();
    const p = startProcess("waitInLibrary", [kind, report, barrier]);
    await waitReady(report);
    await within(
      (async () => {
        while (!actionStarted) await sleep(1);
      })(),
      "the Process never asked for the action",
    );
    p.terminate();
    await within(p.join(), "the terminated process never ended");
    assertEquals([p.isAlive(), p.exitcode], [false, -15]);
    assertEquals([Atomics.load(report, Slot.After), Atomics.load(report, Slot.Finally)], [0, 0], "it ran on");
    // Nobody else would ever end the cycle: the first party is sent away, not left waiting.
    await assertRejects(() => within(first, "the first party's wait hung"), BrokenBarrierError);
    assertEquals([barrier.broken, barrier.nWaiting], [true, 0]);
    finishAction();
    // Repaired, it serves a whole cycle again, action included.
    barrier.reset();
    const indices = await within(Promise.all([barrier.wait(), barrier.wait()]), "the repaired barrier's cycle hung");
    assertEquals(indices.sort(), [0, 1]);
    p.close();
    assertNothingLeft();
  });
}

Deno.test("[atomics] terminate: a Process stopped in a Queue's get() loses no item: a put meanwhile stays in the queue", async () => {
  const queue = new Queue<number>(0, atomics);
  const report = reportArray();
  const p = startProcess("waitInLibrary", ["queue", report, queue]);
  await waitReady(report);
  // Let it park in get() (the check below holds either way: a terminate that comes first stops it at its park).
  await sleep(50);
  p.terminate();
  // On its way to the stopping waiter, or put after it left: either way the item stays in the queue.
  queue.put(42);
  await within(p.join(), "the terminated process never ended");
  assertEquals([p.isAlive(), p.exitcode], [false, -15]);
  assertEquals([Atomics.load(report, Slot.After), Atomics.load(report, Slot.Finally)], [0, 0], "it ran on");
  assertEquals([queue.qsize(), queue.unfinishedTasks], [1, 1]);
  assertEquals(await within(queue.get(), "the item was lost"), 42);
  assertEquals(queue.qsize(), 0);
  p.close();
  assertNothingLeft();
});

Deno.test("[atomics] terminate: a Process in a loop that never yields stays alive, and join() waits, until the loop yields", async () => {
  const report = reportArray();
  const p = startProcess("spinUntilStopped", [report]);
  await waitReady(report);
  p.terminate();
  // The Worker keeps running: Deno 2.9.6 cannot stop JavaScript that never returns to its event loop.
  await p.join(200);
  assertEquals(p.isAlive(), true, "reported stopped while it still runs");
  assertEquals(p.exitcode, null);
  const rounds = Atomics.load(report, Slot.Rounds);
  await sleep(20);
  assert(Atomics.load(report, Slot.Rounds) > rounds, "the loop still runs");
  Atomics.store(report, Slot.Stop, 1); // the loop ends and the body awaits: there it stops
  await within(p.join(), "the process never ended once its loop yielded");
  assertEquals([p.isAlive(), p.exitcode], [false, -15]);
  assertEquals(Atomics.load(report, Slot.After), 0);
  assertNothingLeft();
});

/** Resolves (bounded) once `flags[slot]` passes `above`. */
function until(flags: Int32Array, slot: number, above: number, what: string): Promise<void> {
  return within(
    (async () => {
      while (Atomics.load(flags, slot) <= above) await sleep(1);
    })(),
    what,
  );
}

Deno.test("[atomics] terminate: why the library does not call worker.terminate(): on Deno it reports a busy Worker gone, which runs on until it yields", async () => {
  // A raw node:worker_threads Worker (the kind the library starts), spinning on a shared counter.
  const flags = new Int32Array(new SharedArrayBuffer(8 * 4));
  const worker = new Worker(new URL("./workers/spin_worker.ts", import.meta.url), { workerData: flags.buffer });
  try {
    await until(flags, Spin.Ready, 0, "the Worker never started its loop");
    const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
    const code = await within(worker.terminate(), "terminate() never settled");
    assertEquals(await within(exited, "no exit event"), code, "the exit event and terminate() disagree");
    // Reported gone, and yet it runs: the counter still rises.
    const reportedGoneAt = Atomics.load(flags, Spin.Count);
    await until(flags, Spin.Count, reportedGoneAt, "the counter stopped: terminate() stopped the busy loop");
    assertEquals(Atomics.load(flags, Spin.Left), 0, "the loop ended by itself");
  } finally {
    Atomics.store(flags, Spin.Stop, 1);
  }
  await until(flags, Spin.Left, 0, "the loop never ended once told to");
  // Back at its event loop, it stops there: its timer never runs.
  await sleep(100);
  assertEquals(Atomics.load(flags, Spin.After), 0, "the Worker ran on at its event loop");
});

Deno.test("[atomics] terminate: a Worker stopped while holding a lock abandons it (no finally runs)", async () => {
  await catchingExceptions(async () => {
    const lock = new Lock(atomics);
    const go = new Event(atomics);
    const report = reportArray();
    const p = startProcess("holdLockAndDie", [lock, 1, report, go, "terminate"]);
    await waitReady(report);
    p.terminate();
    await within(p.join(), "the process never ended");
    const error = await within(lock.acquire().then(() => undefined, (e) => e), "the lock stayed held");
    assertEquals((error as Error)?.name, "AbandonedLockError");
    lock.release();
    assertNothingLeft();
  });
});

for (const kind of ["sleep", "timer"] as const) {
  Deno.test(`[atomics] terminate: Pool.terminate() stops the calls its Workers are running (${kind}), as Python's does`, async () => {
    const report = reportArray();
    const pool = new Pool(1, faultTarget("rememberReport"), [report]);
    const running = pool.applyAsync(faultTarget("waitUntilStopped"), [kind]);
    await waitReady(report);
    pool.terminate();
    assertEquals(await within(pool.join(), "the pool's Workers were not stopped"), true);
    const error = await running.get().then(() => undefined, (e) => e);
    assert(error instanceof CancelledError, String(error));
    assertEquals(Atomics.load(report, Slot.After), 0, "the call ran on");
    assertNothingLeft();
  });
}
