// Workers of the `atomics` backend that die: a dead waiter never swallows a
// wake-up meant for a live one, `joinSync()` returns once the Worker is gone,
// and a Process's exitcode is the code its Worker exited with. The bodies are
// in `workers/fault_targets.ts`; every wait of a test is bounded.
import { assert, assertEquals } from "@std/assert";
import {
  Barrier,
  BrokenBarrierError,
  Condition,
  Event,
  Lock,
  Semaphore,
  sleep,
  type Thread,
} from "@locksmith/threading";
import { Queue } from "@locksmith/threading/queue";
import type { Process } from "@locksmith/threading/multiprocessing";
import { type Death, reportArray, Slot } from "./workers/fault_targets.ts";
import {
  assertNothingLeft,
  atomics,
  catchingExceptions,
  startProcess,
  startThread,
  waitReady,
  within,
} from "./_fault_helpers.ts";

const PARKED_DEATHS: Death[] = ["timer-error", "raise", "deno-exit", "process-exit", "terminate"];

/** Starts `body` with `args` + the death, waits until it is parked, then makes it die and waits until it is gone. */
async function parkAndDie(body: string, args: unknown[], death: Death): Promise<void> {
  const report = reportArray();
  const worker: Thread | Process = death === "terminate"
    ? startProcess(body, [...args, report, death])
    : startThread(body, [...args, report, death]);
  await waitReady(report);
  if (death === "terminate") (worker as Process).terminate();
  await within(worker.join(), "the Worker never ended");
  assert(!worker.isAlive());
  assertEquals(Atomics.load(report, Slot.After), 0, "the body went on after its death");
}

for (const death of PARKED_DEATHS) {
  Deno.test(`[atomics] faults: a Worker that dies parked on a Lock (${death}) does not take the next release`, async () => {
    await catchingExceptions(async () => {
      const lock = new Lock(atomics);
      await lock.acquire();
      const report = reportArray();
      const worker = death === "terminate"
        ? startProcess("parkOnLock", [lock, report, death])
        : startThread("parkOnLock", [lock, report, death]);
      await waitReady(report);
      // A live waiter, queued behind the one that is about to die.
      const mine = lock.acquire();
      if (death === "terminate") (worker as Process).terminate();
      await within(worker.join(), "the Worker never ended");
      lock.release();
      assertEquals(await within(mine, "the release went to the dead waiter"), true);
      lock.release();
      assertEquals(lock.locked(), false);
      assertNothingLeft();
    });
  });

  Deno.test(`[atomics] faults: a Worker that dies parked on a Semaphore (${death}) does not take the next permit`, async () => {
    await catchingExceptions(async () => {
      const sem = new Semaphore(0, atomics);
      const report = reportArray();
      const worker = death === "terminate"
        ? startProcess("parkOnSemaphore", [sem, report, death])
        : startThread("parkOnSemaphore", [sem, report, death]);
      await waitReady(report);
      const mine = sem.acquire();
      if (death === "terminate") (worker as Process).terminate();
      await within(worker.join(), "the Worker never ended");
      sem.release();
      assertEquals(await within(mine, "the permit went to the dead waiter"), true);
      assertEquals(sem.value, 0);
      sem.release();
      assertEquals(sem.value, 1);
      assertNothingLeft();
    });
  });

  Deno.test(`[atomics] faults: a Worker that dies waiting on a Condition (${death}) does not swallow notify(1)`, async () => {
    await catchingExceptions(async () => {
      const cond = new Condition(new Lock(atomics), atomics);
      const report = reportArray();
      const worker = death === "terminate"
        ? startProcess("parkOnCondition", [cond, report, death])
        : startThread("parkOnCondition", [cond, report, death]);
      await waitReady(report);
      await cond.acquire();
      const mine = cond.wait(); // queued behind the Worker's wait; releases the lock
      if (death === "terminate") (worker as Process).terminate();
      await within(worker.join(), "the Worker never ended");
      await cond.acquire();
      cond.notify(1);
      cond.release();
      assertEquals(await within(mine, "the notify went to the dead waiter"), true);
      cond.release();
      assertNothingLeft();
    });
  });

  Deno.test(`[atomics] faults: a Worker that dies waiting on a Queue (${death}) does not swallow a put`, async () => {
    await catchingExceptions(async () => {
      const queue = new Queue<number>(0, atomics);
      const report = reportArray();
      const worker = death === "terminate"
        ? startProcess("parkOnQueue", [queue, report, death])
        : startThread("parkOnQueue", [queue, report, death]);
      await waitReady(report);
      const mine = queue.get();
      if (death === "terminate") (worker as Process).terminate();
      await within(worker.join(), "the Worker never ended");
      queue.put(42);
      assertEquals(await within(mine, "the put woke the dead waiter"), 42);
      assertEquals(queue.qsize(), 0);
      assertNothingLeft();
    });
  });

  Deno.test(`[atomics] faults: a Worker that dies waiting in a Barrier (${death}) breaks it: its other parties get BrokenBarrierError`, async () => {
    await catchingExceptions(async () => {
      const barrier = new Barrier(3, null, null, atomics);
      const report = reportArray();
      const worker = death === "terminate"
        ? startProcess("parkOnBarrier", [barrier, report, death])
        : startThread("parkOnBarrier", [barrier, report, death]);
      await waitReady(report); // it is parked in the barrier
      // A live party, waiting for a third that never comes (it arrives before or after the death).
      const mine = barrier.wait().then(() => undefined, (error) => error);
      if (death === "terminate") {
        await within(
          (async () => {
            while (barrier.nWaiting < 2) await sleep(1);
          })(),
          "the live party never arrived",
        );
        (worker as Process).terminate();
      }
      await within(worker.join(), "the Worker never ended");
      assert(await within(mine, "the live party was left waiting") instanceof BrokenBarrierError);
      assertEquals([barrier.broken, barrier.nWaiting], [true, 0]);
      barrier.reset();
      const indices = await within(
        Promise.all([barrier.wait(), barrier.wait(), barrier.wait()]),
        "the repaired barrier's cycle hung",
      );
      assertEquals(indices.sort(), [0, 1, 2]);
      assertNothingLeft();
    });
  });
}

for (const death of PARKED_DEATHS) {
  Deno.test(`[atomics] faults: a Worker that dies while the barrier's action runs for it (${death}) breaks the barrier`, async () => {
    await catchingExceptions(async () => {
      // The action is a function of this isolate: the Worker, arriving last, asks this isolate to run it.
      const report = reportArray();
      let finishAction!: () => void;
      const actionMayEnd = new Promise<void>((resolve) => finishAction = resolve);
      const barrier = new Barrier(
        2,
        async () => {
          Atomics.store(report, Slot.ActionStarted, 1);
          await actionMayEnd;
        },
        null,
        atomics,
      );
      const mine = barrier.wait().then(() => undefined, (error) => error);
      const worker = death === "terminate"
        ? startProcess("askBarrierAction", [barrier, report, death])
        : startThread("askBarrierAction", [barrier, report, death]);
      await waitReady(report); // the action runs, and the Worker waits for it
      if (death === "terminate") (worker as Process).terminate();
      await within(worker.join(), "the Worker never ended");
      // Nobody else would ever end the cycle: the live party is sent away, not left waiting.
      assert(await within(mine, "the live party was left waiting") instanceof BrokenBarrierError);
      assertEquals([barrier.broken, barrier.nWaiting], [true, 0]);
      finishAction();
      barrier.reset();
      const indices = await within(Promise.all([barrier.wait(), barrier.wait()]), "the repaired barrier's cycle hung");
      assertEquals(indices.sort(), [0, 1]);
      assertNothingLeft();
    });
  });
}

Deno.test("[atomics] faults: a dead waiter's record is gone, and so is its thread (every way of dying)", async () => {
  await catchingExceptions(async () => {
    for (const death of PARKED_DEATHS) {
      const lock = new Lock(atomics);
      await lock.acquire();
      await parkAndDie("parkOnLock", [lock], death);
      // The dead waiter is no longer queued: a release with nobody waiting frees the lock.
      lock.release();
      assertEquals(lock.locked(), false, death);
      assertNothingLeft();
    }
  });
});

for (const death of ["timer-error", "deno-exit", "process-exit", "raise"] as Death[]) {
  Deno.test(`[atomics] faults: joinSync() of a Worker that died without finishing (${death}) returns once it is gone`, async () => {
    await catchingExceptions(async (escaped) => {
      const thread = startThread("dieWithoutFinishing", [death]);
      thread.joinSync(30_000); // a bound only: it returns as soon as the Worker is gone
      assertEquals(thread.isAlive(), false, "joinSync returned with the thread alive");
      await within(thread.join(), "join after joinSync");
      if (death === "timer-error" || death === "raise") {
        assertEquals(escaped.length, 1);
        assert(escaped[0] instanceof Error);
      } else {
        assertEquals(escaped, [], "an exit is not an exception");
      }
      assertNothingLeft();
    });
  });
}

for (const how of ["deno", "process"] as const) {
  Deno.test(`[atomics] faults: Process.exitcode is the code its Worker exited with (${how}.exit 0, 3, 255)`, async () => {
    await catchingExceptions(async (escaped) => {
      for (const code of [0, 3, 255]) {
        const p = startProcess("exitWith", [code, how]);
        await within(p.join(), "the process never ended");
        assertEquals(p.exitcode, code, `${how}.exit(${code})`);
        p.close();
      }
      assertEquals(escaped, []);
      assertNothingLeft();
    });
  });
}

Deno.test("[atomics] faults: a Worker that ends without running the library's code (a crash) is swept by its spawner", async () => {
  await catchingExceptions(async () => {
    const lock = new Lock(atomics);
    const sem = new Semaphore(0, atomics);
    const go = new Event(atomics);
    const report = reportArray();
    const thread = startThread("holdParkAndCrash", [lock, sem, report, go]);
    await waitReady(report);
    const mine = lock.acquire();
    mine.catch(() => {});
    go.set();
    // Its end is learned on the event loop (its exit event): a joinSync blocking that loop cannot see it.
    thread.joinSync(300);
    assertEquals(thread.isAlive(), true);
    await within(thread.join(), "the Worker never ended");
    // Its queued wait is gone: the permit is not handed to it.
    sem.release();
    assertEquals(sem.value, 1);
    // The lock it held is abandoned: the waiter takes it, and learns it.
    const error = await within(mine.then(() => undefined, (e) => e), "the lock's waiter");
    assertEquals((error as Error)?.name, "AbandonedLockError");
    lock.release();
    assertEquals(Atomics.load(report, Slot.After), 0);
    assertNothingLeft();
  });
});

for (const kind of ["lock", "semaphore", "condition", "queue"] as const) {
  Deno.test(`[atomics] faults: a Worker that dies with a wake-up on its way (${kind}) passes it to the next waiter`, async () => {
    await catchingExceptions(async (escaped) => {
      const lock = new Lock(atomics);
      const primitive = kind === "lock"
        ? lock
        : kind === "semaphore"
        ? new Semaphore(0, atomics)
        : kind === "condition"
        ? new Condition(lock, atomics)
        : new Queue<number>(0, atomics);
      if (kind === "lock") await lock.acquire();
      const report = reportArray();
      const thread = startThread("dieWithWakeUpOnItsWay", [kind, primitive, report]);
      await waitReady(report); // its wait is queued, and it spins in a timer
      let mine: Promise<unknown>;
      if (kind === "lock") {
        mine = lock.acquire();
        lock.release(); // to the Worker's wait (the oldest): handed off, or woken to race
      } else if (kind === "semaphore") {
        mine = (primitive as Semaphore).acquire();
        (primitive as Semaphore).release(); // handed to the Worker's wait
      } else if (kind === "queue") {
        mine = (primitive as Queue<number>).get();
        (primitive as Queue<number>).put(7); // wakes the Worker's wait
      } else {
        const cond = primitive as Condition;
        await cond.acquire();
        mine = cond.wait();
        await cond.acquire();
        cond.notify(1); // to the Worker's wait (the oldest)
        cond.release();
      }
      Atomics.store(report, Slot.Stop, 1); // now it dies, before it can take what was given
      await within(thread.join(), "the Worker never ended");
      assertEquals(escaped.length, 1);
      const got = await within(mine, "the wake-up died with the Worker");
      if (kind === "queue") assertEquals(got, 7);
      else assertEquals(got, true);
      if (kind === "lock" || kind === "condition") lock.release();
      if (kind === "semaphore") assertEquals((primitive as Semaphore).value, 0);
      assertEquals(Atomics.load(report, Slot.After), 0);
      assertNothingLeft();
    });
  });
}
