/**
 * multiprocessing's `Pool` over Workers: tasks and results cross through
 * shared queues, module-referenced calls run in Workers, in parallel. These
 * cases need Workers running module targets in parallel, shared memory and
 * blocking waits; the functions are in `_pool_worker_targets.ts`.
 *
 * @module
 */
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { mainThread, RuntimeError, ValueError } from "@locksmith/threading";
import { BrokenExecutor, Pool, Process } from "@locksmith/threading/multiprocessing";
import { type Case, type CaseContext, defineCases } from "./_suite.ts";
import { POOL_WORKER_TARGETS } from "./_pool_worker_targets.ts";
import { withPool } from "./_with_pool.ts";

/** Runs `body` with a Worker pool (`multiprocessing`'s) of `processes` on the backend under test, then ends it. */
const withWorkerPool = (ctx: CaseContext, processes: number, body: (pool: Pool) => Promise<void>) =>
  withPool(ctx, processes, body, Pool);

const WORKERS: Case["needs"] = ["sharedMemory", "parallelThreads", "blockingWait"];

/** A module reference to an export of `_pool_worker_targets.ts`. */
const ref = (name: string) => ({ module: POOL_WORKER_TARGETS, export: name });

export const poolWorkerCases: Case[] = defineCases([
  {
    name: "Pool: Workers run module functions for map and apply, and keep the order",
    needs: WORKERS,
    fn: (ctx) =>
      withWorkerPool(ctx, 2, async (pool) => {
        assertEquals(pool.backend, ctx.backend);
        const items = Array.from({ length: 200 }, (_, i) => i - 100);
        assertEquals(await pool.map(ref("square"), items), items.map((x) => x * x));
        assertEquals(await pool.map(ref("square"), items, 7), items.map((x) => x * x));
        assertEquals(await pool.apply(ref("square"), [12]), 144);
        pool.close();
        assertEquals(await pool.join(), true);
      }),
  },
  {
    name: "Pool: CPU-bound calls are spread over both Workers",
    needs: WORKERS,
    fn: (ctx) =>
      withWorkerPool(ctx, 2, async (pool) => {
        // Each call burns 50 ms of CPU; the names say which Workers ran them.
        const names = await pool.map(ref("burn"), [50, 50, 50, 50, 50, 50, 50, 50], 1);
        assertEquals(names.length, 8);
        const distinct = new Set(names);
        assertEquals(distinct.size, 2, `ran on ${[...distinct].join(", ")}`);
        assert(!distinct.has(mainThread().name));
      }),
  },
  {
    name: "Pool: an error raised in a Worker, or a result it cannot send, rejects the call; the pool goes on",
    needs: WORKERS,
    fn: (ctx) =>
      withWorkerPool(ctx, 2, async (pool) => {
        await assertRejects(() => pool.apply(ref("fail"), [3]), RangeError, "bad item 3");
        await assertRejects(() => pool.apply(ref("unsendable"), []), TypeError, "Cannot send the result");
        assertEquals(await pool.map(ref("square"), [1, 2, 3]), [1, 4, 9]);
      }),
  },
  {
    name: "Pool: an exception raised in a Worker arrives as an instance of its class",
    needs: WORKERS,
    fn: (ctx) =>
      withWorkerPool(ctx, 1, async (pool) => {
        const error = await assertRejects(() => pool.apply(ref("failWithValueError"), [7]), ValueError, "no good: 7");
        assert(error instanceof RangeError); // ValueError extends it, as Python's hierarchy has it
        await assertRejects(() => pool.map(ref("failWithValueError"), [1, 2], 1), ValueError);
      }),
  },
  {
    name: "Pool: arguments a Worker cannot receive are a TypeError, and the pool still closes and joins",
    needs: WORKERS,
    fn: (ctx) =>
      withWorkerPool(ctx, 1, async (pool) => {
        assertThrows(() => pool.applyAsync(ref("square"), [() => 1] as unknown as [number]), TypeError, "cloned");
        assertThrows(() => pool.mapAsync(ref("square"), [1, Symbol("s") as unknown as number]), TypeError, "cloned");
        assertEquals(await pool.apply(ref("square"), [5]), 25);
        pool.close();
        assertEquals(await pool.join(), true);
      }),
  },
  {
    name: "Pool: a Worker that dies breaks the pool: its calls fail with BrokenExecutor instead of waiting forever",
    needs: WORKERS,
    fn: (ctx) =>
      withWorkerPool(ctx, 2, async (pool) => {
        const dying = pool.apply(ref("dieInWorker"), []);
        await assertRejects(() => dying, BrokenExecutor, "died");
        assertThrows(() => pool.applyAsync(ref("square"), [2]), BrokenExecutor, "it broke");
        assert(String(pool).includes("TERMINATE"), String(pool));
      }),
  },
  {
    name: "Process: terminate() and kill() stop a Worker at its next cancellation point; exitcode says which",
    needs: WORKERS,
    fn: async (ctx) => {
      const waiting = new Process({ target: ref("awaitForever"), backend: ctx.backend });
      const blocked = new Process({ target: ref("blockForever"), backend: ctx.backend });
      waiting.start();
      blocked.start();
      await ctx.sleep(100); // both are in their waits (or on their way: a stop before a wait ends it there)
      assertEquals([waiting.isAlive(), blocked.isAlive()], [true, true]);
      waiting.terminate();
      blocked.kill();
      await waiting.join();
      blocked.joinSync(); // returns once the Worker, woken in its wait, has stopped
      await blocked.join();
      assertEquals([waiting.isAlive(), blocked.isAlive()], [false, false]);
      assertEquals([waiting.exitcode, blocked.exitcode], [-15, -9]);
      waiting.terminate(); // ended: nothing to do
      assertEquals(waiting.exitcode, -15);
      waiting.close();
      blocked.close();
    },
  },
  {
    name: "Process: a process on a thread of this isolate cannot be stopped while it runs (RuntimeError)",
    needs: ["functionTargets"],
    fn: async (ctx) => {
      const p = new Process({ target: ref("pause"), args: [30], backend: ctx.backend });
      p.start();
      assertThrows(() => p.terminate(), RuntimeError, "only a Worker can");
      assertThrows(() => p.kill(), RuntimeError, "only a Worker can");
      await p.join();
      assertEquals(p.exitcode, 0);
      p.terminate(); // ended: nothing to do
    },
  },
]);
