/**
 * Timer: CPython's `TimerTests` (Lib/test/test_threading.py) and the
 * behaviour of `threading.Timer`: it fires once after its interval with its
 * args, and `cancel()` before it fires prevents the call.
 *
 * @module
 */
import { assert, assertEquals, assertMatch, assertStrictEquals, assertThrows } from "@std/assert";
import {
  currentThread,
  monotonic,
  OverflowError,
  RuntimeError,
  Semaphore,
  Thread,
  TIMEOUT_MAX,
  Timer,
  ValueError,
} from "@locksmith/threading";
import { defineCases } from "./_suite.ts";

const targets = new URL("./_targets.ts", import.meta.url).href;
const releaseSum = { module: targets, export: "releaseSum" };

export const timerCases = defineCases([
  {
    name: "Timer: calls the function with its args, in the timer's thread, after the interval",
    needs: ["functionTargets"],
    fn: async ({ options }) => {
      const calls: { args: unknown[]; elapsed: number; thread: Thread }[] = [];
      const start = monotonic(options);
      const timer = new Timer(
        20,
        (...args: unknown[]) => {
          calls.push({ args, elapsed: monotonic(options) - start, thread: currentThread() });
        },
        ["x", 2],
        options,
      );
      timer.start();
      await timer.join();
      assertEquals(calls.length, 1);
      assertEquals(calls[0].args, ["x", 2]);
      assert(calls[0].elapsed >= 20, `fired after ${calls[0].elapsed} ms`);
      assertStrictEquals(calls[0].thread, timer);
      assertEquals(timer.isAlive(), false);
    },
  },
  {
    name: "Timer: a module target fires with its args",
    fn: async ({ options }) => {
      const sem = new Semaphore(0, options);
      const timer = new Timer(5, releaseSum, [sem, 4], options);
      timer.start();
      await timer.join();
      assertEquals(sem.value, 4);
      const immediate = new Timer(0, releaseSum, [sem, 1], options);
      immediate.start();
      await immediate.join();
      assertEquals(sem.value, 5);
    },
  },
  {
    name: "Timer: cancel() while it waits prevents the call and ends the thread",
    fn: async (ctx) => {
      const sem = new Semaphore(0, ctx.options);
      const timer = new Timer(1000, releaseSum, [sem, 1], ctx.options);
      timer.start();
      await ctx.settle();
      assertEquals(timer.isAlive(), true);
      timer.cancel();
      await timer.join();
      assertEquals(timer.isAlive(), false);
      assertEquals(sem.value, 0);
    },
  },
  {
    name: "Timer: cancel() before start() prevents the call",
    fn: async ({ options }) => {
      const sem = new Semaphore(0, options);
      const timer = new Timer(5, releaseSum, [sem, 1], options);
      timer.cancel();
      timer.start();
      await timer.join();
      assertEquals(sem.value, 0);
    },
  },
  {
    name: "Timer: cancel() after it fired changes nothing; it cannot be started again",
    fn: async ({ options }) => {
      const sem = new Semaphore(0, options);
      const timer = new Timer(1, releaseSum, [sem, 1], options);
      timer.start();
      await timer.join();
      timer.cancel();
      timer.cancel();
      assertEquals(sem.value, 1);
      assertThrows(() => timer.start(), RuntimeError);
    },
  },
  {
    name: "Timer: is a Thread named Thread-N unless named, with name, daemon and backend options",
    fn: ({ backend, options }) => {
      const timer = new Timer(10, releaseSum, [], options);
      assert(timer instanceof Thread);
      assertMatch(timer.name, /^Thread-\d+$/);
      assertEquals(timer.daemon, false);
      assertStrictEquals(timer.backend, backend);
      const named = new Timer(10, releaseSum, [], { ...options, name: "alarm", daemon: true });
      assertEquals(named.name, "alarm");
      assertEquals(named.daemon, true);
    },
  },
  {
    name: "Timer: a bad interval, function or args is an error",
    fn: ({ options }) => {
      assertThrows(() => new Timer(-5, releaseSum, [], options), ValueError, "-5");
      // An interval has no "forever": -1 is a bad interval, not an endless timer.
      assertThrows(() => new Timer(-1, releaseSum, [], options), ValueError, "received -1");
      assertThrows(() => new Timer(NaN, releaseSum, [], options), ValueError);
      assertThrows(() => new Timer(TIMEOUT_MAX + 1, releaseSum, [], options), OverflowError);
      assertThrows(() => new Timer("5" as never, releaseSum, [], options), TypeError);
      assertThrows(() => new Timer(5, 42 as never, [], options), TypeError);
      assertThrows(() => new Timer(5, releaseSum, "abc" as never, options), TypeError);
    },
  },
  {
    name: "Timer: timers with default args each call the function with no arguments",
    needs: ["functionTargets"],
    fn: async ({ options }) => {
      const calls: unknown[][] = [];
      const spy = (...args: unknown[]) => {
        calls.push(args);
      };
      const first = new Timer(1, spy, undefined, options);
      first.start();
      await first.join();
      const second = new Timer(1, spy, undefined, options);
      second.start();
      await second.join();
      assertEquals(calls, [[], []]);
    },
  },
  {
    name: "Timer: another thread can cancel it while it waits",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      let fired = false;
      const timer = new Timer(
        1000,
        () => {
          fired = true;
        },
        [],
        ctx.options,
      );
      timer.start();
      const canceller = ctx.bunch(async () => {
        await ctx.sleep(5);
        timer.cancel();
      });
      await canceller.join();
      await timer.join();
      assertEquals(fired, false);
    },
  },
]);
