/**
 * Future, ThreadPoolExecutor, wait and asCompleted: the future and executor
 * behaviours of CPython's `Lib/test/test_concurrent_futures` (test_future,
 * executor, test_thread_pool, test_shutdown, test_init, test_wait,
 * test_as_completed), and the contract's rules (ms timeouts, signals).
 *
 * @module
 */
import { assert, assertEquals, assertInstanceOf, assertMatch, assertRejects, assertThrows } from "@std/assert";
import {
  Barrier,
  DeadlockError,
  Event,
  getIdent,
  pendingWaits,
  RuntimeError,
  Semaphore,
  ValueError,
} from "@locksmith/threading";
import {
  ALL_COMPLETED,
  asCompleted,
  BrokenExecutor,
  CancelledError,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  Future,
  type FutureOptions,
  InvalidStateError,
  ProcessPoolExecutor,
  type ReturnWhen,
  ThreadPoolExecutor,
  TimeoutError,
  wait,
} from "@locksmith/threading/futures";
import { type Case, type CaseContext, defineCases } from "./_suite.ts";
import { EXECUTOR_TARGETS } from "./_executor_targets.ts";
import { captureStderr } from "./_stderr.ts";

/** A module reference to an export of `_executor_targets.ts`. */
const ref = (name: string) => ({ module: EXECUTOR_TARGETS, export: name });

/** Futures in each state, as CPython's `create_future` makes them. */
function futures(options: FutureOptions) {
  const pending = new Future<number>(options);
  const running = new Future<number>(options);
  running.setRunningOrNotifyCancel();
  const cancelled = new Future<number>(options);
  cancelled.cancel();
  const cancelledAndNotified = new Future<number>(options);
  cancelledAndNotified.cancel();
  cancelledAndNotified.setRunningOrNotifyCancel();
  const failed = new Future<number>(options);
  failed.setException(new RangeError("failed"));
  const successful = new Future<number>(options);
  successful.setResult(42);
  return { pending, running, cancelled, cancelledAndNotified, failed, successful };
}

/** Sleeps on the backend's clock until `done()` holds; fails rather than hang. */
async function until(ctx: CaseContext, done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await ctx.sleep(2);
  if (!done()) throw new Error(`Gave up waiting until ${what}`);
}

const mul = (x: number, y: number) => x * y;

/** Runs `body` with a pool on the backend under test, then shuts it down and waits. */
async function withPool(
  ctx: CaseContext,
  options: ConstructorParameters<typeof ThreadPoolExecutor>[0],
  body: (pool: ThreadPoolExecutor) => Promise<void> | void,
): Promise<void> {
  const pool = new ThreadPoolExecutor({ ...options, backend: ctx.backend });
  try {
    await body(pool);
  } finally {
    await pool.shutdown(true);
  }
}

const futureCases: Case[] = [
  {
    name: "Future: done callbacks run with the result, the exception, or on cancel",
    fn: ({ options }) => {
      const results: unknown[] = [];
      const f1 = new Future<number>(options);
      f1.addDoneCallback((f) => results.push(f.resultSync()));
      f1.setResult(5);
      const f2 = new Future(options);
      f2.addDoneCallback((f) => results.push((f.exceptionSync() as Error).message));
      f2.setException(new Error("test"));
      const f3 = new Future(options);
      f3.addDoneCallback((f) => results.push(f.cancelled()));
      assertEquals(f3.cancel(), true);
      assertEquals(results, [5, "test", true]);
    },
  },
  {
    name: "Future: a callback added to a done future runs at once",
    fn: ({ options }) => {
      const { successful, failed, cancelled } = futures(options);
      const seen: unknown[] = [];
      successful.addDoneCallback((f) => seen.push(f.resultSync()));
      failed.addDoneCallback((f) => seen.push((f.exceptionSync() as Error).message));
      cancelled.addDoneCallback((f) => seen.push(f.cancelled()));
      assertEquals(seen, [42, "failed", true]);
      assertThrows(() => successful.addDoneCallback("no" as never), TypeError);
    },
  },
  {
    name: "Future: a callback that throws is reported on stderr and the others still run",
    fn: async ({ options }) => {
      const f = new Future<number>(options);
      let second = false;
      f.addDoneCallback(() => {
        throw new Error("doh!");
      });
      f.addDoneCallback(() => (second = true));
      const printed = await captureStderr(() => f.setResult(5));
      assert(second, "the second callback did not run");
      assert(printed.includes("Exception calling callback for"), printed);
      assert(printed.includes("doh!"), printed);
      const late = await captureStderr(() =>
        f.addDoneCallback(() => {
          throw new Error("late doh!");
        })
      );
      assert(late.includes("late doh!"), late);
    },
  },
  {
    name: "Future: toString shows the state, as Python's repr",
    fn: ({ options }) => {
      const f = futures(options);
      assertMatch(String(f.pending), /^<Future#\d+ state=pending>$/);
      assertMatch(String(f.running), /^<Future#\d+ state=running>$/);
      assertMatch(String(f.cancelled), /^<Future#\d+ state=cancelled>$/);
      assertMatch(String(f.cancelledAndNotified), /^<Future#\d+ state=cancelled>$/);
      assertMatch(String(f.failed), /^<Future#\d+ state=finished raised RangeError>$/);
      assertMatch(String(f.successful), /^<Future#\d+ state=finished returned number>$/);
    },
  },
  {
    name: "Future: cancel succeeds unless running or finished",
    fn: ({ options }) => {
      const f = futures(options);
      assertEquals(f.pending.cancel(), true);
      assertEquals(f.pending.state, "CANCELLED");
      assertEquals(f.running.cancel(), false);
      assertEquals(f.running.state, "RUNNING");
      assertEquals(f.cancelled.cancel(), true);
      assertEquals(f.cancelled.state, "CANCELLED");
      assertEquals(f.cancelledAndNotified.cancel(), true);
      assertEquals(f.cancelledAndNotified.state, "CANCELLED_AND_NOTIFIED");
      assertEquals(f.failed.cancel(), false);
      assertEquals(f.successful.cancel(), false);
      assertEquals(f.successful.state, "FINISHED");
    },
  },
  {
    name: "Future: cancelled, done and running follow the state",
    fn: ({ options }) => {
      const f = futures(options);
      const all = [f.pending, f.running, f.cancelled, f.cancelledAndNotified, f.failed, f.successful];
      assertEquals(all.map((x) => x.cancelled()), [false, false, true, true, false, false]);
      assertEquals(all.map((x) => x.done()), [false, false, true, true, true, true]);
      assertEquals(all.map((x) => x.running()), [false, true, false, false, false, false]);
    },
  },
  {
    name: "Future: result and exception with a timeout of 0",
    fn: async ({ options }) => {
      const f = futures(options);
      await assertRejects(() => f.pending.result(0), TimeoutError);
      await assertRejects(() => f.running.result(0), TimeoutError);
      await assertRejects(() => f.cancelled.result(0), CancelledError);
      await assertRejects(() => f.cancelledAndNotified.result(0), CancelledError);
      await assertRejects(() => f.failed.result(0), RangeError, "failed");
      assertEquals(await f.successful.result(0), 42);
      await assertRejects(() => f.pending.exception(0), TimeoutError);
      await assertRejects(() => f.running.exception(0), TimeoutError);
      await assertRejects(() => f.cancelled.exception(0), CancelledError);
      assertInstanceOf(await f.failed.exception(0), RangeError);
      assertEquals(await f.successful.exception(0), undefined);
      assertEquals(pendingWaits(), []);
      f.pending.cancel();
      f.running.setResult(0);
    },
  },
  {
    name: "Future: result waits for a result set by another thread",
    fn: async (ctx) => {
      const f = new Future<number>(ctx.options);
      const t = ctx.bunch(async () => {
        await ctx.sleep(20);
        f.setResult(42);
      });
      assertEquals(await f.result(10_000), 42);
      await t.join();
    },
  },
  {
    name: "Future: result raises CancelledError when another thread cancels",
    fn: async (ctx) => {
      const f = new Future<number>(ctx.options);
      const t = ctx.bunch(async () => {
        await ctx.sleep(20);
        f.cancel();
      });
      await assertRejects(() => f.result(10_000), CancelledError);
      await t.join();
    },
  },
  {
    name: "Future: exception waits for an exception set by another thread",
    fn: async (ctx) => {
      const f = new Future<number>(ctx.options);
      const t = ctx.bunch(async () => {
        await ctx.sleep(20);
        f.setException(new TypeError("late"));
      });
      assertInstanceOf(await f.exception(10_000), TypeError);
      await t.join();
    },
  },
  {
    name: "Future: setting a result or exception twice throws InvalidStateError",
    fn: async ({ options }) => {
      const f = new Future<number>(options);
      f.setResult(1);
      const error = assertThrows(() => f.setResult(2), InvalidStateError);
      assertMatch(error.message, /finished.*<Future#\d+ state=finished returned number>/);
      assert(f.done());
      assertEquals(await f.result(), 1);
      const g = new Future(options);
      const e = new RangeError("first");
      g.setException(e);
      const again = assertThrows(() => g.setException(new Error("second")), InvalidStateError);
      assertMatch(again.message, /state=finished raised RangeError/);
      assertEquals(await g.exception(), e);
      const c = new Future(options);
      c.cancel();
      assertThrows(() => c.setResult(1), InvalidStateError);
    },
  },
  {
    name: "Future: setRunningOrNotifyCancel runs a pending future, notifies a cancelled one",
    fn: ({ options }) => {
      const f = futures(options);
      assertEquals(new Future(options).setRunningOrNotifyCancel(), true);
      assertEquals(f.cancelled.setRunningOrNotifyCancel(), false);
      assertEquals(f.cancelled.state, "CANCELLED_AND_NOTIFIED");
      assertThrows(() => f.running.setRunningOrNotifyCancel(), RuntimeError);
      assertThrows(() => f.successful.setRunningOrNotifyCancel(), RuntimeError);
      f.running.setResult(0);
    },
  },
  {
    name: "Future: await gives the result or throws the exception",
    fn: async ({ options }) => {
      const f = futures(options);
      assertEquals(await f.successful, 42);
      await assertRejects(async () => await f.failed, RangeError);
      await assertRejects(async () => await f.cancelled, CancelledError);
      assertEquals(await f.successful.then((x) => x + 1), 43);
    },
  },
  {
    name: "Future: the Sync twins cannot wait for a future of this isolate",
    fn: ({ options }) => {
      const f = futures(options);
      assertEquals(f.successful.resultSync(), 42);
      assertThrows(() => f.failed.resultSync(), RangeError);
      assertThrows(() => f.cancelled.resultSync(), CancelledError);
      assertThrows(() => f.pending.resultSync(10), TimeoutError);
      assertThrows(() => f.pending.resultSync(), DeadlockError);
      assertThrows(() => f.pending.exceptionSync(0), TimeoutError);
      assertThrows(() => f.pending.exceptionSync(), DeadlockError);
      assertThrows(() => f.pending.resultSync(-5), ValueError);
      f.pending.cancel();
      f.running.setResult(0);
    },
  },
  {
    name: "Future: an aborted wait for a result leaves no waiter behind",
    fn: async ({ options }) => {
      const f = new Future<number>(options);
      const controller = new AbortController();
      const waiting = f.result({ signal: controller.signal });
      controller.abort(new Error("stop"));
      await assertRejects(() => waiting, Error, "stop");
      await assertRejects(() => f.exception({ signal: controller.signal }), Error, "stop");
      assertEquals(pendingWaits(), []);
      await assertRejects(() => f.result(-3), ValueError);
      f.setResult(1);
      assertEquals(await f.result({ signal: controller.signal }).catch(() => "aborted"), "aborted");
    },
  },
];

const executorCases: Case[] = [
  {
    name: "ThreadPoolExecutor: submit runs the call and its future gets the result",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, {}, async (pool) => {
        assertEquals(await pool.submit(Math.pow, 2, 8).result(), 256);
        assertEquals(await pool.submit(mul, 2, 8), 16);
        assertEquals(await pool.submit(async (x: number) => (await ctx.sleep(1), x + 1), 1), 2);
        await assertRejects(() => pool.submit(() => JSON.parse("{")).result(), SyntaxError);
        assertThrows(() => pool.submit("pow" as never), TypeError);
      }),
  },
  {
    name: "ThreadPoolExecutor: map yields the results in order, with or without chunksize",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, {}, async (pool) => {
        const expected = Array.from({ length: 10 }, (_, i) => i ** i);
        assertEquals(await Array.fromAsync(pool.map(Math.pow, range(10), range(10))), expected);
        assertEquals(await Array.fromAsync(pool.map(Math.pow, range(10), range(10), { chunksize: 3 })), expected);
        assertEquals(await Array.fromAsync(pool.map((x: number) => x * 2, [1, 2, 3, 4], { chunksize: 1 })), [
          2,
          4,
          6,
          8,
        ]);
        // Zipped: stops at the shortest iterable.
        assertEquals(await Array.fromAsync(pool.map(mul, [1, 2, 3], [10, 20])), [10, 40]);
        assertThrows(() => pool.map(mul, [1], { chunksize: 0 }), ValueError);
        assertThrows(() => pool.map(mul), TypeError);
      }),
  },
  {
    name: "ThreadPoolExecutor: map throws the first exception in order",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, {}, async (pool) => {
        const divmod = (a: number, b: number) => {
          if (b === 0) throw new RangeError("integer division or modulo by zero");
          return [Math.floor(a / b), a % b];
        };
        const it = pool.map(divmod, [1, 1, 1, 1], [2, 3, 0, 5]);
        assertEquals((await it.next()).value, [0, 1]);
        assertEquals((await it.next()).value, [0, 1]);
        await assertRejects(() => it.next(), RangeError);
      }),
  },
  {
    name: "ThreadPoolExecutor: map's timeout throws TimeoutError after the results that came in time",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, {}, async (pool) => {
        const results: unknown[] = [];
        await assertRejects(async () => {
          for await (const r of pool.map((ms: number) => ctx.sleep(ms), [0, 0, 600], { timeout: 300 })) {
            results.push(r);
          }
        }, TimeoutError);
        assertEquals(results, [undefined, undefined]);
      }),
  },
  {
    name: "ThreadPoolExecutor: a map that times out cancels its calls that have not started",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, { maxWorkers: 1 }, async (pool) => {
        const stop = new Event(ctx.options);
        const log: string[] = [];
        const logAndWait = async (ident: string) => {
          log.push(`${ident} started`);
          try {
            await stop.wait();
          } finally {
            log.push(`${ident} stopped`);
          }
        };
        const first = pool.submit(logAndWait, "first");
        const gen = pool.map(logAndWait, ["second", "third"], { timeout: 0 });
        try {
          await assertRejects(() => gen.next(), TimeoutError);
        } finally {
          stop.set();
        }
        await first;
        assertEquals(log, ["first started", "first stopped"]);
      }),
  },
  {
    name: "ThreadPoolExecutor: map submits every call at once, without iterating",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      const finished: number[] = [];
      const pool = new ThreadPoolExecutor({ backend: ctx.backend });
      pool.map((n: number) => finished.push(n), range(10));
      await pool.shutdown(true);
      assertEquals(finished.sort((a, b) => a - b), range(10));
    },
  },
  {
    name: "ThreadPoolExecutor: submit after shutdown throws RuntimeError",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      const pool = new ThreadPoolExecutor({ backend: ctx.backend });
      await pool.shutdown();
      const error = assertThrows(() => pool.submit(Math.pow, 2, 5), RuntimeError);
      assert(error.message.includes("after shutdown"), error.message);
      await pool.shutdown(); // again: harmless
    },
  },
  {
    name: "ThreadPoolExecutor: maxWorkers must be greater than 0; the default is min(32, cores + 4)",
    needs: ["functionTargets"],
    fn: ({ backend }) => {
      for (const n of [0, -1, 1.5]) {
        const error = assertThrows(() => new ThreadPoolExecutor({ maxWorkers: n, backend }), ValueError);
        assert(error.message.includes("greater than 0"), error.message);
      }
      const cores = navigator.hardwareConcurrency || 1;
      assertEquals(new ThreadPoolExecutor({ backend }).maxWorkers, Math.min(32, cores + 4));
      assertThrows(() => new ThreadPoolExecutor({ initializer: 5 as never, backend }), TypeError);
    },
  },
  {
    name: "ThreadPoolExecutor: a busy pool starts at most maxWorkers threads (saturation)",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, { maxWorkers: 4 }, (pool) => {
        const sem = new Semaphore(0, ctx.options);
        for (let i = 0; i < 15 * 4; i++) pool.submit(() => sem.acquire());
        assertEquals(pool.threads.length, 4);
        sem.release(15 * 4);
      }),
  },
  {
    name: "ThreadPoolExecutor: an idle thread is reused before a new one starts",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, {}, async (pool) => {
        assertEquals(await pool.submit(mul, 21, 2), 42);
        assertEquals(await pool.submit(mul, 6, 7), 42);
        assertEquals(await pool.submit(mul, 3, 14), 42);
        assertEquals(pool.threads.length, 1);
      }),
  },
  {
    name: "ThreadPoolExecutor: threads are named after the prefix, or ThreadPoolExecutor-N",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      for (
        const [prefix, pattern] of [["SpecialPool", /^SpecialPool_[0-4]$/], [
          undefined,
          /^ThreadPoolExecutor-\d+_[0-4]$/,
        ]] as const
      ) {
        const pool = new ThreadPoolExecutor({ maxWorkers: 5, threadNamePrefix: prefix, backend: ctx.backend });
        const gate = new Event(ctx.options);
        for (let i = 0; i < 5; i++) pool.submit(() => gate.wait());
        gate.set();
        await pool.shutdown();
        assertEquals(pool.threads.length, 5);
        for (const t of pool.threads) assertMatch(t.name, pattern);
      }
    },
  },
  {
    name: "ThreadPoolExecutor: shutdown waits for queued calls (Python issue 12364)",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      const pool = new ThreadPoolExecutor({ maxWorkers: 5, backend: ctx.backend });
      const fs = Array.from({ length: 50 }, () => pool.submit(() => ctx.sleep(5)));
      await pool.shutdown();
      for (const f of fs) assertEquals(f.done() && !f.cancelled(), true);
      for (const t of pool.threads) assertEquals(t.isAlive(), false);
    },
  },
  {
    name: "ThreadPoolExecutor: shutdown with cancelFutures cancels the calls not started",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      const pool = new ThreadPoolExecutor({ maxWorkers: 5, backend: ctx.backend });
      const fs = Array.from({ length: 50 }, () => pool.submit(() => ctx.sleep(10)));
      await ctx.sleep(1);
      await pool.shutdown({ cancelFutures: true });
      const cancelled = fs.filter((f) => f.cancelled());
      assert(cancelled.length > 20, `only ${cancelled.length} cancelled`);
      const others = fs.filter((f) => !f.cancelled());
      assert(others.length > 0, "none finished");
      for (const f of others) {
        assertEquals(f.done(), true);
        assertEquals(await f.exception(), undefined);
      }
    },
  },
  {
    name: "ThreadPoolExecutor: shutdown without waiting still runs the queued calls",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      const pool = new ThreadPoolExecutor({ maxWorkers: 5, backend: ctx.backend });
      const results = pool.map(Math.abs, range(10).map((i) => i - 5));
      await pool.shutdown(false);
      for (const t of pool.threads) await t.join();
      assertEquals(await Array.fromAsync(results), [5, 4, 3, 2, 1, 0, 1, 2, 3, 4]);
    },
  },
  {
    name: "ThreadPoolExecutor: await using shuts down and waits",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      let threads;
      {
        await using pool = new ThreadPoolExecutor({ maxWorkers: 5, backend: ctx.backend });
        assertEquals(await Array.fromAsync(pool.map(Math.abs, [-2, -1, 0, 1])), [2, 1, 0, 1]);
        threads = pool.threads;
      }
      for (const t of threads) assertEquals(t.isAlive(), false);
      const pool = new ThreadPoolExecutor({ backend: ctx.backend });
      const f = pool.submit(() => ctx.sleep(5));
      pool[Symbol.dispose](); // `using`: starts the shutdown, does not wait
      assertThrows(() => pool.submit(Math.abs, 1), RuntimeError);
      await f;
      for (const t of pool.threads) await t.join();
    },
  },
  {
    name: "ThreadPoolExecutor: each thread runs the initializer first",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      let status = "uninitialized";
      let calls = 0;
      const pool = new ThreadPoolExecutor({
        maxWorkers: 2,
        initializer: (x: string) => {
          status = x;
          calls++;
        },
        initargs: ["initialized"],
        backend: ctx.backend,
      });
      const gate = new Event(ctx.options);
      const fs = [
        pool.submit(async () => (await gate.wait(), status)),
        pool.submit(async () => (await gate.wait(), status)),
      ];
      gate.set();
      for (const f of fs) assertEquals(await f, "initialized");
      await pool.shutdown();
      assertEquals(calls, 2);
    },
  },
  {
    name: "ThreadPoolExecutor: a failing initializer breaks the pool (BrokenExecutor)",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      const printed = await captureStderr(async () => {
        const pool = new ThreadPoolExecutor({
          maxWorkers: 2,
          initializer: async () => {
            await ctx.sleep(10); // let some calls be queued
            throw new ValueError("error in initializer");
          },
          backend: ctx.backend,
        });
        const f = pool.submit(() => "status");
        const error = await assertRejects(() => f.result(), BrokenExecutor);
        assertInstanceOf(error.cause, ValueError);
        await until(ctx, () => pool.threads.every((t) => !t.isAlive()), "the failed threads end");
        assertThrows(() => pool.submit(() => 1), BrokenExecutor);
        await pool.shutdown();
      });
      assert(printed.includes("error in initializer"), printed);
    },
  },
];

const waitCases: Case[] = [
  {
    name: "ThreadPoolExecutor: wait counts a future given twice once (Python issue 20369)",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, {}, async (pool) => {
        const f = pool.submit(mul, 1, 2);
        const { done, notDone } = await wait([f, f], { returnWhen: ALL_COMPLETED });
        assertEquals([...done], [f]);
        assertEquals(notDone.size, 0);
      }),
  },
  {
    name: "ThreadPoolExecutor: wait FIRST_COMPLETED returns on the first finished future",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, {}, async (pool) => {
        const { cancelled } = futures(ctx.options);
        const event = new Event(ctx.options);
        const f1 = pool.submit(mul, 21, 2);
        const f2 = pool.submit(() => event.wait());
        try {
          const { done, notDone } = await wait([cancelled, f1, f2], { returnWhen: FIRST_COMPLETED });
          assertEquals(done, new Set([f1]));
          assertEquals(notDone, new Set([cancelled, f2]));
        } finally {
          event.set();
        }
        await f2;
      }),
  },
  {
    name: "ThreadPoolExecutor: wait FIRST_COMPLETED returns at once when some are done",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, {}, async (pool) => {
        const { cancelledAndNotified, successful } = futures(ctx.options);
        const event = new Event(ctx.options);
        const f1 = pool.submit(() => event.wait());
        try {
          const { done, notDone } = await wait([cancelledAndNotified, successful, f1], null, FIRST_COMPLETED);
          assertEquals(done, new Set([cancelledAndNotified, successful]));
          assertEquals(notDone, new Set([f1]));
        } finally {
          event.set();
        }
        await f1;
      }),
  },
  {
    name: "ThreadPoolExecutor: wait FIRST_EXCEPTION returns on the first exception",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, {}, async (pool) => {
        const event1 = new Event(ctx.options);
        const event2 = new Event(ctx.options);
        try {
          const f1 = pool.submit(mul, 2, 21);
          const f2 = pool.submit(async () => {
            await event1.wait();
            throw new Error("this is an exception");
          });
          const f3 = pool.submit(() => event2.wait());
          const t = ctx.bunch(async () => {
            await f1.result();
            event1.set();
          });
          const { done, notDone } = await wait([f1, f2, f3], { returnWhen: FIRST_EXCEPTION });
          assertEquals(done, new Set([f1, f2]));
          assertEquals(notDone, new Set([f3]));
          await t.join();
        } finally {
          event1.set();
          event2.set();
        }
      }),
  },
  {
    name: "ThreadPoolExecutor: wait FIRST_EXCEPTION returns at once when one has failed",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, {}, async (pool) => {
        const { successful, cancelled, cancelledAndNotified, failed } = futures(ctx.options);
        const event = new Event(ctx.options);
        const f1 = pool.submit(() => {
          throw new RangeError("divmod by zero");
        });
        const f2 = pool.submit(() => event.wait());
        try {
          const some = await wait([successful, cancelled, cancelledAndNotified, f1, f2], {
            returnWhen: FIRST_EXCEPTION,
          });
          assertEquals(some.done, new Set([successful, cancelledAndNotified, f1]));
          assertEquals(some.notDone, new Set([cancelled, f2]));
          const one = await wait([failed, f2], { returnWhen: FIRST_EXCEPTION });
          assertEquals(one.done, new Set([failed]));
          assertEquals(one.notDone, new Set([f2]));
        } finally {
          event.set();
        }
        await f2;
      }),
  },
  {
    name: "ThreadPoolExecutor: wait ALL_COMPLETED waits for every future",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, {}, async (pool) => {
        const { successful, cancelledAndNotified, failed } = futures(ctx.options);
        const f1 = pool.submit(() => {
          throw new RangeError("divmod by zero");
        });
        const f2 = pool.submit(mul, 2, 21);
        const { done, notDone } = await wait([successful, cancelledAndNotified, failed, f1, f2]);
        assertEquals(done, new Set([successful, cancelledAndNotified, failed, f1, f2]));
        assertEquals(notDone.size, 0);
      }),
  },
  {
    name: "ThreadPoolExecutor: wait returns when its timeout runs out",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, {}, async (pool) => {
        const { cancelledAndNotified, failed, successful } = futures(ctx.options);
        const event = new Event(ctx.options);
        const f = pool.submit(() => event.wait());
        try {
          const { done, notDone } = await wait([cancelledAndNotified, failed, successful, f], { timeout: 50 });
          assertEquals(done, new Set([cancelledAndNotified, failed, successful]));
          assertEquals(notDone, new Set([f]));
          assertEquals((await wait([f], 5)).notDone, new Set([f]));
        } finally {
          event.set();
        }
        await f;
        // The timed-out waits left nothing behind (only the idle pool thread waits, for work).
        assertEquals(pendingWaits().filter((w) => !w.thread.startsWith("ThreadPoolExecutor")), []);
      }),
  },
  {
    name: "Future: wait checks returnWhen, timeout and signal",
    fn: async ({ options }) => {
      const f = new Future(options);
      const error = await assertRejects(() => wait([f], { returnWhen: "SOMETIMES" as ReturnWhen }), ValueError);
      assert(error.message.includes("SOMETIMES"), error.message);
      await assertRejects(() => wait([f], -5), ValueError);
      await assertRejects(() => wait([5 as never]), TypeError);
      const controller = new AbortController();
      const waiting = wait([f], { signal: controller.signal });
      controller.abort(new Error("enough"));
      await assertRejects(() => waiting, Error, "enough");
      assertEquals(pendingWaits(), []);
      assertEquals(await wait([]), { done: new Set(), notDone: new Set() });
    },
  },
  {
    name: "ThreadPoolExecutor: asCompleted yields every future, done ones first",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, {}, async (pool) => {
        const { cancelledAndNotified, failed, successful } = futures(ctx.options);
        const f1 = pool.submit(mul, 2, 21);
        const f2 = pool.submit(mul, 7, 6);
        const completed: unknown[] = [];
        for await (const f of asCompleted([cancelledAndNotified, failed, successful, f1, f2])) completed.push(f);
        assertEquals(new Set(completed), new Set([cancelledAndNotified, failed, successful, f1, f2]));
        assertEquals(completed.length, 5);
        assertEquals(completed.slice(0, 3), [cancelledAndNotified, failed, successful]);
      }),
  },
  {
    name: "Future: asCompleted yields futures in the order they complete, not the order given",
    fn: async (ctx) => {
      const [a, b, c] = [0, 1, 2].map(() => new Future<string>(ctx.options));
      for (const f of [a, b, c]) f.setRunningOrNotifyCancel();
      const yielded: unknown[] = [];
      const iteration = (async () => {
        for await (const f of asCompleted([a, b, c])) yielded.push(await f.result());
      })();
      // Completed one by one, each after the iteration has taken the previous one.
      for (const [f, value] of [[c, "c"], [a, "a"], [b, "b"]] as const) {
        const before = yielded.length;
        f.setResult(value);
        await until(ctx, () => yielded.length > before, `${value} is yielded`);
      }
      await iteration;
      assertEquals(yielded, ["c", "a", "b"]);
      assertEquals(pendingWaits(), []);
    },
  },
  {
    name: "ThreadPoolExecutor: asCompleted times out after yielding what finished in time",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, {}, async (pool) => {
        const { cancelledAndNotified, failed, successful } = futures(ctx.options);
        const already = new Set([cancelledAndNotified, failed, successful]);
        for (const timeout of [0, 100]) {
          const gate = new Event(ctx.options);
          const future = pool.submit(() => gate.wait());
          const completed = new Set<unknown>();
          await assertRejects(async () => {
            for await (const f of asCompleted([...already, future], timeout)) completed.add(f);
          }, TimeoutError);
          assertEquals(completed, already as Set<unknown>);
          gate.set();
          await future;
        }
      }),
  },
  {
    name: "ThreadPoolExecutor: asCompleted yields a future given many times once",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, {}, async (pool) => {
        const f = pool.submit(() => ctx.sleep(20));
        const completed = await Array.fromAsync(asCompleted([f, f, f]));
        assertEquals(completed, [f]);
      }),
  },
  {
    name: "Future: asCompleted's TimeoutError says how many futures are unfinished",
    fn: async ({ options }) => {
      const { cancelledAndNotified, pending, running, successful } = futures(options);
      const error = await assertRejects(
        () => Array.fromAsync(asCompleted([cancelledAndNotified, pending, running, successful], 0)),
        TimeoutError,
      );
      assertEquals(error.message, "2 (of 4) futures unfinished");
      assertEquals(pendingWaits(), []);
      // Futures completed by hand are yielded as they complete.
      const fs = [new Future<string>(options), new Future<string>(options), new Future<string>(options)];
      const order: number[] = [];
      fs[0].setResult("test");
      for await (const f of asCompleted(fs)) {
        order.push(fs.indexOf(f as Future<string>));
        assertEquals(await f.result(), "test");
        const next = fs.find((x) => !x.done());
        next?.setResult("test");
      }
      assertEquals(order, [0, 1, 2]);
      pending.cancel();
      running.setResult(0);
    },
  },
];

// Calls by module reference, on every backend; on Workers (atomics), the behaviours Python's ProcessPoolExecutor has.
const moduleCases: Case[] = [
  {
    name: "ThreadPoolExecutor: submit and map take module references on every backend",
    fn: (ctx) =>
      withPool(ctx, { maxWorkers: 2 }, async (pool) => {
        assertEquals(await pool.submit(ref("square"), 7), 49);
        assertEquals(await pool.submit(ref("add"), 2, 3).result(), 5);
        assertEquals(await Array.fromAsync(pool.map(ref("add"), [1, 2, 3], [10, 20, 30, 40])), [11, 22, 33]);
        assertEquals(
          await Array.fromAsync(pool.map(ref("square"), range(10), { chunksize: 3 })),
          range(10).map((x) => x * x),
        );
        // The exception keeps its class, from a Worker too.
        const error = await assertRejects(() => pool.submit(ref("fail"), "boom").result(), ValueError, "boom");
        assertInstanceOf(error, ValueError);
        await assertRejects(() => pool.submit({ module: EXECUTOR_TARGETS, export: "nothing" }).result(), TypeError);
        assertThrows(() => pool.submit({ module: EXECUTOR_TARGETS } as never), TypeError);
      }),
  },
  {
    name: "ThreadPoolExecutor on Workers: a function is a TypeError that says to pass a module reference",
    needs: ["parallelThreads"],
    fn: async (ctx) => {
      const square = (x: number) => x * x;
      const pool = new ThreadPoolExecutor({ maxWorkers: 1, backend: ctx.backend });
      const error = assertThrows(() => pool.submit(square, 2), TypeError);
      assertMatch(error.message, /Workers.*\{ module: import\.meta\.url, export: "square" \}/);
      assertThrows(() => pool.map(square, [1, 2]), TypeError, "module reference");
      assertThrows(() => pool.map(ref("square"), [1], { chunksize: 0 }), ValueError);
      const init = assertThrows(
        () => new ThreadPoolExecutor({ initializer: function setUp() {}, backend: ctx.backend }),
        TypeError,
      );
      assertMatch(init.message, /export: "setUp"/);
      assertThrows(
        () => new ThreadPoolExecutor({ initializer: ref("remember"), initargs: [() => 1], backend: ctx.backend }),
        TypeError,
        "structured-cloneable",
      );
      // Nothing was submitted: no Worker was started.
      assertMatch(String(pool), /workers=0\/1/);
      await pool.shutdown();
    },
  },
  {
    name: "ThreadPoolExecutor on Workers: the Workers are named after threadNamePrefix and listed in threads",
    needs: ["parallelThreads"],
    fn: async ({ backend }) => {
      await using pool = new ThreadPoolExecutor({ maxWorkers: 2, threadNamePrefix: "crunch", backend });
      assertEquals(pool.threads, []); // Workers start at the first call
      const name = await pool.submit(ref("threadName")).result();
      assertEquals(pool.threads.map((t) => t.name), ["crunch_0", "crunch_1"]);
      assert(["crunch_0", "crunch_1"].includes(name as string), String(name));
    },
  },
  {
    name:
      "ThreadPoolExecutor on Workers: a Worker that dies breaks the executor (BrokenExecutor), nothing waits forever",
    needs: ["parallelThreads"],
    fn: async ({ backend }) => {
      await using pool = new ThreadPoolExecutor({ maxWorkers: 2, backend });
      const dying = pool.submit(ref("dieInWorker"));
      await assertRejects(() => dying.result(), BrokenExecutor, "died");
      assertThrows(() => pool.submit(ref("square"), 2), BrokenExecutor);
    },
  },
  {
    name: "ThreadPoolExecutor on Workers: the default maxWorkers is the number of cores",
    needs: ["parallelThreads"],
    fn: ({ backend }) => {
      assertEquals(new ThreadPoolExecutor({ backend }).maxWorkers, navigator.hardwareConcurrency || 1);
      assertThrows(() => new ThreadPoolExecutor({ maxWorkers: 0, backend }), ValueError, "greater than 0");
    },
  },
  {
    name: "ThreadPoolExecutor on Workers: map keeps the order; a chunk of chunksize items is one Worker task",
    needs: ["parallelThreads"],
    fn: (ctx) =>
      withPool(ctx, { maxWorkers: 2 }, async (pool) => {
        const placed = await Array.fromAsync(pool.map<[number, number, number]>(ref("whereAmI"), range(12), {
          chunksize: 4,
        }));
        assertEquals(placed.map(([x]) => x), range(12));
        for (let chunk = 0; chunk < 3; chunk++) {
          const calls = placed.slice(chunk * 4, chunk * 4 + 4);
          // One task: the same Worker, four calls in a row.
          assertEquals(new Set(calls.map(([, ident]) => ident)).size, 1, JSON.stringify(calls));
          assertEquals(calls.map(([, , n]) => n - calls[0][2]), [0, 1, 2, 3], JSON.stringify(calls));
          assert(calls[0][1] !== getIdent(), "a chunk ran on the main thread");
        }
        // A call that raises fails its chunk: the iteration throws at the chunk's place.
        const seen: number[] = [];
        await assertRejects(
          async () => {
            for await (const y of pool.map<number>(ref("square"), [1, 2, 3, -4, 5], { chunksize: 2 })) seen.push(y);
          },
          ValueError,
          "negative item -4",
        );
        assertEquals(seen, [1, 4]);
      }),
  },
  {
    name: "ThreadPoolExecutor on Workers: a call not yet handed to a Worker can be cancelled",
    needs: ["parallelThreads"],
    fn: (ctx) =>
      withPool(ctx, { maxWorkers: 1 }, async (pool) => {
        const fs = range(5).map((i) => pool.submit<number>(ref("later"), i, 50));
        const running = fs.filter((f) => f.running());
        const pending = fs.filter((f) => !f.running());
        // At most a Worker's worth (and a small margin) is handed over; the rest waits here.
        assert(running.length >= 1 && pending.length >= 1, fs.map((f) => f.state).join(" "));
        for (const f of pending) assertEquals(f.cancel(), true);
        for (const f of running) assertEquals(f.cancel(), false);
        for (const f of pending) await assertRejects(() => f.result(), CancelledError);
        for (const f of running) assertEquals(await f, fs.indexOf(f));
      }),
  },
  {
    name: "ThreadPoolExecutor on Workers: shutdown with cancelFutures cancels what was not handed over",
    needs: ["parallelThreads"],
    fn: async (ctx) => {
      const pool = new ThreadPoolExecutor({ maxWorkers: 2, backend: ctx.backend });
      const fs = range(10).map((i) => pool.submit<number>(ref("later"), i, 20));
      const running = fs.filter((f) => f.running());
      await pool.shutdown({ cancelFutures: true });
      assertEquals(fs.filter((f) => f.cancelled()).length, fs.length - running.length);
      for (const f of running) assertEquals(await f.result(0), fs.indexOf(f));
      assertThrows(() => pool.submit(ref("square"), 1), RuntimeError, "after shutdown");
    },
  },
  {
    name: "ThreadPoolExecutor on Workers: shutdown runs the queued calls; using and await using",
    needs: ["parallelThreads"],
    fn: async (ctx) => {
      let fs;
      {
        await using pool = new ThreadPoolExecutor({ maxWorkers: 2, backend: ctx.backend });
        fs = range(8).map((i) => pool.submit<number>(ref("later"), i, 5));
      }
      // The block waited for every call.
      assertEquals(fs.map((f) => f.done() && !f.cancelled()), range(8).map(() => true));
      const pool = new ThreadPoolExecutor({ maxWorkers: 1, backend: ctx.backend });
      const results = pool.map<number>(ref("square"), [1, 2, 3]);
      pool[Symbol.dispose](); // `using`: starts the shutdown, does not wait
      assertThrows(() => pool.submit(ref("square"), 1), RuntimeError);
      assertEquals(await Array.fromAsync(results), [1, 4, 9]);
      await pool.shutdown(); // again: waits for the Workers to end
    },
  },
  {
    name: "ThreadPoolExecutor on Workers: each Worker runs the initializer with initargs first",
    needs: ["parallelThreads"],
    fn: (ctx) =>
      withPool(
        ctx,
        { maxWorkers: 2, initializer: ref("remember"), initargs: [{ tag: "initialized" }] },
        async (pool) => {
          const fs = range(4).map(() => pool.submit(ref("recall")));
          for (const f of fs) assertEquals(await f, { tag: "initialized" });
        },
      ),
  },
  {
    name: "ThreadPoolExecutor on Workers: a failing initializer breaks the pool (BrokenExecutor)",
    needs: ["parallelThreads"],
    fn: async (ctx) => {
      const printed = await captureStderr(async () => {
        const pool = new ThreadPoolExecutor({
          maxWorkers: 2,
          initializer: ref("fail"),
          initargs: ["error in initializer"],
          backend: ctx.backend,
        });
        const fs = range(4).map((i) => pool.submit(ref("square"), i));
        for (const f of fs) {
          const error = await assertRejects(() => f.result(), BrokenExecutor);
          assertInstanceOf(error.cause, ValueError);
          assertEquals((error.cause as Error).message, "error in initializer");
        }
        assertThrows(() => pool.submit(ref("square"), 1), BrokenExecutor);
        assertMatch(String(pool), / broken>$/);
        await pool.shutdown();
      });
      assert(printed.includes("error in initializer"), printed);
    },
  },
  {
    name: "ThreadPoolExecutor on Workers: arguments or a result that cannot be cloned fail the call",
    needs: ["parallelThreads"],
    fn: (ctx) =>
      withPool(ctx, { maxWorkers: 1 }, async (pool) => {
        await assertRejects(() => pool.submit(ref("square"), (() => 2) as never).result(), TypeError);
        await assertRejects(() => pool.submit(ref("unsendable")).result(), TypeError);
        assertEquals(await pool.submit(ref("square"), 3), 9);
      }),
  },
  {
    name: "ThreadPoolExecutor on Workers: CPU-bound calls run on two Workers at once",
    needs: ["parallelThreads"],
    fn: async (ctx) => {
      // Both calls must reach the barrier before either returns: only two Workers running at once can do it.
      const barrier = new Barrier(2, undefined, undefined, ctx.options);
      const pool = new ThreadPoolExecutor({
        maxWorkers: 2,
        initializer: ref("remember"),
        initargs: [barrier],
        backend: ctx.backend,
      });
      try {
        const idents = await Promise.all([20, 20].map((ms) => pool.submit<number>(ref("burnThenMeet"), ms).result()));
        assertEquals(new Set(idents).size, 2, `ran on ${idents.join(", ")}`);
        assert(!idents.includes(getIdent()), "a call ran on the main thread");
      } finally {
        await pool.shutdown();
      }
    },
  },
];

const processPoolCases: Case[] = [
  {
    name: "ProcessPoolExecutor: calls by module reference on the backend's threads; a function is a TypeError",
    fn: async ({ backend }) => {
      const pool = new ProcessPoolExecutor({ maxWorkers: 2, backend });
      try {
        assertEquals(pool.backend, backend);
        assertEquals(await pool.submit<number>(ref("square"), 7), 49);
        assertEquals(await Array.fromAsync(pool.map<number>(ref("square"), [1, 2, 3], { chunksize: 2 })), [1, 4, 9]);
        await assertRejects(() => pool.submit(ref("fail"), "by reference").result(), ValueError, "by reference");
        const square = (x: number) => x * x;
        const error = assertThrows(() => pool.submit(square, 2), TypeError);
        assertMatch(error.message, /module reference \{ module: import\.meta\.url, export: "square" \}/);
        assertThrows(() => new ProcessPoolExecutor({ initializer: (() => {}) as never, backend }), TypeError);
        assertThrows(() => new ProcessPoolExecutor({ maxWorkers: 0, backend }), ValueError, "greater than 0");
      } finally {
        await pool.shutdown();
      }
      assertThrows(() => pool.submit(ref("square"), 1), RuntimeError, "after shutdown");
      assertMatch(String(pool), /^<ProcessPoolExecutor .* shut down>$/);
    },
  },
  {
    name: "ProcessPoolExecutor: the default backend runs its calls on Workers",
    needs: ["parallelThreads"],
    fn: async () => {
      await using pool = new ProcessPoolExecutor({ maxWorkers: 1 });
      assertEquals(pool.backend.capabilities.parallelThreads, true);
      const ident = await pool.submit<[number, number, number]>(ref("whereAmI"), 0);
      assert(ident[1] !== getIdent(), "the call ran on the main thread");
      assertEquals(pool.threads.length, 1);
    },
  },
  {
    name:
      "ProcessPoolExecutor: a call sent ahead stays pending until a Worker takes it; cancel() before then succeeds and it never runs",
    needs: ["parallelThreads", "sharedMemory"],
    fn: async ({ backend }) => {
      const ran = new SharedArrayBuffer(4 * 20);
      // The marks reach the Worker through its initializer (a Thread argument may carry shared memory).
      const pool = new ProcessPoolExecutor({ maxWorkers: 1, initializer: ref("remember"), initargs: [ran], backend });
      const fs = range(20).map((i) => pool.submit<number>(ref("markLater"), i, 5));
      // Python's call queue (one Worker's worth and one more) is running; the rest was sent ahead, still pending.
      const running = fs.filter((f) => f.running());
      assert(running.length >= 1 && running.length <= 2, fs.map((f) => f.state).join(" "));
      const cancelled = fs.filter((f) => f.cancel());
      assertEquals(cancelled.length, 20 - running.length);
      for (const f of running) assertEquals(f.cancel(), false);
      for (const f of cancelled) await assertRejects(() => f.result(), CancelledError);
      for (const f of running) assertEquals(await f, fs.indexOf(f));
      await pool.shutdown();
      const marks = new Int32Array(ran);
      // What was cancelled never ran; what ran was not cancelled.
      assertEquals(range(20).filter((i) => marks[i] === 1), running.map((f) => fs.indexOf(f)));
    },
  },
  {
    name: "ProcessPoolExecutor: once a Worker has taken a call sent ahead, it is running and cannot be cancelled",
    needs: ["parallelThreads", "sharedMemory"],
    fn: async (ctx) => {
      const { backend } = ctx;
      const ran = new SharedArrayBuffer(4 * 8);
      await using pool = new ProcessPoolExecutor({
        maxWorkers: 1,
        initializer: ref("remember"),
        initargs: [ran],
        backend,
      });
      const fs = range(8).map((i) => pool.submit<number>(ref("markLater"), i, 20));
      // Wait until the last call is taken: every call before it has run or runs.
      await until(ctx, () => fs[7].running() || fs[7].done(), "the last call is taken");
      for (const f of fs) assertEquals(f.cancel(), f.cancelled());
      assertEquals(fs.filter((f) => f.cancelled()), []);
      assertEquals(await Promise.all(fs), range(8));
      assertEquals([...new Int32Array(ran)], range(8).map(() => 1));
    },
  },
];

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export const futuresCases: Case[] = defineCases([
  ...futureCases,
  ...executorCases,
  ...waitCases,
  ...moduleCases,
  ...processPoolCases,
]);
