/**
 * Event: CPython's `EventTests` (Lib/test/lock_tests.py) and the contract's
 * rules (ms timeouts, signals, `waitSync`).
 *
 * @module
 */
import { assert, assertEquals, assertMatch, assertRejects, assertStrictEquals, assertThrows } from "@std/assert";
import { DeadlockError, type Event, monotonic, OverflowError, TIMEOUT_MAX, ValueError } from "@locksmith/threading";
import { type Case, type CaseContext, defineCases } from "./_suite.ts";

/** Five threads each wait twice; one `set()` wakes them all (CPython's `_check_notify`). */
async function checkNotify(ctx: CaseContext, event: Event): Promise<void> {
  const first: boolean[] = [];
  const second: boolean[] = [];
  const bunch = ctx.bunch(async () => {
    first.push(await event.wait());
    second.push(await event.wait());
  }, 5);
  await ctx.settle();
  assertEquals(first, [], "a thread passed an unset event");
  await event.set();
  await bunch.join();
  assertEquals(first, Array(5).fill(true));
  assertEquals(second, Array(5).fill(true));
}

export const eventCases: Case[] = defineCases([
  {
    name: "Event: isSet follows set() and clear()",
    fn: async (ctx) => {
      const event = ctx.make.Event();
      assertEquals(await event.isSet(), false);
      await event.set();
      assertEquals(await event.isSet(), true);
      await event.set();
      assertEquals(await event.isSet(), true);
      await event.clear();
      assertEquals(await event.isSet(), false);
      await event.clear();
      assertEquals(await event.isSet(), false);
    },
  },
  {
    name: "Event: set() wakes every waiter, again after a clear()",
    fn: async (ctx) => {
      const event = ctx.make.Event();
      await checkNotify(ctx, event);
      await event.set();
      await event.clear();
      await checkNotify(ctx, event);
    },
  },
  {
    name: "Event: many waiters all wake on one set()",
    fn: async (ctx) => {
      const event = ctx.make.Event();
      const woken: boolean[] = [];
      const bunch = ctx.bunch(async () => woken.push(await event.wait({ timeout: 10_000 })), 25);
      await ctx.settle();
      assertEquals(bunch.finished(), 0);
      await event.set();
      await bunch.join();
      assertEquals(woken, Array(25).fill(true));
    },
  },
  {
    name: "Event: a wait with a timeout in ms on an unset event returns false",
    fn: async (ctx) => {
      const event = ctx.make.Event();
      const immediate: boolean[] = [];
      const timed: { result: boolean; elapsed: number }[] = [];
      const body = async () => {
        immediate.push(await event.wait(0));
        const start = monotonic(ctx.options);
        const result = await event.wait(50);
        timed.push({ result, elapsed: monotonic(ctx.options) - start });
      };
      await ctx.bunch(body, 5).join();
      assertEquals(immediate, Array(5).fill(false));
      for (const { result, elapsed } of timed) {
        assertEquals(result, false);
        // As CPython's assertTimeout: the wait lasted about its timeout.
        assert(elapsed >= 30, `the timed wait returned after ${elapsed} ms`);
      }
      // Once set, the same waits return true.
      immediate.length = 0;
      timed.length = 0;
      await event.set();
      await ctx.bunch(body, 5).join();
      assertEquals(immediate, Array(5).fill(true));
      assertEquals(timed.map((t) => t.result), Array(5).fill(true));
    },
  },
  {
    name: "Event: a waiter woken by set() returns true even if clear() follows at once",
    fn: async (ctx) => {
      const event = ctx.make.Event();
      const results: boolean[] = [];
      const bunch = ctx.bunch(async () => results.push(await event.wait(10_000)), 5);
      await ctx.settle();
      await event.set();
      await event.clear();
      await bunch.join();
      assertEquals(results, Array(5).fill(true));
      assertEquals(await event.isSet(), false);
    },
  },
  {
    name: "Event: wait() checks its timeout",
    fn: async (ctx) => {
      const event = ctx.make.Event();
      const error = await assertRejects(() => event.wait(-5), ValueError);
      assert(error.message.includes("received -5"), error.message);
      await assertRejects(() => event.wait({ timeout: -0.5 }), ValueError);
      await assertRejects(() => event.wait(TIMEOUT_MAX + 1), OverflowError);
      if (ctx.has.syncTwins) assertThrows(() => event.waitSync(-5), ValueError);
      await event.set();
      // -1, null and TIMEOUT_MAX are valid, and a set event passes at once.
      assertEquals(await event.wait(-1), true);
      assertEquals(await event.wait(null), true);
      assertEquals(await event.wait(TIMEOUT_MAX), true);
      assertEquals(await event.wait({ timeout: 0 }), true);
    },
  },
  {
    name: "Event: an already-aborted signal rejects at once with its reason",
    fn: async (ctx) => {
      const event = ctx.make.Event();
      await event.set();
      for (const extra of [{}, { timeout: -5 }]) {
        const controller = new AbortController();
        controller.abort(new Error("stop waiting"));
        const error = await assertRejects(() => event.wait({ signal: controller.signal, ...extra }));
        assertStrictEquals(error, controller.signal.reason);
      }
    },
  },
  {
    name: "Event: aborting a pending wait rejects with the reason and leaves no waiter",
    fn: async (ctx) => {
      const event = ctx.make.Event();
      const controller = new AbortController();
      const outcomes: unknown[] = [];
      const aborted = ctx.bunch(async () => {
        try {
          outcomes.push(await event.wait({ signal: controller.signal }));
        } catch (error) {
          outcomes.push(error);
        }
      });
      let other: boolean | undefined;
      const waiter = ctx.bunch(async () => {
        other = await event.wait({ timeout: 10_000 });
      });
      await ctx.settle();
      const reason = new Error("give up");
      controller.abort(reason);
      await aborted.join();
      assertEquals(outcomes.length, 1);
      assertStrictEquals(outcomes[0], reason);
      assertEquals(waiter.finished(), 0, "aborting one wait woke another");
      await event.set();
      await waiter.join();
      assertEquals(other, true);
      // A signal that aborts after the wait returned changes nothing.
      const late = new AbortController();
      assertEquals(await event.wait({ signal: late.signal }), true);
      late.abort();
      assertEquals(await event.isSet(), true);
    },
  },
  {
    name: "Event: a wait that times out leaves no waiter, and a later set() still wakes the rest",
    fn: async (ctx) => {
      const event = ctx.make.Event();
      let patient: boolean | undefined;
      const waiter = ctx.bunch(async () => {
        patient = await event.wait();
      });
      await ctx.settle();
      assertEquals(await event.wait(5), false);
      assertEquals(waiter.finished(), 0);
      await event.set();
      await waiter.join();
      assertEquals(patient, true);
    },
  },
  {
    name: "Event: waitSync returns true on a set event and never waits on a single-thread backend",
    needs: ["syncTwins"],
    fn: async (ctx) => {
      const event = ctx.make.Event();
      assertEquals(event.waitSync(0), false);
      assertEquals(event.waitSync(10), false);
      if (!ctx.backend.capabilities.blockingWait) {
        // Nothing could set the event while this thread blocks: waiting forever is a deadlock.
        const error = assertThrows(() => event.waitSync(), DeadlockError);
        assert(error.message.includes(event.label), error.message);
        assertThrows(() => event.waitSync(-1), DeadlockError);
        // The failed sync waits left nothing that swallows a set.
        let woke: boolean | undefined;
        const waiter = ctx.bunch(async () => {
          woke = await event.wait();
        });
        await ctx.settle();
        await event.set();
        await waiter.join();
        assertEquals(woke, true);
      }
      await event.set();
      assertEquals(event.waitSync(), true);
      assertEquals(event.waitSync(0), true);
    },
  },
  {
    name: "Event: toString says whether it is set",
    needs: ["inProcess"],
    fn: async (ctx) => {
      const event = ctx.make.Event();
      assertMatch(String(event), /^<Event#\d+ unset>$/);
      await event.set();
      assertMatch(String(event), /^<Event#\d+ set>$/);
    },
  },
]);
