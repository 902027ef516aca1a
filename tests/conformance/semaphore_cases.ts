/**
 * Semaphore and BoundedSemaphore: CPython's `BaseSemaphoreTests`,
 * `SemaphoreTests` and `BoundedSemaphoreTests` (Lib/test/lock_tests.py), and
 * the contract's rules (ms timeouts, signals, guards, FIFO hand-off, `...Sync`).
 * The base behaviours run for both classes.
 *
 * @module
 */
import { assert, assertEquals, assertMatch, assertRejects, assertStrictEquals, assertThrows } from "@std/assert";
import {
  BoundedSemaphore,
  DeadlockError,
  monotonic,
  OverflowError,
  Semaphore,
  SEMAPHORE_VALUE_MAX,
  TIMEOUT_MAX,
  TimeoutError,
  ValueError,
} from "@locksmith/threading";
import { type Case, type CaseContext, defineCases } from "./_suite.ts";

/** Sleeps on the backend's clock until `done()` holds; fails rather than hang. */
async function until(ctx: CaseContext, done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await ctx.sleep(2);
  if (!done()) throw new Error(`Gave up waiting until ${what}`);
}

/** An aborted signal whose reason is a fresh, recognisable error. */
function abortedSignal(): AbortSignal {
  const controller = new AbortController();
  controller.abort(new Error("stop waiting"));
  return controller.signal;
}

type SemaphoreClass = typeof Semaphore | typeof BoundedSemaphore;

/** CPython's `BaseSemaphoreTests` and the contract's rules, for one class. */
function baseCases(Kind: SemaphoreClass): Case[] {
  const kind = Kind.name;
  const make = (ctx: CaseContext, value?: number, options?: unknown) =>
    kind === "Semaphore" ? ctx.make.Semaphore(value, options) : ctx.make.BoundedSemaphore(value, options);
  return [
    {
      name: `${kind}: a negative initial value throws ValueError`,
      fn: async (ctx) => {
        for (const value of [-1, -Number.MAX_SAFE_INTEGER]) {
          const error = assertThrows(() => make(ctx, value), ValueError);
          assert(error.message.includes(`received ${value}`), error.message);
          assert(error.message.includes(kind), error.message);
        }
        assertThrows(() => make(ctx, SEMAPHORE_VALUE_MAX + 1), ValueError);
        assertThrows(() => make(ctx, 1.5), TypeError);
        assertEquals(await make(ctx, 0).value, 0);
      },
    },
    {
      name: `${kind}: acquire takes permits and release gives them back`,
      fn: async (ctx) => {
        const one = make(ctx, 1);
        assertEquals(await one.acquire(), true);
        assertEquals(await one.value, 0);
        await one.release();
        assertEquals(await one.value, 1);
        const two = make(ctx, 2);
        assertEquals(await two.acquire(), true);
        assertEquals(await two.acquire(), true);
        assertEquals(await two.value, 0);
        await two.release();
        await two.release();
        assertEquals(await two.value, 2);
      },
    },
    {
      name: `${kind}: contended acquires proceed one per released permit`,
      fn: async (ctx) => {
        const sem = make(ctx, 7);
        await sem.acquire();
        const taken: boolean[] = [];
        const phases: number[] = [];
        let phase = 0;
        const bunch = ctx.bunch(async () => {
          taken.push(await sem.acquire());
          phases.push(phase);
          taken.push(await sem.acquire());
          phases.push(phase);
        }, 10);
        await until(ctx, () => phases.length >= 6, "6 permits are taken");
        await ctx.settle();
        assertEquals(phases, [0, 0, 0, 0, 0, 0]);
        phase = 1;
        for (let i = 0; i < 7; i++) await sem.release();
        await until(ctx, () => phases.length >= 13, "13 permits are taken");
        phase = 2;
        for (let i = 0; i < 6; i++) await sem.release();
        await until(ctx, () => phases.length >= 19, "19 permits are taken");
        await ctx.settle();
        assertEquals(phases.toSorted(), [...Array(6).fill(0), ...Array(7).fill(1), ...Array(6).fill(2)]);
        // One thread still waits for its second permit.
        assertEquals(await sem.acquire(false), false);
        assertEquals(bunch.finished(), 9);
        await sem.release();
        await bunch.join();
        assertEquals(taken, Array(20).fill(true));
        assertEquals(await sem.value, 0);
      },
    },
    {
      name: `${kind}: release(n) wakes n waiters at once`,
      fn: async (ctx) => {
        const sem = make(ctx, 7);
        await sem.acquire();
        const phases: number[] = [];
        let phase = 0;
        const bunch = ctx.bunch(async () => {
          await sem.acquire();
          phases.push(phase);
          await sem.acquire();
          phases.push(phase);
        }, 10);
        await until(ctx, () => phases.length >= 6, "6 permits are taken");
        await ctx.settle();
        assertEquals(phases, [0, 0, 0, 0, 0, 0]);
        phase = 1;
        await sem.release(7);
        await until(ctx, () => phases.length >= 13, "13 permits are taken");
        phase = 2;
        await sem.release(6);
        await until(ctx, () => phases.length >= 19, "19 permits are taken");
        await ctx.settle();
        assertEquals(phases.toSorted(), [...Array(6).fill(0), ...Array(7).fill(1), ...Array(6).fill(2)]);
        assertEquals(await sem.acquire(false), false);
        await sem.release();
        await bunch.join();
        assertEquals(phases.length, 20);
      },
    },
    {
      name: `${kind}: a non-blocking acquire takes a free permit or returns false`,
      fn: async (ctx) => {
        const sem = make(ctx, 2);
        assertEquals(await sem.acquire(false), true);
        assertEquals(await sem.acquire({ blocking: false }), true);
        assertEquals(await sem.acquire(false), false);
        assertEquals(await sem.acquire({ blocking: false }), false);
        await sem.release();
        assertEquals(await sem.acquire(false), true);
        assertEquals(await sem.value, 0);
      },
    },
    {
      name: `${kind}: contended non-blocking acquires take exactly the free permits`,
      fn: async (ctx) => {
        const sem = make(ctx, 4);
        await sem.acquire();
        const results: boolean[] = [];
        const bunch = ctx.bunch(async () => {
          results.push(await sem.acquire(false));
          results.push(await sem.acquire(false));
        }, 5);
        await bunch.join();
        assertEquals(results.toSorted(), [...Array(7).fill(false), ...Array(3).fill(true)]);
        assertEquals(await sem.value, 0);
      },
    },
    {
      name: `${kind}: acquire with a timeout in ms takes a permit or times out`,
      fn: async (ctx) => {
        const sem = make(ctx, 2);
        assertEquals(await sem.acquire(true, 5), true);
        assertEquals(await sem.acquire({ timeout: 5 }), true);
        assertEquals(await sem.acquire(true, 5), false);
        await sem.release();
        assertEquals(await sem.acquire(true, 5), true);
        const start = monotonic(ctx.options);
        assertEquals(await sem.acquire({ timeout: 50 }), false);
        // As CPython's assertTimeout: the wait lasted about its timeout.
        assert(monotonic(ctx.options) - start >= 30, "the timed acquire returned too early");
        assertEquals(await sem.value, 0);
      },
    },
    {
      name: `${kind}: acquire rejects bad timeouts`,
      fn: async (ctx) => {
        const sem = make(ctx, 1);
        await assertRejects(() => sem.acquire(false, 1000), ValueError, "blocking");
        await assertRejects(() => sem.acquire({ blocking: false, timeout: 10 }), ValueError);
        const negative = await assertRejects(() => sem.acquire(true, -100), ValueError);
        assert(negative.message.includes("received -100"), negative.message);
        await assertRejects(() => sem.acquire({ timeout: -2 }), ValueError);
        await assertRejects(() => sem.acquire(true, 1e100), OverflowError);
        await assertRejects(() => sem.acquire(true, TIMEOUT_MAX + 1), OverflowError);
        if (ctx.has.syncTwins) assertThrows(() => sem.acquireSync(false, 10), ValueError);
        assertEquals(await sem.value, 1, "a rejected call took a permit");
        // TIMEOUT_MAX itself, -1 and null are accepted.
        assertEquals(await sem.acquire(true, TIMEOUT_MAX), true);
        await sem.release();
        assertEquals(await sem.acquire(true, -1), true);
        await sem.release();
        assertEquals(await sem.acquire(true, null), true);
        await sem.release();
      },
    },
    {
      name: `${kind}: the default value is 1`,
      fn: async (ctx) => {
        const sem = make(ctx, undefined);
        assertEquals(await sem.value, 1);
        await sem.acquire();
        const bunch = ctx.bunch(async () => {
          await sem.acquire();
          await sem.release();
        });
        await ctx.settle();
        assertEquals(bunch.finished(), 0, "the thread did not wait for the permit");
        await sem.release();
        await bunch.join();
        assertEquals(await sem.value, 1);
      },
    },
    {
      name: `${kind}: guard() holds a permit for a block and gives it back however it ends`,
      fn: async (ctx) => {
        const sem = make(ctx, 2);
        const body = async (error?: Error) => {
          await using _outer = await sem.guard();
          assertEquals(await sem.acquire(false), true);
          await sem.release();
          await using _inner = await sem.guard();
          assertEquals(await sem.acquire(false), false);
          if (error) throw error;
        };
        await body();
        assertEquals(await sem.acquire(false), true);
        await sem.release();
        await assertRejects(() => body(new TypeError("boom")), TypeError, "boom");
        assertEquals(await sem.value, 2);
      },
    },
    {
      name: `${kind}: a guard releases exactly once`,
      fn: async (ctx) => {
        const sem = make(ctx, 2);
        const guard = await sem.guard();
        assertEquals(await sem.value, 1);
        await ctx.dispose(guard);
        await ctx.dispose(guard);
        assertEquals(await sem.value, 2);
      },
    },
    {
      name: `${kind}: guard() that gets no permit throws TimeoutError and holds nothing`,
      fn: async (ctx) => {
        const sem = make(ctx, 1);
        await sem.acquire();
        await assertRejects(() => sem.guard({ timeout: 5 }), TimeoutError);
        await assertRejects(() => sem.guard({ blocking: false }), TimeoutError);
        await assertRejects(() => sem.guard({ blocking: false, timeout: 5 }), ValueError);
        await sem.release();
        assertEquals(await sem.value, 1);
      },
    },
    {
      name: `${kind}: runExclusive runs under a permit and releases it however the function ends`,
      fn: async (ctx) => {
        const sem = make(ctx, 1);
        assertEquals(
          await sem.runExclusive(async () => {
            assertEquals(await sem.value, 0);
            return "done";
          }),
          "done",
        );
        assertEquals(await sem.value, 1);
        await assertRejects(() => sem.runExclusive(() => Promise.reject(new TypeError("bad"))), TypeError, "bad");
        assertEquals(await sem.value, 1);
        // Two at once are serialised by a single permit.
        let inside = 0;
        let most = 0;
        const bunch = ctx.bunch(() =>
          sem.runExclusive(async () => {
            most = Math.max(most, ++inside);
            await ctx.sleep(2);
            inside--;
          }), 3);
        await bunch.join();
        assertEquals(most, 1);
        assertEquals(await sem.value, 1);
      },
    },
    {
      name: `${kind}: release(n) with n < 1 throws ValueError`,
      fn: async (ctx) => {
        const sem = make(ctx, 1);
        for (const n of [0, -1]) {
          const error = await ctx.fails(() => sem.release(n), ValueError);
          assert(error.message.includes(`received ${n}`), error.message);
        }
        await ctx.fails(() => sem.release(1.5), TypeError);
        assertEquals(await sem.value, 1);
      },
    },
    {
      name: `${kind}: an already-aborted signal rejects at once with its reason`,
      fn: async (ctx) => {
        const sem = make(ctx, 1);
        for (
          const call of [
            (signal: AbortSignal) => sem.acquire({ signal }),
            (signal: AbortSignal) => sem.acquire({ signal, timeout: -5 }),
            (signal: AbortSignal) => sem.acquire({ signal, blocking: false }),
            (signal: AbortSignal) => sem.guard({ signal }),
          ]
        ) {
          const signal = abortedSignal();
          const error = await assertRejects(() => call(signal));
          assertStrictEquals(error, signal.reason);
        }
        assertEquals(await sem.value, 1, "an aborted call took the free permit");
      },
    },
    {
      name: `${kind}: aborting a pending acquire rejects with the reason and leaves no waiter`,
      fn: async (ctx) => {
        const sem = make(ctx, 1);
        await sem.acquire();
        const controller = new AbortController();
        const outcomes: unknown[] = [];
        const aborted = ctx.bunch(async () => {
          try {
            outcomes.push(await sem.acquire({ signal: controller.signal }));
          } catch (error) {
            outcomes.push(error);
          }
        });
        await ctx.settle();
        let later = false;
        const waiter = ctx.bunch(async () => {
          later = await sem.acquire();
          await sem.release();
        });
        await ctx.settle();
        const reason = new Error("give up");
        controller.abort(reason);
        await aborted.join();
        assertEquals(outcomes.length, 1);
        assertStrictEquals(outcomes[0], reason);
        // The permit goes to the live waiter, not to the aborted one.
        await sem.release();
        await waiter.join();
        assertEquals(later, true);
        assertEquals(await sem.value, 1);
        // With nobody left waiting, a release adds a free permit.
        await sem.acquire();
        const alone = new AbortController();
        const pending = sem.acquire({ signal: alone.signal }).catch((error) => error);
        await ctx.settle();
        alone.abort(reason);
        assertStrictEquals(await pending, reason);
        await sem.release();
        assertEquals(await sem.value, 1);
        assertEquals(await sem.acquire(false), true);
      },
    },
    {
      name: `${kind}: released permits go to the waiters oldest first (FIFO hand-off)`,
      fn: async (ctx) => {
        const sem = make(ctx, 1);
        await sem.acquire();
        const order: number[] = [];
        const bunches = [];
        for (let id = 0; id < 4; id++) {
          bunches.push(ctx.bunch(async () => {
            await sem.acquire();
            order.push(id);
            await sem.release();
          }));
          await ctx.settle();
        }
        await sem.release();
        if (ctx.has.synchronousCalls) {
          // The permit was handed to the oldest waiter, not left free for a barger. (Where every call is a
          // round trip, the waiters may all have taken and given back the permit by the next call.)
          assertEquals(await sem.value, 0);
          assertEquals(await sem.acquire(false), false);
        }
        for (const bunch of bunches) await bunch.join();
        assertEquals(order, [0, 1, 2, 3]);
        assertEquals(await sem.value, 1);
      },
    },
    {
      name: `${kind}: a task that releases and re-acquires in a loop cannot starve the waiters`,
      fn: async (ctx) => {
        const sem = make(ctx, 1);
        await sem.acquire();
        const turnsEach = 3;
        let round = 0;
        // The hog's round at each waiter's turns: rounds[id][k] for its k-th turn.
        const rounds: number[][] = [[], [], []];
        const bunches = [];
        for (const mine of rounds) {
          bunches.push(ctx.bunch(async () => {
            for (let k = 0; k < turnsEach; k++) {
              await sem.acquire();
              mine.push(round);
              await sem.release();
            }
          }));
          await ctx.settle();
        }
        // The hog gives the permit back and takes it again, round after round.
        const hogRounds = 10;
        for (round = 1; round <= hogRounds; round++) {
          await sem.release();
          assertEquals(await sem.acquire(), true);
        }
        round = hogRounds + 1;
        await sem.release();
        for (const bunch of bunches) await bunch.join();
        // Each release handed the permit on to the oldest waiter, and the hog's
        // re-acquire queued behind the waiters: each waiter's k-th turn came by
        // the hog's k-th round. A barging semaphore lets the hog win every
        // round, and the waiters get their turns only after it stops.
        for (const mine of rounds) {
          assertEquals(mine.length, turnsEach);
          mine.forEach((r, k) => assert(r <= k + 1, `turn ${k} came in round ${r}: ${JSON.stringify(rounds)}`));
        }
        assertEquals(await sem.value, 1);
      },
    },
    {
      name: `${kind}: acquireSync takes a free permit and never waits on a single-thread backend`,
      needs: ["syncTwins"],
      fn: async (ctx) => {
        const sem = make(ctx, 1);
        assertEquals(sem.acquireSync(), true);
        assertEquals(sem.acquireSync(false), false);
        assertEquals(sem.acquireSync(true, 10), false);
        if (!ctx.backend.capabilities.blockingWait) {
          // Nothing could release while this thread blocks: waiting forever is a deadlock.
          const error = assertThrows(() => sem.acquireSync(), DeadlockError);
          assert(error.message.includes(sem.label), error.message);
          assertThrows(() => sem.acquireSync(true, -1), DeadlockError);
          assertThrows(() => sem.acquireSync(true, null), DeadlockError);
          // A parked async waiter is still first in line after a failed sync attempt.
          let woke = false;
          const waiter = ctx.bunch(async () => {
            woke = await sem.acquire();
          });
          await ctx.settle();
          assertEquals(sem.acquireSync(true, 5), false);
          await sem.release();
          await waiter.join();
          assertEquals(woke, true);
        }
        await sem.release();
        assertEquals(await sem.value, 1);
        assertEquals(sem.acquireSync(true, 10), true);
        await sem.release();
      },
    },
  ];
}

export const semaphoreCases: Case[] = defineCases([
  ...baseCases(Semaphore),
  ...baseCases(BoundedSemaphore),
  // CPython's SemaphoreTests.
  {
    name: "Semaphore: releases beyond the initial value are allowed and add permits",
    fn: async (ctx) => {
      const sem = ctx.make.Semaphore(1);
      await sem.release();
      assertEquals(await sem.value, 2);
      assertEquals(await sem.acquire(false), true);
      assertEquals(await sem.acquire(false), true);
      await sem.release(5);
      assertEquals(await sem.value, 5);
      await ctx.fails(() => sem.release(SEMAPHORE_VALUE_MAX), ValueError);
      assertEquals(await sem.value, 5);
    },
  },
  {
    name: "Semaphore: toString shows the value",
    needs: ["inProcess"],
    fn: async (ctx) => {
      const sem = ctx.make.Semaphore(3);
      assertMatch(String(sem), /^<Semaphore#\d+ value=3>$/);
      await sem.acquire();
      assertMatch(String(sem), /value=2>$/);
      await sem.release();
      await sem.release();
      assertMatch(String(sem), /value=4>$/);
    },
  },
  // CPython's BoundedSemaphoreTests.
  {
    name: "BoundedSemaphore: a release above the initial value throws ValueError",
    fn: async (ctx) => {
      const sem = ctx.make.BoundedSemaphore(undefined);
      const error = await ctx.fails(() => sem.release(), ValueError);
      assert(error.message.includes("released too many times"), error.message);
      await sem.acquire();
      await sem.release();
      await ctx.fails(() => sem.release(), ValueError);
      assertEquals(await sem.value, 1);
      const three = ctx.make.BoundedSemaphore(3);
      await three.acquire();
      await three.acquire();
      await ctx.fails(() => three.release(3), ValueError);
      assertEquals(await three.value, 1, "a refused release(n) gave back some permits");
      await three.release(2);
      assertEquals(await three.value, 3);
    },
  },
  {
    name: "BoundedSemaphore: a release handed to a waiter counts toward the bound",
    fn: async (ctx) => {
      const sem = ctx.make.BoundedSemaphore(1);
      await sem.acquire();
      const waiter = ctx.bunch(async () => {
        await sem.acquire();
        await sem.release();
      });
      await ctx.settle();
      await sem.release();
      await waiter.join();
      assertEquals(await sem.value, 1);
      await ctx.fails(() => sem.release(), ValueError);
    },
  },
  {
    name: "BoundedSemaphore: toString shows the value and the bound",
    needs: ["inProcess"],
    fn: async (ctx) => {
      const sem = ctx.make.BoundedSemaphore(3);
      assertMatch(String(sem), /^<BoundedSemaphore#\d+ value=3\/3>$/);
      await sem.acquire();
      assertMatch(String(sem), /value=2\/3>$/);
    },
  },
]);
