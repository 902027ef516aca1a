// Two limits of the `atomics` backend (README, "What this runtime cannot
// do"): a Worker the library did not start, using shared primitives, is not
// watched, so a lock it dies holding stays held, as in Python; and a Worker
// thread cannot outlive an uncaught error through an `error` listener of its
// own: the library's ends the thread first. Every wait is bounded.
import { assert, assertEquals } from "@std/assert";
import { Worker } from "node:worker_threads";
import { Lock } from "@locksmith/threading";
import { reportArray, Slot } from "./workers/fault_targets.ts";
import type { OwnWorkerData } from "./workers/own_worker.ts";
import { assertNothingLeft, atomics, catchingExceptions, startProcess, waitReady, within } from "./_fault_helpers.ts";

Deno.test("[atomics] unmanaged: a lock that a Worker the library did not start dies holding stays held, as in Python", async () => {
  const lock = new Lock(atomics);
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const data: OwnWorkerData = { lock, flags };
  const worker = new Worker(new URL("./workers/own_worker.ts", import.meta.url), { workerData: data });
  const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
  assertEquals(await within(exited, "the Worker never exited"), 3);
  assertEquals(Atomics.load(flags, 0), 1, "the Worker never took the lock");
  // Nobody sees its end: the lock is neither released nor abandoned.
  assertEquals(lock.locked(), true);
  assertEquals(lock.acquireSync(true, 200), false, "the dead Worker's lock was taken");
  assertEquals(await lock.acquire({ timeout: 200 }), false, "the dead Worker's lock was taken");
  // As in Python, any thread may release a Lock (it has no owner): that is the way out.
  lock.release();
  assertEquals(lock.acquireSync(false), true);
  lock.release();
  assertNothingLeft();
});

Deno.test("[atomics] unmanaged: a Worker thread's own error listener cannot keep it alive: it ends with exitcode 1 and the error", async () => {
  await catchingExceptions(async (escaped) => {
    const report = reportArray();
    const p = startProcess("failWithOwnErrorListener", [report]);
    await waitReady(report);
    await within(p.join(), "the Worker outlived its uncaught error");
    assertEquals([p.isAlive(), p.exitcode], [false, 1]);
    assertEquals(Atomics.load(report, Slot.After), 0, "its own listener ran, or it got past its sleep");
    assertEquals(escaped.length, 1, "the error did not reach the excepthook");
    assert(escaped[0] instanceof Error && escaped[0].message.includes("its own listener would swallow it"));
    p.close();
    assertNothingLeft();
  });
});
