/**
 * Condition: CPython's `ConditionTests` (Lib/test/lock_tests.py) and
 * `ConditionAsRLockTests` (Lib/test/test_threading.py), and the contract's
 * rules: `notify(n)` wakes exactly n, oldest first; timed-out and aborted
 * waiters are not counted; `wait` re-acquires the lock however it ends, in
 * FIFO order behind the threads already waiting for it.
 *
 * @module
 */
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import {
  type Condition,
  DeadlockError,
  OverflowError,
  RuntimeError,
  TIMEOUT_MAX,
  ValueError,
  type WaitOptions,
} from "@locksmith/threading";
import { type Bunch, type Case, type CaseContext, defineCases } from "./_suite.ts";
import { assertErrorSays, type LockKind, lockLikeCases, settlesAtOnce, until } from "./lock_cases.ts";
import { reentrantCases } from "./rlock_cases.ts";

// Python runs the lock tests against a Condition over its default RLock;
// errors about the lock come from that RLock.
const CONDITION: LockKind = {
  name: "Condition",
  create(ctx, options) {
    const lock = ctx.make.Condition(undefined, options);
    return { lock, label: ctx.make.conditionLockLabel(lock) };
  },
};

/**
 * Starts `n` threads one after another; each takes the condition's lock and
 * runs `body(i)` (which waits), and is parked before the next one starts, so
 * the waiters queue in index order. Each releases the lock when `body` ends.
 */
async function waitersInOrder(
  ctx: CaseContext,
  cond: Condition,
  n: number,
  body: (i: number) => Promise<unknown>,
): Promise<{ join(): Promise<void> }> {
  const bunches: Bunch[] = [];
  let entered = 0;
  for (let i = 0; i < n; i++) {
    bunches.push(ctx.bunch(async () => {
      await cond.acquire();
      entered++;
      try {
        await body(i);
      } finally {
        await cond.release();
      }
    }));
    await until(ctx, () => entered === i + 1);
  }
  // Taking the lock proves that the last one has parked (its wait released it).
  await cond.acquire();
  await cond.release();
  return {
    async join() {
      for (const b of bunches) await b.join();
    },
  };
}

/** CPython's `_check_notify`: notify(3), notify(5) then notifyAll over five threads waiting twice. */
async function checkNotifyPhases(ctx: CaseContext, cond: Condition): Promise<void> {
  const n = 5;
  const ready: number[] = [];
  const results1: [boolean, number][] = [];
  const results2: [boolean, number][] = [];
  let phase = 0;
  const bunch = ctx.bunch(async () => {
    await cond.acquire();
    ready.push(phase);
    const first = await cond.wait(3000);
    await cond.release();
    results1.push([first, phase]);
    await cond.acquire();
    ready.push(phase);
    const second = await cond.wait(3000);
    await cond.release();
    results2.push([second, phase]);
  }, n);
  const times = (count: number, value: [boolean, number]) => Array.from({ length: count }, () => value);

  await until(ctx, () => ready.length >= n);
  ready.length = 0;
  assertEquals(results1, []);
  // Phase 1: three of the five wake; they see the phase set while the notifier held the lock.
  await cond.acquire();
  await cond.notify(3);
  await ctx.settle();
  phase = 1;
  await cond.release();
  await until(ctx, () => results1.length >= 3);
  await ctx.settle();
  assertEquals(results1, times(3, [true, 1]));
  assertEquals(results2, []);
  // Phase 2: the two still in their first wait are the oldest, then the three in their second.
  await until(ctx, () => ready.length >= 3);
  await cond.acquire();
  await cond.notify(5);
  await ctx.settle();
  phase = 2;
  await cond.release();
  await until(ctx, () => results1.length + results2.length >= 8);
  await ctx.settle();
  assertEquals(results1, [...times(3, [true, 1]), ...times(2, [true, 2])]);
  assertEquals(results2, times(3, [true, 2]));
  // Phase 3: everyone is in the second wait.
  await until(ctx, () => ready.length >= n);
  await cond.acquire();
  await cond.notifyAll();
  await ctx.settle();
  phase = 3;
  await cond.release();
  await bunch.join();
  assertEquals(results2, [...times(3, [true, 2]), ...times(2, [true, 3])]);
}

export const conditionCases: Case[] = defineCases([
  ...lockLikeCases(CONDITION),
  ...reentrantCases(CONDITION),
  {
    name: "Condition: its default lock is reentrant; over a Lock it acquires and releases that lock",
    fn: async (ctx) => {
      const cond = ctx.make.Condition();
      await cond.acquire();
      assertEquals(await cond.acquire(), true);
      await cond.release();
      await cond.release();
      assertEquals(await cond.locked(), false);

      const lock = ctx.make.Lock();
      const overLock = ctx.make.Condition(lock);
      await overLock.acquire();
      assertEquals(await lock.acquire(false), false);
      await overLock.release();
      assertEquals(await lock.acquire(false), true);
      assertEquals(await overLock.acquire(false), false);
      assertEquals(await overLock.locked(), true);
      await lock.release();
      {
        await using _ = await overLock.guard();
        assertEquals(await lock.acquire(false), false);
      }
      assertEquals(await lock.locked(), false);

      const rlock = ctx.make.RLock();
      const overRLock = ctx.make.Condition(rlock);
      await overRLock.acquire();
      assertEquals(String(rlock).includes("count=1"), true, String(rlock));
      await rlock.acquire();
      await overRLock.release();
      await overRLock.release();
      assertEquals(await rlock.locked(), false);
    },
  },
  {
    name: "Condition: the constructor rejects what is not a Lock or RLock",
    fn: async (ctx) => {
      assertErrorSays(assertThrows(() => ctx.make.Condition({}, ctx.options)), TypeError, "Lock or RLock", "received");
      assertErrorSays(assertThrows(() => ctx.make.Condition("lock", ctx.options)), TypeError, 'received "lock"');
      assertEquals(await ctx.make.Condition(null).locked(), false);
    },
  },
  {
    name: "Condition: wait without holding the lock rejects with RuntimeError",
    fn: async (ctx) => {
      const cond = ctx.make.Condition();
      for (const call of [() => cond.wait(), () => cond.wait(10), () => cond.waitFor(() => false, 10)]) {
        const error = await assertRejects(call);
        assertErrorSays(error, RuntimeError, "un-acquired", cond.label);
      }
      // Held by another thread: the main thread does not own it.
      await ctx.bunch(() => cond.acquire()).join();
      assertErrorSays(await assertRejects(() => cond.wait(10)), RuntimeError, cond.label);
    },
  },
  {
    name: "Condition: notify and notifyAll without holding the lock throw RuntimeError",
    fn: async (ctx) => {
      const cond = ctx.make.Condition();
      assertErrorSays(await ctx.fails(() => cond.notify()), RuntimeError, "un-acquired", cond.label);
      assertErrorSays(await ctx.fails(() => cond.notify(3)), RuntimeError, cond.label);
      assertErrorSays(await ctx.fails(() => cond.notifyAll()), RuntimeError, cond.label);
      await ctx.bunch(() => cond.acquire()).join();
      await ctx.fails(() => cond.notify(), RuntimeError);
      await ctx.fails(() => cond.notifyAll(), RuntimeError);
    },
  },
  {
    name: "Condition: notify(3), notify(5) and notifyAll wake waiters in phases (twice)",
    fn: async (ctx) => {
      const cond = ctx.make.Condition();
      await checkNotifyPhases(ctx, cond);
      // A second time, to check that the internal state is still right.
      await checkNotifyPhases(ctx, cond);
    },
  },
  {
    name: "Condition: notify phases over a plain Lock",
    fn: async (ctx) => {
      await checkNotifyPhases(ctx, ctx.make.Condition(ctx.make.Lock()));
    },
  },
  {
    name: "Condition: wait with a timeout in ms resolves false once it elapses, holding the lock again",
    fn: async (ctx) => {
      const cond = ctx.make.Condition();
      const results: [number, boolean, boolean][] = [];
      await ctx.bunch(async () => {
        await cond.acquire();
        const start = ctx.backend.now();
        const notified = await cond.wait(50);
        const elapsed = ctx.backend.now() - start;
        results.push([elapsed, notified, await cond.acquire(false)]);
        await cond.release();
        await cond.release();
      }, 5).join();
      assertEquals(results.length, 5);
      for (const [elapsed, notified, reentered] of results) {
        assert(elapsed >= 30, `timed out after ${elapsed} ms`);
        assertEquals(notified, false);
        assertEquals(reentered, true, "the lock was not owned again after the timeout");
      }
      assertEquals(await cond.locked(), false);
    },
  },
  {
    name: "Condition: wait takes ms, -1, null or { timeout, signal }",
    fn: async (ctx) => {
      const cond = ctx.make.Condition();
      await cond.acquire();
      assertEquals(await cond.wait(0), false);
      assertEquals(await cond.wait(10), false);
      assertEquals(await cond.wait({ timeout: 10 }), false);
      assertEquals(await cond.wait({ timeout: 0, signal: new AbortController().signal }), false);
      await cond.release();
      const args: (number | null | WaitOptions | undefined)[] = [-1, null, undefined, {}, {
        signal: new AbortController().signal,
      }, { timeout: TIMEOUT_MAX }];
      const results: boolean[] = [];
      const waiters = await waitersInOrder(ctx, cond, args.length, async (i) => {
        results.push(await cond.wait(args[i]));
      });
      await ctx.settle();
      assertEquals(results, [], "a wait forever ended early");
      await cond.acquire();
      await cond.notifyAll();
      await cond.release();
      await waiters.join();
      assertEquals(results, args.map(() => true));
    },
  },
  {
    name: "Condition: waitFor returns once the predicate holds, checking it after each wake-up",
    fn: async (ctx) => {
      const cond = ctx.make.Condition();
      let state = 0;
      let checks = 0;
      const outcome: [boolean, number][] = [];
      const bunch = ctx.bunch(async () => {
        await using _ = await cond.guard();
        const result = await cond.waitFor(() => (checks++, state === 4));
        outcome.push([result, state]);
      });
      for (let i = 0; i < 4; i++) {
        await ctx.sleep(10);
        await using _ = await cond.guard();
        state++;
        await cond.notify();
      }
      await bunch.join();
      assertEquals(outcome, [[true, 4]]);
      // Once at first, then once per notify: no spurious wake-ups.
      assertEquals(checks, 5);
      // A predicate that already holds returns without waiting, even with no time to wait.
      await cond.acquire();
      assertEquals(await cond.waitFor(() => true, 0), true);
      await cond.release();
    },
  },
  {
    name: "Condition: waitFor with a timeout returns the predicate's last value once it elapses",
    fn: async (ctx) => {
      const cond = ctx.make.Condition();
      let state = 0;
      let checks = 0;
      const outcome: [boolean, number][] = [];
      const bunch = ctx.bunch(async () => {
        await using _ = await cond.guard();
        const start = ctx.backend.now();
        const result = await cond.waitFor(() => (checks++, state === 4), 150);
        outcome.push([result, ctx.backend.now() - start]);
      });
      // Only three increments: state 4 is never reached.
      for (let i = 0; i < 3; i++) {
        await ctx.sleep(10);
        await using _ = await cond.guard();
        state++;
        await cond.notify();
      }
      await bunch.join();
      assertEquals(outcome.length, 1);
      assertEquals(outcome[0][0], false);
      assert(outcome[0][1] >= 90, `waitFor gave up after ${outcome[0][1]} ms`);
      // Once at first, once per notify, once after the timeout.
      assertEquals(checks, 5);
    },
  },
  {
    name: "Condition: waitFor with a signal aborted mid-wait rejects with the reason, holding the lock again",
    fn: async (ctx) => {
      const cond = ctx.make.Condition();
      const controller = new AbortController();
      const reason = new Error("cancelled");
      const outcome: unknown[] = [];
      const waiters = await waitersInOrder(ctx, cond, 1, async () => {
        try {
          await cond.waitFor(() => false, { signal: controller.signal, timeout: 3000 });
          outcome.push("returned");
        } catch (error) {
          outcome.push(error, await cond.acquire(false));
          await cond.release();
        }
      });
      controller.abort(reason);
      await waiters.join();
      assertEquals(outcome.length, 2);
      assert(outcome[0] === reason, `rejected with ${outcome[0]}`);
      assertEquals(outcome[1], true, "the lock was not owned again after the abort");
      assertEquals(await cond.locked(), false);
    },
  },
  {
    name: "Condition: notify(n) wakes exactly n waiters, oldest first",
    fn: async (ctx) => {
      const cond = ctx.make.Condition();
      const woken: number[] = [];
      const waiters = await waitersInOrder(ctx, cond, 5, async (i) => {
        if (await cond.wait(3000)) woken.push(i);
      });
      const notify = async (n: number, expected: number) => {
        await cond.acquire();
        await cond.notify(n);
        await cond.release();
        await until(ctx, () => woken.length >= expected);
        await ctx.settle();
      };
      await notify(2, 2);
      assertEquals(woken, [0, 1]);
      await notify(1, 3);
      assertEquals(woken, [0, 1, 2]);
      await notify(1, 4);
      assertEquals(woken, [0, 1, 2, 3]);
      await notify(1, 5);
      await waiters.join();
      assertEquals(woken, [0, 1, 2, 3, 4]);
    },
  },
  {
    name: "Condition: notify(0) wakes nobody, notify beyond the waiters wakes them all, a bad n is an error",
    fn: async (ctx) => {
      const cond = ctx.make.Condition();
      const woken: number[] = [];
      const waiters = await waitersInOrder(ctx, cond, 2, async (i) => {
        if (await cond.wait(3000)) woken.push(i);
      });
      await cond.acquire();
      await cond.notify(0);
      assertErrorSays(await ctx.fails(() => cond.notify(-1)), ValueError, "received -1");
      assertErrorSays(await ctx.fails(() => cond.notify(1.5)), TypeError, "received number 1.5");
      await cond.release();
      await ctx.settle();
      assertEquals(woken, []);
      await cond.acquire();
      await cond.notify(10);
      await cond.release();
      await waiters.join();
      assertEquals(woken, [0, 1]);
      // Nobody waits: notify and notifyAll do nothing.
      await cond.acquire();
      await cond.notify();
      await cond.notifyAll();
      await cond.release();
    },
  },
  {
    name: "Condition: a waiter that timed out is not counted by a later notify",
    fn: async (ctx) => {
      const cond = ctx.make.Condition();
      const results: string[] = [];
      const waiters = await waitersInOrder(ctx, cond, 2, async (i) => {
        results.push(`${i} ${await cond.wait(i === 0 ? 20 : 3000)}`);
      });
      await until(ctx, () => results.length >= 1);
      assertEquals(results, ["0 false"]);
      await cond.acquire();
      await cond.notify(1);
      await cond.release();
      await waiters.join();
      assertEquals(results, ["0 false", "1 true"]);
    },
  },
  {
    name: "Condition: an aborted wait rejects with the reason and is not counted by a later notify",
    fn: async (ctx) => {
      const cond = ctx.make.Condition();
      const controller = new AbortController();
      const reason = { why: "gave up" };
      const results: unknown[] = [];
      const waiters = await waitersInOrder(ctx, cond, 2, async (i) => {
        if (i === 0) {
          await cond.wait({ signal: controller.signal }).then((v) => results.push(v), (e) => results.push(e));
        } else {
          results.push(await cond.wait(3000));
        }
      });
      controller.abort(reason);
      await until(ctx, () => results.length >= 1);
      assert(results[0] === reason, `rejected with ${results[0]}`);
      await cond.acquire();
      await cond.notify(1);
      await cond.release();
      await waiters.join();
      assertEquals(results.slice(1), [true]);
    },
  },
  {
    name: "Condition: wait re-acquires the lock before it returns, even on timeout",
    fn: async (ctx) => {
      const cond = ctx.make.Condition();
      const events: string[] = [];
      const waiters = await waitersInOrder(ctx, cond, 1, async () => {
        events.push(`wait returned ${await cond.wait(20)}`);
        events.push(`owner again ${await cond.acquire(false)}`);
        await cond.release();
      });
      // The waiter's timeout elapses while the main thread holds the lock.
      await cond.acquire();
      await ctx.sleep(60);
      events.push("main releases");
      await cond.release();
      await waiters.join();
      assertEquals(events, ["main releases", "wait returned false", "owner again true"]);
      assertEquals(await cond.locked(), false);
    },
  },
  {
    name: "Condition: wait re-acquires the lock before it rejects, even on abort",
    fn: async (ctx) => {
      const cond = ctx.make.Condition();
      const controller = new AbortController();
      const events: string[] = [];
      const waiters = await waitersInOrder(ctx, cond, 1, async () => {
        try {
          await cond.wait({ signal: controller.signal });
          events.push("wait returned");
        } catch (error) {
          events.push(`wait rejected with ${error}`);
        }
        events.push(`owner again ${await cond.acquire(false)}`);
        await cond.release();
      });
      await cond.acquire();
      controller.abort("stop");
      await ctx.settle();
      events.push("main releases");
      await cond.release();
      await waiters.join();
      assertEquals(events, ["main releases", "wait rejected with stop", "owner again true"]);
      assertEquals(await cond.locked(), false);
    },
  },
  {
    name: "Condition: over an RLock acquired recursively, wait releases every level and restores them",
    fn: async (ctx) => {
      const rlock = ctx.make.RLock();
      const cond = ctx.make.Condition(rlock);
      const events: string[] = [];
      let parked = false;
      const bunch = ctx.bunch(async () => {
        await rlock.acquire();
        await rlock.acquire();
        await cond.acquire();
        parked = true;
        const notified = await cond.wait(3000);
        events.push(`woken ${notified} with ${String(rlock).includes("count=3") ? "3 levels" : String(rlock)}`);
        await rlock.release();
        await rlock.release();
        await rlock.release();
        events.push(`freed ${!(await rlock.locked())}`);
      });
      await until(ctx, () => parked);
      // Every level was released: another thread takes the lock.
      assertEquals(await rlock.acquire({ timeout: 1000 }), true);
      assert(String(rlock).includes("count=1"), String(rlock));
      await cond.notify();
      await rlock.release();
      await bunch.join();
      assertEquals(events, ["woken true with 3 levels", "freed true"]);
      await ctx.fails(() => rlock.release(), RuntimeError);
    },
  },
  {
    name: "Condition: over a Lock, wait releases it and takes it back",
    fn: async (ctx) => {
      const lock = ctx.make.Lock();
      const cond = ctx.make.Condition(lock);
      const events: string[] = [];
      let parked = false;
      const bunch = ctx.bunch(async () => {
        await cond.acquire();
        parked = true;
        const notified = await cond.wait(3000);
        events.push(`woken ${notified} locked ${await lock.locked()}`);
        await lock.release();
      });
      await until(ctx, () => parked);
      assertEquals(await lock.acquire({ timeout: 1000 }), true);
      await cond.notify();
      await ctx.settle();
      assertEquals(events, [], "the woken waiter ran without the lock");
      await lock.release();
      await bunch.join();
      assertEquals(events, ["woken true locked true"]);
      assertEquals(await lock.locked(), false);
    },
  },
  {
    name: "Condition: woken waiters re-acquire the lock in FIFO order behind the threads already waiting",
    fn: async (ctx) => {
      const cond = ctx.make.Condition();
      const order: string[] = [];
      const waiters = await waitersInOrder(ctx, cond, 2, async (i) => {
        assertEquals(await cond.wait(3000), true);
        order.push(`W${i}`);
      });
      const take = (name: string) =>
        ctx.bunch(async () => {
          await cond.acquire();
          order.push(name);
          await cond.release();
        });
      await cond.acquire();
      const a = take("A");
      await ctx.settle();
      await cond.notifyAll();
      await ctx.settle();
      const b = take("B");
      await ctx.settle();
      assertEquals(order, []);
      await cond.release();
      await a.join();
      await b.join();
      await waiters.join();
      assertEquals(order, ["A", "W0", "W1", "B"]);
    },
  },
  {
    name: "Condition: no starvation: threads that notify and wait in turn take the lock round-robin",
    fn: async (ctx) => {
      const cond = ctx.make.Condition();
      const n = 4;
      const rounds = 10;
      const sequence: number[] = [];
      const notified: boolean[] = [];
      // All threads line up on the lock before the first one runs.
      await cond.acquire();
      const bunch = ctx.bunch(async (i) => {
        await cond.acquire();
        try {
          for (let r = 0; r < rounds; r++) {
            sequence.push(i);
            await cond.notify();
            if (r < rounds - 1) notified.push(await cond.wait(3000));
          }
        } finally {
          await cond.release();
        }
      }, n);
      await ctx.settle();
      await cond.release();
      await bunch.join();
      assertEquals(sequence.length, n * rounds);
      assertEquals(notified, Array.from({ length: n * (rounds - 1) }, () => true));
      assertEquals([...sequence.slice(0, n)].sort(), [0, 1, 2, 3]);
      // Each woken waiter queued behind the others: the first turn order repeats.
      for (let k = n; k < sequence.length; k++) {
        assertEquals(sequence[k], sequence[k - n], `turn ${k}: ${sequence.join(",")}`);
      }
    },
  },
  {
    name: "Condition: a notify issued as soon as the waiter releases the lock is not lost",
    fn: async (ctx) => {
      const cond = ctx.make.Condition();
      const results: boolean[] = [];
      let held = false;
      const bunch = ctx.bunch(async () => {
        await cond.acquire();
        held = true;
        // The main thread queues on the lock meanwhile.
        await ctx.sleep(20);
        results.push(await cond.wait(1000));
        await cond.release();
      });
      await until(ctx, () => held);
      // Handed over by the waiter's wait(): notify at once.
      await cond.acquire();
      await cond.notify();
      await cond.release();
      await bunch.join();
      assertEquals(results, [true]);
    },
  },
  {
    name: "Condition: an already-aborted signal rejects wait and waitFor at once, before any other check",
    fn: async (ctx) => {
      const cond = ctx.make.Condition();
      const controller = new AbortController();
      const reason = new Error("aborted before");
      controller.abort(reason);
      const signal = controller.signal;
      const check = async (calls: Promise<unknown>[]) => {
        for (const call of calls) {
          assert(await settlesAtOnce(call), "the call did not settle at once");
          const error = await assertRejects(() => call);
          assert(error === reason, `rejected with ${error} instead of the signal's reason`);
        }
      };
      // Without the lock: the signal wins over the RuntimeError.
      await check([
        cond.wait({ signal }),
        cond.wait({ signal, timeout: -5 }),
        cond.waitFor(() => true, { signal }),
        cond.acquire({ signal }),
      ]);
      assertEquals(await cond.locked(), false);
      // With the lock: it stays held.
      await cond.acquire();
      await check([cond.wait({ signal }), cond.waitFor(() => true, { signal })]);
      assertEquals(await cond.acquire(false), true);
      await cond.release();
      await cond.release();
      assertEquals(await cond.locked(), false);
    },
  },
  {
    name: "Condition: bad wait arguments are errors that say what was received",
    fn: async (ctx) => {
      const cond = ctx.make.Condition();
      await cond.acquire();
      assertErrorSays(await assertRejects(() => cond.wait(-5)), ValueError, "timeout", "received -5");
      assertErrorSays(await assertRejects(() => cond.wait({ timeout: -100 })), ValueError, "received -100");
      assertErrorSays(
        await assertRejects(() => cond.wait(TIMEOUT_MAX + 1)),
        OverflowError,
        `received ${TIMEOUT_MAX + 1}`,
      );
      assertErrorSays(await assertRejects(() => cond.wait("10" as never)), TypeError, 'received "10"');
      assertErrorSays(await assertRejects(() => cond.wait({ blocking: false })), TypeError, "blocking");
      assertErrorSays(await assertRejects(() => cond.waitFor(42 as never)), TypeError, "received number 42");
      assertErrorSays(await assertRejects(() => cond.waitFor(() => false, -5)), ValueError, "received -5");
      if (ctx.has.syncTwins) assertErrorSays(assertThrows(() => cond.waitSync(-5)), ValueError, "received -5");
      // Still held, once.
      await cond.release();
      assertEquals(await cond.locked(), false);
    },
  },
  {
    name: "Condition: waitSync and waitForSync: false at once or DeadlockError on one thread; real waits otherwise",
    needs: ["syncTwins"],
    fn: ({ make, backend }) => {
      const cond = make.Condition();
      assertErrorSays(assertThrows(() => cond.waitSync(10)), RuntimeError, "un-acquired", cond.label);
      assertThrows(() => cond.waitForSync(() => false, 10), RuntimeError);
      cond.acquireSync();
      let checks = 0;
      const never = () => (checks++, false);
      if (!backend.capabilities.blockingWait) {
        // Nobody could notify while the caller blocks.
        assertEquals(cond.waitSync(60_000), false);
        assertErrorSays(assertThrows(() => cond.waitSync()), DeadlockError, cond.label, "MainThread");
        assertEquals(cond.waitForSync(never, 60_000), false);
        assert(checks <= 2, `waitForSync spun: the predicate ran ${checks} times`);
        assertThrows(() => cond.waitForSync(never), DeadlockError);
      } else {
        const start = backend.now();
        assertEquals(cond.waitSync(20), false);
        assert(backend.now() - start >= 12, `a blocking timed wait returned after ${backend.now() - start} ms`);
        assertEquals(cond.waitForSync(never, 20), false);
      }
      assertEquals(cond.waitForSync(() => true), true);
      // The lock is still owned by the caller, once.
      assertEquals(cond.acquireSync(false), true);
      cond.release();
      cond.release();
      assertEquals(cond.locked(), false);
    },
  },
]);
