// Robust locks on the `atomics` backend: a Worker that dies holding a Lock,
// an RLock or permits of a robust Semaphore abandons them, and the thread
// that takes them next learns it (`AbandonedLockError`, with the lock or
// permit held), whether it was already waiting or comes later; nobody waits
// forever. The bodies are in `workers/fault_targets.ts`.
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import {
  AbandonedLockError,
  Condition,
  Event,
  Lock,
  RLock,
  RuntimeError,
  Semaphore,
  type Thread,
} from "@locksmith/threading";
import type { Process } from "@locksmith/threading/multiprocessing";
import { HOLDER_DIED } from "../backends/types.ts";
import { BlockTag } from "../backends/atomics/_heap.ts";
import { getDefaultHeap } from "../backends/atomics/_heap_registry.ts";
import { T_END } from "../backends/atomics/_thread_block.ts";
import { HANDLE_KEY } from "../primitives/core.ts";
import { type Death, reportArray } from "./workers/fault_targets.ts";
import {
  assertNothingLeft,
  atomics,
  catchingExceptions,
  startProcess,
  startThread,
  waitReady,
  within,
} from "./_fault_helpers.ts";

const DEATHS: Death[] = ["raise", "deno-exit", "process-exit", "timer-error", "terminate"];

/** Rejects unless `promise` rejects with an `AbandonedLockError` (by name: the test must fail, not break, without it). */
async function assertAbandoned(promise: Promise<unknown>, what: string): Promise<void> {
  const error = await within(promise.then(() => undefined, (e) => e), what);
  assert(error instanceof Error && error.name === "AbandonedLockError", `${what}: got ${error}`);
}

/** `promise`, marked handled now (it may reject before the test looks at it). */
function early<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/** Starts the holder, waits until it holds, lets `queued` queue its waits, then makes it die and waits until it is gone. */
async function holdAndDie(
  body: string,
  args: (report: Int32Array, go: Event) => unknown[],
  death: Death,
  queued: () => void,
): Promise<void> {
  const report = reportArray();
  const go = new Event(atomics);
  const worker: Thread | Process = death === "terminate"
    ? startProcess(body, args(report, go))
    : startThread(body, args(report, go));
  await waitReady(report);
  queued();
  if (death === "terminate") (worker as Process).terminate();
  else go.set();
  await within(worker.join(), "the holder never ended");
}

for (const death of DEATHS) {
  Deno.test(`[atomics] abandoned: a Lock whose holder dies (${death}) goes to its oldest waiter with AbandonedLockError`, async () => {
    await catchingExceptions(async () => {
      const lock = new Lock(atomics);
      let first!: Promise<boolean>;
      let second!: Promise<boolean>;
      await holdAndDie("holdLockAndDie", (report, go) => [lock, 1, report, go, death], death, () => {
        first = early(lock.acquire());
        second = early(lock.acquire());
      });
      await assertAbandoned(first, "the oldest waiter");
      assert(lock.locked(), "the waiter that learned it holds the lock");
      lock.release(); // as after any acquire: the next waiter gets the lock, plainly
      assertEquals(await within(second, "the next waiter"), true);
      lock.release();
      assertEquals(lock.locked(), false);
      assertNothingLeft();
    });
  });

  Deno.test(`[atomics] abandoned: a Lock whose holder died (${death}) is taken with AbandonedLockError by the next acquire`, async () => {
    await catchingExceptions(async () => {
      const lock = new Lock(atomics);
      await holdAndDie("holdLockAndDie", (report, go) => [lock, 1, report, go, death], death, () => {});
      await assertAbandoned(lock.acquire(), "an acquire after the death");
      assert(lock.locked());
      lock.release();
      assertEquals(await lock.acquire(false), true, "a plain lock again");
      lock.release();
      assertNothingLeft();
    });
  });

  Deno.test(`[atomics] abandoned: an RLock whose owner dies (${death}) goes to its waiter with a count of one`, async () => {
    await catchingExceptions(async () => {
      const rlock = new RLock(atomics);
      let waiter!: Promise<boolean>;
      await holdAndDie("holdLockAndDie", (report, go) => [rlock, 2, report, go, death], death, () => {
        waiter = early(rlock.acquire());
      });
      await assertAbandoned(waiter, "the waiter");
      assert(String(rlock).includes("owner=MainThread count=1"), String(rlock));
      rlock.release();
      assertEquals(rlock.locked(), false);
      assertThrows(() => rlock.release(), RuntimeError);
      assertNothingLeft();
    });
  });

  Deno.test(`[atomics] abandoned: a robust Semaphore's permits held by a Worker that dies (${death}) come back, each with AbandonedLockError`, async () => {
    await catchingExceptions(async () => {
      const sem = new Semaphore(2, { ...atomics, robust: true } as never);
      let waiter!: Promise<boolean>;
      await holdAndDie("holdPermitsAndDie", (report, go) => [sem, 2, report, go, death], death, () => {
        waiter = early(sem.acquire());
      });
      await assertAbandoned(waiter, "the waiter");
      await assertAbandoned(sem.acquire(), "the next acquire");
      assertEquals(sem.value, 0);
      sem.release(2);
      assertEquals(await sem.acquire(false), true, "plain permits again");
      sem.release();
      assertEquals(sem.value, 2);
      assertNothingLeft();
    });
  });

  Deno.test(`[atomics] abandoned: Condition.wait() whose lock holder dies (${death}) re-acquires with AbandonedLockError`, async () => {
    await catchingExceptions(async () => {
      const lock = new Lock(atomics);
      const cond = new Condition(lock, atomics);
      await cond.acquire();
      const waiting = early(cond.wait()); // releases the lock; the Worker takes it and dies holding it
      let notified = false;
      await holdAndDie("holdLockAndDie", (report, go) => [lock, 1, report, go, death], death, () => {});
      // Notify while the lock is abandoned: the notifier does not hold it, so it takes it first.
      try {
        await within(lock.acquire(), "the notifier never got the lock");
      } catch (error) {
        assert(error instanceof Error && error.name === "AbandonedLockError", String(error));
      }
      cond.notify();
      notified = true;
      cond.release();
      assert(notified);
      assertEquals(await within(waiting, "the waiter re-acquired"), true);
      cond.release();
      assertNothingLeft();
    });
  });
}

Deno.test("[atomics] abandoned: Condition.wait() that must re-acquire a lock whose holder dies rejects with AbandonedLockError, holding it", async () => {
  await catchingExceptions(async () => {
    const lock = new Lock(atomics);
    const cond = new Condition(lock, atomics);
    await cond.acquire();
    const stop = new AbortController();
    const waiting = early(cond.wait({ signal: stop.signal })); // releases the lock; the Worker takes it
    await holdAndDie("holdLockAndDie", (report, go) => [lock, 1, report, go, "deno-exit"], "deno-exit", () => {
      stop.abort(); // the wait ends, and queues to re-acquire the lock the Worker holds
    });
    await assertAbandoned(waiting, "the re-acquire of a wait");
    assert(lock.locked(), "the waiter holds the lock");
    cond.release();
    assertNothingLeft();
  });
});

Deno.test("[atomics] abandoned: acquireSync() of a lock whose holder died throws AbandonedLockError, holding it", async () => {
  await catchingExceptions(async () => {
    const lock = new Lock(atomics);
    await holdAndDie("holdLockAndDie", (report, go) => [lock, 1, report, go, "raise"], "raise", () => {});
    const error = assertThrows(() => lock.acquireSync(true, 30_000));
    assert(error instanceof AbandonedLockError, String(error));
    assert(lock.locked());
    lock.release();
    assertNothingLeft();
  });
});

Deno.test("[atomics] abandoned: a Lock held by a Worker that returned stays held, as in Python; an RLock is abandoned", async () => {
  const lock = new Lock(atomics);
  const rlock = new RLock(atomics);
  for (const held of [lock, rlock]) {
    const report = reportArray();
    const thread = startThread("takeLockAndReturn", [held, report]);
    await within(thread.join(), "the thread never ended");
  }
  // Python: a Lock has no owner; a thread may take it and leave it for another to release.
  assertEquals(await lock.acquire({ timeout: 1 }), false);
  lock.release();
  assertEquals(lock.locked(), false);
  // An RLock only its owner may release: once the owner is gone, the next acquire takes it and learns it.
  await assertRejects(() => within(rlock.acquire(), "the RLock stayed held"), AbandonedLockError);
  rlock.release();
  assertNothingLeft();
});

Deno.test("[atomics] abandoned: a plain Semaphore's permits belong to no thread (Python's): a dead Worker's stay taken", async () => {
  await catchingExceptions(async () => {
    const sem = new Semaphore(1, atomics);
    await holdAndDie("holdPermitsAndDie", (report, go) => [sem, 1, report, go, "raise"], "raise", () => {});
    assertEquals(sem.value, 0);
    assertEquals(await sem.acquire({ timeout: 1 }), false);
    sem.release(); // any thread may give it back
    assertEquals(await sem.acquire(false), true);
    assertNothingLeft();
  });
});

Deno.test("[atomics] abandoned: guard() and runExclusive() reject with AbandonedLockError, and give the lock back", async () => {
  await catchingExceptions(async () => {
    for (const scoped of ["guard", "runExclusive"] as const) {
      const lock = new Lock(atomics);
      await holdAndDie("holdLockAndDie", (report, go) => [lock, 1, report, go, "raise"], "raise", () => {});
      let ran = false;
      const entered = scoped === "guard" ? lock.guard() : lock.runExclusive(() => void (ran = true));
      await assertAbandoned(entered, scoped);
      assertEquals(ran, false, "the scope does not run");
      assertEquals(lock.locked(), false, `${scoped} gave the lock back`);
    }
    assertNothingLeft();
  });
});

Deno.test("[atomics] abandoned: a non-blocking acquire takes an abandoned lock too, with AbandonedLockError (as pthread_mutex_trylock)", async () => {
  await catchingExceptions(async () => {
    for (const sync of [false, true]) {
      const lock = new Lock(atomics);
      await holdAndDie("holdLockAndDie", (report, go) => [lock, 1, report, go, "raise"], "raise", () => {});
      if (sync) assertThrows(() => lock.acquireSync(false), AbandonedLockError);
      else await assertRejects(() => lock.acquire(false), AbandonedLockError);
      assert(lock.locked());
      assertEquals(await lock.acquire(false), false, "held by the caller now");
      lock.release();
    }
    assertNothingLeft();
  });
});

Deno.test("[atomics] abandoned: a dead holder's tag is never a later Worker's (its thread block is kept while a lock may name it)", async () => {
  await catchingExceptions(async () => {
    const lock = new Lock(atomics);
    await holdAndDie("holdLockAndDie", (report, go) => [lock, 1, report, go, "deno-exit"], "deno-exit", () => {});
    // The lock's state names its dead holder's thread block (its tag, above the two low bits).
    const { index } = (lock as unknown as Record<string, { location: { index: number } }>)[HANDLE_KEY].location;
    const heap = getDefaultHeap();
    const tag = Atomics.load(heap.viewFor(index), index) >>> 2;
    assert(tag !== 0, "the lock names its holder");
    const go = new Event(atomics);
    const alive: Thread[] = [];
    for (let i = 0; i < 4; i++) {
      const report = reportArray();
      alive.push(startThread("waitInLibrary", ["event", report, go]));
      await waitReady(report);
    }
    // The dead holder's block is still a thread block that says it died (not given back, nor another thread's).
    assert(heap.isBlock(tag, BlockTag.Thread), "the dead holder's block was given back while the lock names it");
    assertEquals(Atomics.load(heap.viewFor(tag + T_END), tag + T_END), HOLDER_DIED);
    await assertAbandoned(lock.acquire(), "an acquire after the death, with later Workers alive");
    lock.release();
    go.set();
    for (const thread of alive) await within(thread.join(), "a later Worker never ended");
    assertNothingLeft();
  });
});
