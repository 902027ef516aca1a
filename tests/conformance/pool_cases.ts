/**
 * Pool (`multiprocessing.dummy` and `multiprocessing`) and Process: the
 * behaviours of Python's `multiprocessing.Pool` (`Lib/test/_test_multiprocessing.py`:
 * map, starmap, apply, async results and their callbacks, imap, close,
 * terminate, join, initializers) and of `Process` (start, join, exitcode).
 *
 * @module
 */
import { assert, assertEquals, assertInstanceOf, assertMatch, assertRejects, assertThrows } from "@std/assert";
import {
  Barrier,
  BrokenBarrierError,
  DeadlockError,
  Event,
  getNativeId,
  pendingWaits,
  RuntimeError,
  Semaphore,
  TimeoutError,
  ValueError,
} from "@locksmith/threading";
import { CancelledError } from "@locksmith/threading/futures";
import { Pool as ThreadPool } from "@locksmith/threading/multiprocessing/dummy";
import { cpuCount, Pool as ProcessPool, Process } from "@locksmith/threading/multiprocessing";
import { type Case, defineCases } from "./_suite.ts";
import { initCalls, TARGETS } from "./_pool_targets.ts";
import { captureStderr } from "./_stderr.ts";
import { withPool } from "./_with_pool.ts";

const SHARED_TARGETS = new URL("./_targets.ts", import.meta.url).href;

/** A module reference to an export of `_pool_targets.ts`. */
const ref = (name: string) => ({ module: TARGETS, export: name });

const sqr = (x: number) => x * x;

const dummyCases: Case[] = [
  {
    name: "Pool: map, starmap and apply return the results in order",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, 4, async (pool) => {
        const xs = Array.from({ length: 10 }, (_, i) => i);
        assertEquals(await pool.map(sqr, xs), xs.map(sqr));
        assertEquals(
          await pool.map(sqr, Array.from({ length: 100 }, (_, i) => i), 7),
          Array.from({ length: 100 }, (_, i) => i * i),
        );
        assertEquals(await pool.map(async (x: number) => (await ctx.sleep(1), x + 1), [1, 2, 3]), [2, 3, 4]);
        assertEquals(await pool.map(sqr, []), []);
        assertEquals(await pool.starmap(Math.pow, [[2, 3], [3, 2], [4, 0]]), [8, 9, 1]);
        assertEquals(await pool.starmap((a: number, b: number) => a - b, [[5, 1]], 1), [4]);
        assertEquals(await pool.apply(sqr, [5]), 25);
        assertEquals(await pool.apply(() => "no args"), "no args");
        assertEquals(await pool.map(sqr, new Set([2, 3])), [4, 9]);
      }),
  },
  {
    name: "Pool: the pool runs as many calls at once as it has threads",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, 3, async (pool) => {
        const barrier = new Barrier(3, undefined, undefined, ctx.options);
        // Each call waits until three calls run at once; fewer threads would break the barrier.
        assertEquals((await pool.map(() => barrier.wait(5_000), [1, 2, 3], 1)).sort(), [0, 1, 2]);
        const lonely = new Barrier(4, undefined, undefined, ctx.options);
        await assertRejects(() => pool.map(() => lonely.wait(50), [1, 2, 3], 1), BrokenBarrierError);
      }),
  },
  {
    name: "Pool: map, starmap and apply throw what a call raised",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, 2, async (pool) => {
        const boom = (x: number) => {
          if (x === 3) throw new ValueError(`bad ${x}`);
          return x;
        };
        await assertRejects(() => pool.map(boom, [1, 2, 3, 4]), ValueError, "bad 3");
        await assertRejects(() => pool.map(boom, [1, 2, 3, 4], 2), ValueError, "bad 3");
        await assertRejects(() => pool.starmap(boom, [[3]]), ValueError);
        await assertRejects(() => pool.apply(boom, [3]), ValueError);
        assertEquals(await pool.apply(boom, [1]), 1); // the pool still works
      }),
  },
  {
    name: "Pool: applyAsync and mapAsync return AsyncResults that call back",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, 2, async (pool) => {
        const seen: unknown[] = [];
        const result = pool.applyAsync((a: number, b: number) => a + b, [2, 3], (v) => seen.push(["ok", v]));
        assertEquals(await result.get(), 5);
        assertEquals(result.ready(), true);
        assertEquals(result.successful(), true);
        const failed = pool.applyAsync(
          () => {
            throw new RangeError("nope");
          },
          [],
          { errorCallback: (e) => seen.push(["error", (e as Error).message]) },
        );
        assertEquals(await failed.wait(), true);
        assertEquals(failed.successful(), false);
        await assertRejects(() => failed.get(), RangeError, "nope");
        const mapped = pool.mapAsync(sqr, [1, 2, 3], null, (list) => seen.push(["map", list]));
        assertEquals(await mapped.get(), [1, 4, 9]);
        const starmapped = pool.starmapAsync(Math.max, [[1, 5], [7, 2]], 1);
        assertEquals(await starmapped.get(1000), [5, 7]);
        assertEquals(seen, [["ok", 5], ["error", "nope"], ["map", [1, 4, 9]]]);
      }),
  },
  {
    name: "Pool: an AsyncResult that is not ready times out and cannot say whether it succeeded",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, 1, async (pool) => {
        const gate = new Event(ctx.options);
        const result = pool.applyAsync(async () => (await gate.wait(), "done"));
        assertEquals(result.ready(), false);
        const error = assertThrows(() => result.successful(), ValueError);
        assert(error.message.includes("not ready"), error.message);
        await assertRejects(() => result.get(10), TimeoutError);
        assertEquals(await result.wait(10), false);
        assertEquals(result.waitSync(0), false);
        assertThrows(() => result.getSync(5), TimeoutError);
        assertThrows(() => result.getSync(), DeadlockError);
        const controller = new AbortController();
        const waiting = result.get({ signal: controller.signal });
        controller.abort(new Error("enough"));
        await assertRejects(() => waiting, Error, "enough");
        gate.set();
        assertEquals(await result.get(), "done");
        assertEquals(result.getSync(), "done");
      }),
  },
  {
    name: "Pool: a callback that throws is reported on stderr; the pool goes on",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, 1, async (pool) => {
        const printed = await captureStderr(async () => {
          const result = pool.applyAsync(() => 1, [], () => {
            throw new Error("callback failed");
          });
          assertEquals(await result.get(), 1);
        });
        assert(printed.includes("callback failed"), printed);
        assertEquals(await pool.apply(() => 2), 2);
      }),
  },
  {
    name: "Pool: imap yields in order, imapUnordered as calls complete",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, 3, async (pool) => {
        const slow = async (ms: number) => (await ctx.sleep(ms), ms);
        assertEquals(await Array.fromAsync(pool.imap(slow, [30, 10, 20])), [30, 10, 20]);
        assertEquals(await Array.fromAsync(pool.imapUnordered(slow, [30, 10, 20])), [10, 20, 30]);
        assertEquals(
          await Array.fromAsync(pool.imap(sqr, Array.from({ length: 10 }, (_, i) => i), 3)),
          Array.from({ length: 10 }, (_, i) => i * i),
        );
        assertEquals((await Array.fromAsync(pool.imapUnordered(sqr, [1, 2, 3, 4, 5], 2))).sort((a, b) => a - b), [
          1,
          4,
          9,
          16,
          25,
        ]);
        assertEquals(await Array.fromAsync(pool.imap(sqr, [])), []);
      }),
  },
  {
    name: "Pool: imap's next takes a timeout, and a call that raised throws at its place",
    needs: ["functionTargets"],
    fn: (ctx) =>
      withPool(ctx, 2, async (pool) => {
        const gate = new Event(ctx.options);
        const it = pool.imap(async (x: number) => {
          if (x === 2) throw new ValueError("two");
          if (x === 3) await gate.wait();
          return x;
        }, [1, 2, 3]);
        assertEquals(await it.next(), { done: false, value: 1 });
        await assertRejects(() => it.next(), ValueError, "two");
        await assertRejects(() => it.next(10), TimeoutError);
        gate.set();
        assertEquals(await it.next(), { done: false, value: 3 });
        assertEquals((await it.next()).done, true);
      }),
  },
  {
    name: "Pool: close lets the queued work finish; join waits for the threads",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      const pool = new ThreadPool(2, null, [], ctx.options);
      const joinEarly = await assertRejects(() => pool.join(), ValueError);
      assert(joinEarly.message.includes("still running"), joinEarly.message);
      const result = pool.mapAsync(async (x: number) => (await ctx.sleep(5), x * 2), [1, 2, 3, 4], 1);
      pool.close();
      assertThrows(() => pool.applyAsync(sqr, [1]), ValueError);
      await assertRejects(() => pool.map(sqr, [1]), ValueError, "not running");
      assertEquals(await pool.join(), true);
      assertEquals(await result.get(), [2, 4, 6, 8]);
      pool.joinSync(); // the threads have ended: nothing to wait for
      pool.close(); // again: harmless
      assertMatch(String(pool), /^<Pool state=CLOSE pool_size=2>$/);
    },
  },
  {
    name: "Pool: terminate drops the queued work, whose results fail with CancelledError",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      const pool = new ThreadPool(1, null, [], ctx.options);
      const gate = new Event(ctx.options);
      const running = pool.applyAsync(async () => (await gate.wait(), "ran"));
      const queued = pool.applyAsync(() => "never");
      const mapped = pool.imap(sqr, [1, 2]);
      await ctx.settle();
      pool.terminate();
      await assertRejects(() => queued.get(), CancelledError);
      await assertRejects(() => running.get(), CancelledError);
      await assertRejects(() => mapped.next(), CancelledError);
      assertThrows(() => pool.applyAsync(sqr, [1]), ValueError);
      gate.set(); // the call already running finishes; its result is dropped
      assertEquals(await pool.join(), true);
      pool.terminate(); // again: harmless
    },
  },
  {
    name: "Pool: each thread runs the initializer with initargs first",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      const calls: string[] = [];
      const pool = new ThreadPool(3, (tag: string) => calls.push(tag), ["ready"], ctx.options);
      assertEquals(await pool.map(() => calls.length, [1, 2, 3], 1), [3, 3, 3]);
      pool.close();
      await pool.join();
      assertEquals(calls, ["ready", "ready", "ready"]);
    },
  },
  {
    name: "Pool: a failing initializer fails the calls its thread takes, not the program",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      const printed = await captureStderr(async () => {
        const pool = new ThreadPool(
          1,
          () => {
            throw new ValueError("bad init");
          },
          [],
          ctx.options,
        );
        const error = await assertRejects(() => pool.apply(sqr, [2]));
        assertEquals((error as Error).name, "BrokenExecutor");
        assertInstanceOf((error as Error).cause, ValueError);
        pool.close();
        await pool.join();
      });
      assert(printed.includes("bad init"), printed);
    },
  },
  {
    name: "Pool: multiprocessing.dummy's Pool runs functions on threads of this isolate, on every backend",
    fn: async (ctx) => {
      await using pool = new ThreadPool(2, null, [], ctx.options);
      assertEquals(pool.backend, ctx.backend);
      assertEquals(await pool.map((x: number) => x + 1, [1, 2, 3]), [2, 3, 4]);
      assertEquals(await pool.apply((a: number, b: number) => a * b, [6, 7]), 42);
      // In this isolate: on the OS thread of the caller.
      assertEquals(await pool.map(() => getNativeId(), [1, 2]), [getNativeId(), getNativeId()]);
    },
  },
  {
    name: "Pool: processes must be at least 1; the default is the number of CPUs",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      for (const n of [0, -1, 2.5]) {
        const error = assertThrows(() => new ThreadPool(n, null, [], ctx.options), ValueError);
        assert(error.message.includes(`received number ${n}`), error.message);
      }
      assertThrows(() => new ThreadPool(1, "init" as never, [], ctx.options), TypeError);
      assertThrows(() => new ThreadPool(1, null, "args" as never, ctx.options), TypeError);
      const pool = new ThreadPool(null, null, [], ctx.options);
      assertEquals(pool.processes, cpuCount());
      await assertRejects(() => pool.map(sqr, 5 as never), TypeError);
      await assertRejects(() => pool.map(sqr, [1], 0), ValueError);
      assertThrows(() => pool.mapAsync(sqr, [1], 0), ValueError);
      assertThrows(() => pool.applyAsync(sqr, 5 as never), TypeError);
      await pool[Symbol.asyncDispose]();
    },
  },
  {
    name: "Pool: await using terminates the pool and joins its threads",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      let pool: ThreadPool;
      {
        await using p = new ThreadPool(2, null, [], ctx.options);
        pool = p;
        assertEquals(await p.map(sqr, [1, 2]), [1, 4]);
      }
      assertMatch(String(pool), /state=TERMINATE/);
      assertEquals(pendingWaits(), []);
      const q = new ThreadPool(1, null, [], ctx.options);
      q[Symbol.dispose](); // `using`: terminates without waiting
      await q.join();
    },
  },
];

const processPoolCases: Case[] = [
  {
    name: "Pool: multiprocessing's Pool takes module references, not functions",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      await using pool = new ProcessPool(2, null, [], ctx.options);
      const error = assertThrows(() => pool.applyAsync(sqr, [2]), TypeError);
      assert(error.message.includes("module reference"), error.message);
      assertThrows(() => new ProcessPool(1, () => {}, [], ctx.options), TypeError);
      assertEquals(await pool.map(ref("square"), [1, 2, 3]), [1, 4, 9]);
      assertEquals(await pool.starmap(ref("add"), [[1, 2], [3, 4]]), [3, 7]);
      assertEquals(await pool.apply(ref("add"), [20, 22]), 42);
      assertEquals(await Array.fromAsync(pool.imap(ref("square"), [4, 5])), [16, 25]);
      assertEquals((await Array.fromAsync(pool.imapUnordered(ref("square"), [3, 1, 2]))).sort(), [1, 4, 9]);
      await assertRejects(() => pool.apply(ref("fail"), ["from a process"]), ValueError, "from a process");
      const missing = await assertRejects(() => pool.apply(ref("noSuchExport")), TypeError);
      assert(missing.message.includes("noSuchExport"), missing.message);
    },
  },
  {
    name: "Pool: multiprocessing's Pool runs a module-referenced initializer, then closes and joins",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      initCalls.length = 0;
      const pool = new ProcessPool(2, ref("countInit"), ["tag"], ctx.options);
      assertEquals(await pool.map(ref("lastInit"), [1, 2, 3, 4], 1), ["tag", "tag", "tag", "tag"]);
      pool.close();
      assertEquals(await pool.join(), true);
      assertEquals(initCalls, ["tag", "tag"]);
      const terminated = new ProcessPool(1, null, [], ctx.options);
      const queued = terminated.mapAsync(ref("square"), [5, 5, 5], 1);
      terminated.terminate();
      await assertRejects(() => queued.get(), CancelledError);
      assertEquals(await terminated.join(), true);
    },
  },
  {
    name: "Pool: multiprocessing's Pool over Workers maps module functions through its shared queues",
    needs: ["sharedMemory"],
    fn: async ({ options }) => {
      const pool = new ProcessPool(2, null, [], options);
      assertEquals(await pool.map(ref("square"), [1, 2, 3, 4, 5], 2), [1, 4, 9, 16, 25]);
      pool.close();
      assertEquals(await pool.join(), true);
    },
  },
];

const processCases: Case[] = [
  {
    name: "Process: runs its module-referenced target with args; exitcode 0",
    fn: async (ctx) => {
      const sem = new Semaphore(0, ctx.options);
      const p = new Process({
        target: { module: SHARED_TARGETS, export: "releaseSum" },
        args: [sem, 2, 3],
        backend: ctx.backend,
      });
      assertEquals(p.exitcode, null);
      assertEquals(p.pid, null);
      assertMatch(p.name, /^Process-\d+$/);
      p.start();
      assertEquals(typeof p.pid, "number");
      await p.join();
      assertEquals(p.isAlive(), false);
      assertEquals(p.exitcode, 0);
      assertEquals(sem.value, 5);
      assertMatch(String(p), /stopped exitcode=0/);
    },
  },
  {
    name: "Process: a target that raises ends with exitcode 1 and reaches the excepthook",
    allowsEscapes: true,
    fn: async (ctx) => {
      const p = new Process({ target: ref("fail"), args: ["in a process"], name: "failing", backend: ctx.backend });
      p.start();
      await p.join();
      assertEquals(p.exitcode, 1);
      assertEquals(ctx.escaped.length, 1);
      assertEquals((ctx.escaped[0] as Error).message, "in a process");
    },
  },
  {
    name: "Process: SystemExit sets the exitcode, quietly",
    fn: async (ctx) => {
      for (const code of [0, 3]) {
        const p = new Process({ target: ref("exitWith"), args: [code], backend: ctx.backend });
        p.start();
        await p.join();
        assertEquals(p.exitcode, code);
      }
      const empty = new Process({ backend: ctx.backend });
      empty.start();
      await empty.join();
      assertEquals(empty.exitcode, 0);
    },
  },
  {
    name: "Process: a function target is refused; close and terminate follow the state",
    fn: async (ctx) => {
      const error = assertThrows(() => new Process({ target: (() => {}) as never, backend: ctx.backend }), TypeError);
      assert(error.message.includes("module reference"), error.message);
      assertThrows(() => new Process({ args: 5 as never, backend: ctx.backend }), TypeError);
      const event = new Event(ctx.options);
      const p = new Process({
        target: { module: SHARED_TARGETS, export: "waitForEvent" },
        args: [event],
        backend: ctx.backend,
      });
      p.terminate(); // not started: nothing to stop
      p.start();
      assertThrows(() => p.start());
      assertThrows(() => p.close(), ValueError);
      if (ctx.backend.capabilities.parallelThreads) {
        p.terminate(); // a Worker: stopped where it waits
        await p.join();
        assertEquals(p.exitcode, -15);
      } else {
        assertThrows(() => p.terminate(), RuntimeError, "only a Worker can"); // a thread of this isolate
        event.set();
        await p.join();
        assertEquals(p.exitcode, 0);
      }
      p.kill(); // ended: nothing to stop
      p.close();
      assertThrows(() => p.start(), ValueError);
      await assertRejects(() => p.join(), ValueError);
    },
  },
  {
    name: "Process: the default backend is atomics (a Worker)",
    fn: () => {
      assertEquals(new Process().backend.name, "atomics");
    },
  },
];

export const poolCases: Case[] = defineCases([...dummyCases, ...processPoolCases, ...processCases]);
