/**
 * Barrier: CPython's `BarrierTests` (Lib/test/lock_tests.py) and the
 * contract's rules (ms timeouts and the default timeout, signals, actions,
 * `waitSync`).
 *
 * @module
 */
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertMatch,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "@std/assert";
import {
  BrokenBarrierError,
  DeadlockError,
  monotonic,
  OverflowError,
  TIMEOUT_MAX,
  ValueError,
} from "@locksmith/threading";
import { type Case, type CaseContext, defineCases } from "./_suite.ts";

/** Parties of the barriers CPython's tests use. */
const N = 5;
/** A default timeout that bounds every wait of a case that goes wrong. */
const DEFAULT_TIMEOUT = 2000;

/** Sleeps on the backend's clock until `done()` holds; fails rather than hang. */
async function until(ctx: CaseContext, done: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !(await done()); i++) await ctx.sleep(2);
  if (!(await done())) throw new Error(`Gave up waiting until ${what}`);
}

/** Runs `fn` in `n` threads and waits for all of them. */
function runThreads(ctx: CaseContext, fn: (i: number) => unknown, n: number = N): Promise<void> {
  return ctx.bunch(fn, n).join();
}

/** CPython's `multipass`: N threads pass the barrier twice per cycle, in lockstep. */
async function checkLockstep(ctx: CaseContext, cycles: number): Promise<void> {
  const barrier = ctx.make.Barrier(N, null, DEFAULT_TIMEOUT);
  const before: true[] = [];
  const after: true[] = [];
  await runThreads(ctx, async () => {
    for (let i = 0; i < cycles; i++) {
      before.push(true);
      assertEquals(after.length, i * N, "a thread ran ahead of the barrier");
      await barrier.wait();
      after.push(true);
      assertEquals(before.length, (i + 1) * N, "a thread passed before all arrived");
      await barrier.wait();
    }
    assertEquals(await barrier.nWaiting, 0);
    assertEquals(await barrier.broken, false);
  });
  assertEquals(after.length, cycles * N);
}

export const barrierCases: Case[] = defineCases([
  {
    name: "Barrier: parties < 1 throws ValueError",
    fn: (ctx) => {
      for (const parties of [0, -1]) {
        const error = assertThrows(() => ctx.make.Barrier(parties, null, null), ValueError);
        assert(error.message.includes(`received ${parties}`), error.message);
      }
      assertThrows(() => ctx.make.Barrier(1.5, null, null), TypeError);
      assertThrows(() => ctx.make.Barrier("3" as unknown as number, null, null), TypeError);
      assertThrows(() => ctx.make.Barrier(2, null, -5), ValueError);
      assertThrows(() => ctx.make.Barrier(2, null, TIMEOUT_MAX + 1), OverflowError);
      assertThrows(() => ctx.make.Barrier(2, 42 as never, null), TypeError);
      assertEquals(ctx.make.Barrier(1, null, null).parties, 1);
    },
  },
  {
    name: "Barrier: parties pass in lockstep",
    fn: (ctx) => checkLockstep(ctx, 1),
  },
  {
    name: "Barrier: parties pass in lockstep for 10 consecutive cycles",
    fn: (ctx) => checkLockstep(ctx, 10),
  },
  {
    name: "Barrier: wait() returns distinct indices 0..parties-1 in every cycle, over many cycles",
    fn: async (ctx) => {
      const parties = 3;
      const cycles = 100;
      const barrier = ctx.make.Barrier(parties, null, DEFAULT_TIMEOUT);
      const indices: number[][] = Array.from({ length: cycles }, () => []);
      await runThreads(ctx, async () => {
        for (let cycle = 0; cycle < cycles; cycle++) indices[cycle].push(await barrier.wait());
      }, parties);
      indices.forEach((cycle, i) => assertEquals(cycle.toSorted(), [0, 1, 2], `cycle ${i}`));
      assertEquals(await barrier.nWaiting, 0);
      assertEquals(await barrier.broken, false);
    },
  },
  {
    name: "Barrier: parties and nWaiting count the arrivals, and the last to arrive gets parties - 1",
    fn: async (ctx) => {
      const barrier = ctx.make.Barrier(3, null, DEFAULT_TIMEOUT);
      assertEquals(barrier.parties, 3);
      assertEquals(await barrier.nWaiting, 0);
      const indices: number[] = [];
      const first = ctx.bunch(async () => indices.push(await barrier.wait()));
      await ctx.settle();
      assertEquals(await barrier.nWaiting, 1);
      const second = ctx.bunch(async () => indices.push(await barrier.wait()));
      await ctx.settle();
      assertEquals(await barrier.nWaiting, 2);
      assertEquals(await barrier.wait(), 2);
      await first.join();
      await second.join();
      assertEquals(indices.toSorted(), [0, 1]);
      assertEquals(await barrier.nWaiting, 0);
      assertEquals(barrier.parties, 3);
    },
  },
  {
    name: "Barrier: a single party passes at once, again and again",
    fn: async (ctx) => {
      const barrier = ctx.make.Barrier(1, null, null);
      assertEquals(await barrier.wait(), 0);
      assertEquals(await barrier.wait(), 0);
      if (ctx.has.syncTwins) assertEquals(barrier.waitSync(), 0);
    },
  },
  {
    name: "Barrier: the action runs exactly once per cycle, before any wait() of that cycle returns",
    fn: async (ctx) => {
      let runs = 0;
      const barrier = ctx.make.Barrier(N, () => void runs++, DEFAULT_TIMEOUT);
      const cycles = 3;
      await runThreads(ctx, async () => {
        for (let cycle = 0; cycle < cycles; cycle++) {
          await barrier.wait();
          assertEquals(runs, cycle + 1);
        }
      });
      assertEquals(runs, cycles);
    },
  },
  {
    name: "Barrier: an async action is awaited before any wait() of its cycle returns",
    fn: async (ctx) => {
      let started = 0;
      let finished = 0;
      const barrier = ctx.make.Barrier(
        N,
        async () => {
          started++;
          await ctx.sleep(10);
          finished++;
        },
        DEFAULT_TIMEOUT,
      );
      await runThreads(ctx, async () => {
        for (let cycle = 0; cycle < 2; cycle++) {
          await barrier.wait();
          assertEquals(finished, cycle + 1, "wait() returned before the action finished");
        }
      });
      assertEquals(started, 2);
      assertEquals(finished, 2);
    },
  },
  {
    name: "Barrier: an action that throws breaks the barrier",
    fn: async (ctx) => {
      let calls = 0;
      const failure = new Error("action failed");
      const barrier = ctx.make.Barrier(
        3,
        () => {
          if (++calls === 1) throw failure;
        },
        DEFAULT_TIMEOUT,
      );
      const outcomes: unknown[] = [];
      await runThreads(ctx, async () => {
        try {
          outcomes.push(await barrier.wait());
        } catch (error) {
          outcomes.push(error);
        }
      }, 3);
      // The last party, which ran the action, gets its error; the others find the barrier broken.
      assertEquals(outcomes.filter((o) => o === failure).length, 1);
      assertEquals(outcomes.filter((o) => o instanceof BrokenBarrierError).length, 2);
      assertEquals(await barrier.broken, true);
      await assertRejects(() => barrier.wait(), BrokenBarrierError);
      await barrier.reset();
      const indices: number[] = [];
      await runThreads(ctx, async () => indices.push(await barrier.wait()), 3);
      assertEquals(indices.toSorted(), [0, 1, 2]);
      assertEquals(calls, 2);
    },
  },
  {
    name: "Barrier: an async action that rejects breaks the barrier",
    fn: async (ctx) => {
      const failure = new Error("async action failed");
      const barrier = ctx.make.Barrier(
        2,
        async () => {
          await ctx.sleep(1);
          throw failure;
        },
        DEFAULT_TIMEOUT,
      );
      const outcomes: unknown[] = [];
      await runThreads(ctx, async () => {
        try {
          outcomes.push(await barrier.wait());
        } catch (error) {
          outcomes.push(error);
        }
      }, 2);
      assertEquals(outcomes.filter((o) => o === failure).length, 1);
      assertEquals(outcomes.filter((o) => o instanceof BrokenBarrierError).length, 1);
      assertEquals(await barrier.broken, true);
    },
  },
  {
    name: "Barrier: abort() breaks the barrier for current and later waiters",
    fn: async (ctx) => {
      const barrier = ctx.make.Barrier(N, null, DEFAULT_TIMEOUT);
      let passed = 0;
      let broken = 0;
      await runThreads(ctx, async () => {
        try {
          const i = await barrier.wait();
          if (i === Math.floor(N / 2)) {
            await barrier.abort();
            return;
          }
          await barrier.wait();
          passed++;
        } catch (error) {
          assertInstanceOf(error, BrokenBarrierError);
          broken++;
        }
      });
      assertEquals(passed, 0);
      assertEquals(broken, N - 1);
      assertEquals(await barrier.broken, true);
      await assertRejects(() => barrier.wait(), BrokenBarrierError);
      assertEquals(await barrier.nWaiting, 0);
    },
  },
  {
    name: "Barrier: reset() frees the waiting threads, and the barrier can be passed again",
    fn: async (ctx) => {
      const barrier = ctx.make.Barrier(N, null, DEFAULT_TIMEOUT);
      let passed = 0;
      let broken = 0;
      let again = 0;
      await runThreads(ctx, async () => {
        const i = await barrier.wait();
        if (i === Math.floor(N / 2)) {
          await until(ctx, async () => (await barrier.nWaiting) >= N - 1, "the others wait again");
          await barrier.reset();
        } else {
          try {
            await barrier.wait();
            passed++;
          } catch (error) {
            assertInstanceOf(error, BrokenBarrierError);
            broken++;
          }
        }
        await barrier.wait();
        again++;
      });
      assertEquals(passed, 0);
      assertEquals(broken, N - 1);
      assertEquals(again, N);
      assertEquals(await barrier.broken, false);
    },
  },
  {
    name: "Barrier: a broken barrier can be reset and used again",
    fn: async (ctx) => {
      const barrier = ctx.make.Barrier(N, null, DEFAULT_TIMEOUT);
      const sync = ctx.make.Barrier(N, null, DEFAULT_TIMEOUT);
      let passed = 0;
      let broken = 0;
      let again = 0;
      await runThreads(ctx, async () => {
        try {
          const i = await barrier.wait();
          if (i === Math.floor(N / 2)) throw new RangeError("this thread gives up");
          await barrier.wait();
          passed++;
        } catch (error) {
          if (error instanceof BrokenBarrierError) broken++;
          else await barrier.abort();
        }
        // Everyone has left the barrier before the reset, and nobody enters it before.
        if (await sync.wait() === Math.floor(N / 2)) await barrier.reset();
        await sync.wait();
        await barrier.wait();
        again++;
      });
      assertEquals(passed, 0);
      assertEquals(broken, N - 1);
      assertEquals(again, N);
      assertEquals(await barrier.broken, false);
    },
  },
  {
    name: "Barrier: a wait with a timeout in ms breaks the barrier when a party is late",
    fn: async (ctx) => {
      const barrier = ctx.make.Barrier(N, null, DEFAULT_TIMEOUT);
      const errors: unknown[] = [];
      await runThreads(ctx, async () => {
        const i = await barrier.wait();
        // One thread is late; the others' timeout is shorter than the delay.
        if (i === Math.floor(N / 2)) await ctx.sleep(200);
        try {
          await barrier.wait(50);
        } catch (error) {
          errors.push(error);
        }
      });
      assertEquals(errors.length, N);
      errors.forEach((error) => assertInstanceOf(error, BrokenBarrierError));
      assertEquals(await barrier.broken, true);
      assertEquals(await barrier.nWaiting, 0);
    },
  },
  {
    name: "Barrier: wait() with timeout undefined or null uses the barrier's default timeout",
    fn: async (ctx) => {
      const timeout = 40;
      const barrier = ctx.make.Barrier(2, null, timeout);
      const forms: (() => Promise<number>)[] = [
        () => barrier.wait(),
        () => barrier.wait(undefined),
        () => barrier.wait(null),
        () => barrier.wait({}),
        () => barrier.wait({ timeout: null, signal: new AbortController().signal }),
      ];
      for (const wait of forms) {
        await barrier.reset();
        const start = monotonic(ctx.options);
        await assertRejects(wait, BrokenBarrierError);
        // As CPython's assertTimeout: the wait lasted about the default timeout.
        const elapsed = monotonic(ctx.options) - start;
        assert(elapsed >= timeout * 0.6, `the wait gave up after ${elapsed} ms`);
        assertEquals(await barrier.broken, true);
      }
    },
  },
  {
    name: "Barrier: wait(-1) waits forever whatever the default timeout",
    fn: async (ctx) => {
      const barrier = ctx.make.Barrier(2, null, 20);
      let index: number | undefined;
      const early = ctx.bunch(async () => {
        index = await barrier.wait(-1);
      });
      await ctx.sleep(80);
      assertEquals(await barrier.broken, false);
      assertEquals(await barrier.nWaiting, 1);
      assertEquals(await barrier.wait({ timeout: -1 }), 1);
      await early.join();
      assertEquals(index, 0);
    },
  },
  {
    name: "Barrier: wait() checks its timeout",
    fn: async (ctx) => {
      const barrier = ctx.make.Barrier(2, null, null);
      const error = await assertRejects(() => barrier.wait(-5), ValueError);
      assert(error.message.includes("received -5"), error.message);
      await assertRejects(() => barrier.wait({ timeout: -2 }), ValueError);
      await assertRejects(() => barrier.wait(TIMEOUT_MAX + 1), OverflowError);
      if (ctx.has.syncTwins) assertThrows(() => barrier.waitSync(-5), ValueError);
      assertEquals(await barrier.broken, false);
      assertEquals(await barrier.nWaiting, 0);
    },
  },
  {
    name: "Barrier: an already-aborted signal rejects at once with its reason",
    fn: async (ctx) => {
      for (const parties of [1, 2]) {
        const barrier = ctx.make.Barrier(parties, null, null);
        for (const extra of [{}, { timeout: -5 }]) {
          const controller = new AbortController();
          controller.abort(new Error("stop waiting"));
          const error = await assertRejects(() => barrier.wait({ signal: controller.signal, ...extra }));
          assertStrictEquals(error, controller.signal.reason);
        }
        assertEquals(await barrier.broken, false);
        assertEquals(await barrier.nWaiting, 0);
      }
    },
  },
  {
    name: "Barrier: aborting a pending wait rejects with the reason, leaves no waiter and breaks the barrier",
    fn: async (ctx) => {
      const barrier = ctx.make.Barrier(3, null, DEFAULT_TIMEOUT);
      const controller = new AbortController();
      const outcomes: unknown[] = [];
      const aborted = ctx.bunch(async () => {
        try {
          outcomes.push(await barrier.wait({ signal: controller.signal }));
        } catch (error) {
          outcomes.push(error);
        }
      });
      const other = ctx.bunch(async () => {
        await assertRejects(() => barrier.wait(), BrokenBarrierError);
      });
      await ctx.settle();
      assertEquals(await barrier.nWaiting, 2);
      const reason = new Error("give up");
      controller.abort(reason);
      await aborted.join();
      await other.join();
      assertEquals(outcomes.length, 1);
      assertStrictEquals(outcomes[0], reason);
      // As after a timeout, the others were freed rather than left waiting for a party that left.
      assertEquals(await barrier.broken, true);
      assertEquals(await barrier.nWaiting, 0);
      await barrier.reset();
      const indices: number[] = [];
      await runThreads(ctx, async () => indices.push(await barrier.wait()), 3);
      assertEquals(indices.toSorted(), [0, 1, 2]);
    },
  },
  {
    name: "Barrier: waitSync passes as the last party and runs the action once",
    needs: ["syncTwins"],
    fn: async (ctx) => {
      let runs = 0;
      const barrier = ctx.make.Barrier(2, () => void runs++, DEFAULT_TIMEOUT);
      let index: number | undefined;
      const early = ctx.bunch(async () => {
        index = await barrier.wait();
      });
      await ctx.settle();
      assertEquals(await barrier.nWaiting, 1);
      assertEquals(barrier.waitSync(), 1);
      await early.join();
      assertEquals(index, 0);
      assertEquals(runs, 1);
      assertEquals(await barrier.nWaiting, 0);
      const single = ctx.make.Barrier(1, () => void runs++, null);
      assertEquals(single.waitSync(), 0);
      assertEquals(runs, 2);
    },
  },
  {
    name: "Barrier: waitSync breaks the barrier when its action returns a Promise",
    needs: ["syncTwins"],
    fn: async (ctx) => {
      const barrier = ctx.make.Barrier(1, () => Promise.resolve(), null);
      assertThrows(() => barrier.waitSync(), TypeError, "Promise");
      assertEquals(await barrier.broken, true);
      assertThrows(() => barrier.waitSync(), BrokenBarrierError);
    },
  },
  {
    name: "Barrier: waitSync never waits on a single-thread backend",
    needs: ["syncTwins"],
    fn: async (ctx) => {
      const barrier = ctx.make.Barrier(2, null, null);
      if (!ctx.backend.capabilities.blockingWait) {
        // Nobody can arrive while this thread blocks: a finite wait breaks the barrier at once.
        assertThrows(() => barrier.waitSync(10), BrokenBarrierError);
        assertEquals(await barrier.broken, true);
        assertEquals(await barrier.nWaiting, 0);
        await barrier.reset();
        // And a wait forever is a deadlock that leaves nobody counted as waiting.
        const error = assertThrows(() => barrier.waitSync(), DeadlockError);
        assert(error.message.includes(barrier.label), error.message);
        assertEquals(await barrier.nWaiting, 0);
        await barrier.reset();
      } else {
        assertThrows(() => barrier.waitSync(10), BrokenBarrierError);
        await barrier.reset();
      }
      // The barrier still works for two real parties.
      const indices: number[] = [];
      await runThreads(ctx, async () => indices.push(await barrier.wait()), 2);
      assertEquals(indices.toSorted(), [0, 1]);
    },
  },
  {
    name: "Barrier: reset() of an idle barrier keeps it usable and repairs a broken one",
    fn: async (ctx) => {
      const barrier = ctx.make.Barrier(2, null, DEFAULT_TIMEOUT);
      await barrier.reset();
      assertEquals(await barrier.broken, false);
      await barrier.abort();
      assertEquals(await barrier.broken, true);
      await assertRejects(() => barrier.wait(), BrokenBarrierError);
      await barrier.reset();
      assertEquals(await barrier.broken, false);
      const indices: number[] = [];
      await runThreads(ctx, async () => indices.push(await barrier.wait()), 2);
      assertEquals(indices.toSorted(), [0, 1]);
    },
  },
  {
    name: "Barrier: toString shows the waiters, or that it is broken",
    needs: ["inProcess"],
    fn: async (ctx) => {
      const barrier = ctx.make.Barrier(3, null, DEFAULT_TIMEOUT);
      assertMatch(String(barrier), /^<Barrier#\d+ waiters=0\/3>$/);
      const bunch = ctx.bunch(() => barrier.wait(), 2);
      await until(ctx, async () => (await barrier.nWaiting) >= 2, "two threads wait");
      assertMatch(String(barrier), /waiters=2\/3>$/);
      await barrier.wait();
      await bunch.join();
      assertMatch(String(barrier), /waiters=0\/3>$/);
      await barrier.abort();
      assertMatch(String(barrier), /^<Barrier#\d+ broken>$/);
    },
  },
]);
