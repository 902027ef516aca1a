/**
 * A shared `Queue` across real Workers: the behaviours of CPython's
 * `Lib/test/test_queue.py` with the parties in different Workers (blocking
 * gets and puts woken from another thread, timeouts, `taskDone`/`join`,
 * `shutdown`), many producers and consumers moving every item exactly once,
 * and what a queue in shared memory adds (items structured-cloned in and
 * out, a ring that wraps, handles through structured clone).
 *
 * The Worker cases need Workers running module targets in parallel, shared
 * memory and blocking `...Sync` waits; the thread bodies are in
 * `_queue_worker_targets.ts`.
 *
 * @module
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { revive, Thread } from "@locksmith/threading";
import { Empty, Full, LifoQueue, PriorityQueue, Queue, ShutDown } from "@locksmith/threading/queue";
import { CoalescedPuts, putAll } from "../../queue/batched_puts.ts";
import { type Case, type CaseContext, defineCases } from "./_suite.ts";
import { Outcome, QUEUE_TARGETS, reportArray } from "./_queue_worker_targets.ts";

/** What a case with the parties in different Workers needs of the backend. */
const WORKERS: Case["needs"] = ["sharedMemory", "parallelThreads", "blockingWait"];

/** Long enough for a started Worker to reach its wait. */
const REACH_WAIT_MS = 100;

/** A shared queue on the backend under test. */
function sharedQueue<T>(ctx: CaseContext, maxsize = 0, sharedBytes?: number): Queue<T> {
  return new Queue<T>(maxsize, { backend: ctx.backend, shared: true, sharedBytes });
}

/** Sleeps until `report[slot] >= value`; a generous bound only keeps a broken run from hanging. */
async function waitFor(ctx: CaseContext, report: Int32Array, slot: number, value: number): Promise<void> {
  const deadline = ctx.backend.now() + 30_000;
  while (Atomics.load(report, slot) < value) {
    if (ctx.backend.now() > deadline) throw new Error(`report[${slot}] never reached ${value}: ${report[slot]}`);
    await ctx.sleep(1);
  }
}

/** Waits until the Worker reporting in `report[slot]` has started and had time to block. */
async function reachWait(ctx: CaseContext, report: Int32Array, slot: number): Promise<void> {
  await waitFor(ctx, report, slot, Outcome.Started);
  await ctx.sleep(REACH_WAIT_MS);
  assertEquals(report[slot], Outcome.Started, "the call waits");
}

/** Starts Workers on the backend under test, each running an export of `_queue_worker_targets.ts`. */
type Start = (exportName: string, ...args: unknown[]) => Thread;

/**
 * Runs `body` with a way to start Workers; afterwards shuts `queues` down
 * immediately (so a Worker left blocked by a failed assertion wakes instead
 * of hanging the run) and joins every Worker.
 */
async function withWorkers(
  ctx: CaseContext,
  queues: readonly { shutdown(immediate: boolean): void }[],
  body: (start: Start) => Promise<void>,
): Promise<void> {
  const threads: Thread[] = [];
  const start: Start = (exportName, ...args) => {
    const thread = new Thread({ backend: ctx.backend, target: { module: QUEUE_TARGETS, export: exportName }, args });
    threads.push(thread);
    thread.start();
    return thread;
  };
  try {
    await body(start);
  } finally {
    for (const q of queues) q.shutdown(true);
    for (const t of threads) await t.join();
  }
}

const workerCases: Case[] = [
  {
    name: "Queue: puts that defer their wake-ups (a pool's batches) never leave Workers asleep, a full queue included",
    needs: WORKERS,
    fn: (ctx) => {
      const total = 2000;
      // Small and bounded: the batches fill it, so the main thread must block with wake-ups still deferred.
      const q = sharedQueue<number | null>(ctx, 8);
      const seen = reportArray(total);
      return withWorkers(ctx, [q], async (start) => {
        const consuming = [start("consume", q, seen), start("consume", q, seen)];
        await ctx.sleep(REACH_WAIT_MS); // both asleep in getSync
        putAll(q, Array.from({ length: total / 2 }, (_, i) => i), 64);
        const burst = new CoalescedPuts(q);
        for (let i = total / 2; i < total; i++) burst.put(i); // one synchronous burst
        burst.put(null);
        burst.put(null);
        for (const t of consuming) await t.join();
        const wrong: string[] = [];
        for (let i = 0; i < total && wrong.length < 10; i++) if (seen[i] !== 1) wrong.push(`${i}: ${seen[i]}`);
        assertEquals(wrong, []);
        assertEquals(q.unfinishedTasks, 0);
      });
    },
  },
  {
    name: "Queue: 4 producer and 4 consumer Workers move 100000 items through Queue(256), each exactly once",
    needs: WORKERS,
    fn: (ctx) => {
      const total = 100_000;
      const producers = 4;
      const consumers = 4;
      const q = sharedQueue<number | null>(ctx, 256);
      const seen = reportArray(total);
      return withWorkers(ctx, [q], async (start) => {
        const consuming = Array.from({ length: consumers }, () => start("consume", q, seen));
        const share = total / producers;
        const producing = Array.from({ length: producers }, (_, p) => start("produce", q, p * share, (p + 1) * share));
        for (const t of producing) await t.join();
        for (let c = 0; c < consumers; c++) await q.put(null);
        assertEquals(await q.join(), true);
        for (const t of consuming) await t.join();
        // The multiset: every item counted once, none twice, nothing else.
        const wrong: string[] = [];
        for (let i = 0; i < total && wrong.length < 10; i++) if (seen[i] !== 1) wrong.push(`${i}: ${seen[i]}`);
        assertEquals(wrong, []);
        assertEquals(q.qsize(), 0);
        assertEquals(q.unfinishedTasks, 0);
      });
    },
  },
  {
    name: "Queue: a getSync blocked in a Worker wakes for a put from the main thread (timed or not)",
    needs: WORKERS,
    fn: (ctx) => {
      const q = sharedQueue<number>(ctx);
      const report = reportArray(4);
      return withWorkers(ctx, [q], async (start) => {
        start("getOne", q, report, 0);
        start("getOne", q, report, 2, 60_000);
        await reachWait(ctx, report, 0);
        await reachWait(ctx, report, 2);
        await q.put(42);
        await q.put(43);
        await waitFor(ctx, report, 0, Outcome.Done);
        await waitFor(ctx, report, 2, Outcome.Done);
        assertEquals([report[0], report[2]], [Outcome.Done, Outcome.Done]);
        assertEquals([report[1], report[3]].sort(), [42, 43]);
        assertEquals(q.qsize(), 0);
        assertEquals(q.unfinishedTasks, 2);
      });
    },
  },
  {
    name: "Queue: a putSync blocked in a Worker on a full queue wakes for a get from the main thread",
    needs: WORKERS,
    fn: (ctx) => {
      const q = sharedQueue<number>(ctx, 1);
      q.putNowait(1);
      const report = reportArray(2);
      return withWorkers(ctx, [q], async (start) => {
        start("putOne", q, 2, report, 0);
        await reachWait(ctx, report, 0);
        assertEquals(q.qsize(), 1, "nothing was added while full");
        assertEquals(await q.get(), 1);
        await waitFor(ctx, report, 0, Outcome.Done);
        assertEquals(report[0], Outcome.Done);
        assertEquals(q.getNowait(), 2);
        assertEquals(q.unfinishedTasks, 2);
      });
    },
  },
  {
    name: "Queue: timed and non-blocking getSync and putSync in a Worker raise Empty and Full, leaving no waiter",
    needs: WORKERS,
    fn: (ctx) => {
      const empty = sharedQueue<number>(ctx, 1);
      const full = sharedQueue<number>(ctx, 1);
      full.putNowait(7);
      const report = reportArray(6);
      return withWorkers(ctx, [empty, full], async (start) => {
        await start("timeOut", empty, full, report, 50).join();
        const E = Outcome.Empty;
        const F = Outcome.Full;
        assertEquals(Array.from(report), [E, E, E, F, F, F]);
        // No timed-out getter lingers to take an item, no putter to add one.
        empty.putNowait(5);
        assertEquals(empty.qsize(), 1);
        assertEquals(empty.getNowait(), 5);
        assertEquals(full.qsize(), 1);
        assertEquals(full.getNowait(), 7);
        assertEquals(full.qsize(), 0);
        assertEquals([empty.unfinishedTasks, full.unfinishedTasks], [1, 1]);
      });
    },
  },
  {
    name: "Queue: join waits for taskDone calls made in Workers",
    needs: WORKERS,
    fn: (ctx) => {
      const q = sharedQueue<number>(ctx);
      const report = reportArray(2);
      const count = 40;
      return withWorkers(ctx, [q], async (start) => {
        start("slowConsume", q, count / 2, report);
        start("slowConsume", q, count / 2, report);
        let sum = 0;
        for (let i = 1; i <= count; i++) {
          await q.put(i);
          sum += i;
        }
        assertEquals(await q.join(), true);
        // join returned only once every item was taken and marked done.
        assertEquals(Atomics.load(report, 1), count);
        assertEquals(Atomics.load(report, 0), sum);
        assertEquals(q.unfinishedTasks, 0);
        assertEquals(q.joinSync(0), true);
      });
    },
  },
  {
    name: "Queue: a joinSync in a Worker waits for taskDone calls made by the main thread",
    needs: WORKERS,
    fn: (ctx) => {
      const q = sharedQueue<number>(ctx);
      for (const n of [1, 2, 3]) q.putNowait(n);
      const report = reportArray(2);
      return withWorkers(ctx, [q], async (start) => {
        start("joinOne", q, report, 0);
        await reachWait(ctx, report, 0);
        for (const n of [1, 2, 3]) assertEquals(q.getNowait(), n);
        q.taskDone();
        q.taskDone();
        await ctx.sleep(REACH_WAIT_MS);
        assertEquals(report[0], Outcome.Started, "one task is still unfinished");
        q.taskDone();
        await waitFor(ctx, report, 0, Outcome.Done);
        assertEquals([report[0], report[1]], [Outcome.Done, 1]);
      });
    },
  },
  {
    name: "Queue: shutdown wakes getSync and putSync blocked in Workers with ShutDown",
    needs: WORKERS,
    fn: (ctx) => {
      const empty = sharedQueue<number>(ctx, 1);
      const full = sharedQueue<number>(ctx, 1);
      full.putNowait(0);
      const report = reportArray(3);
      return withWorkers(ctx, [empty, full], async (start) => {
        start("waitForShutdown", empty, report, 0);
        start("waitForShutdown", empty, report, 1);
        start("waitForShutdown", full, report, 2, 7);
        for (let slot = 0; slot < 3; slot++) await reachWait(ctx, report, slot);
        empty.shutdown();
        full.shutdown(true);
        for (let slot = 0; slot < 3; slot++) await waitFor(ctx, report, slot, Outcome.ShutDown);
        assertEquals(Array.from(report), [Outcome.ShutDown, Outcome.ShutDown, Outcome.ShutDown]);
        assertEquals(full.qsize(), 0);
        assertThrows(() => empty.putNowait(1), ShutDown);
      });
    },
  },
  {
    name: "Queue: shutdown(true) wakes getSync, putSync and joinSync blocked in Workers and drops the items",
    needs: WORKERS,
    fn: (ctx) => {
      const empty = sharedQueue<number>(ctx);
      const full = sharedQueue<number>(ctx, 2);
      full.putNowait(1);
      full.putNowait(2);
      const report = reportArray(8);
      return withWorkers(ctx, [empty, full], async (start) => {
        start("getOne", empty, report, 0);
        start("getOne", empty, report, 2, 60_000);
        start("putOne", full, 3, report, 4);
        start("joinOne", full, report, 6);
        for (const slot of [0, 2, 4, 6]) await reachWait(ctx, report, slot);
        empty.shutdown(true);
        full.shutdown(true);
        for (const slot of [0, 2, 4, 6]) await waitFor(ctx, report, slot, Outcome.Done);
        assertEquals(
          [report[0], report[2], report[4], report[6]],
          [Outcome.ShutDown, Outcome.ShutDown, Outcome.ShutDown, Outcome.Done],
        );
        assertEquals(report[7], 1, "joinSync returned true: the dropped items count as done");
        assertEquals([full.qsize(), full.unfinishedTasks], [0, 0]);
        assertThrows(() => full.getNowait(), ShutDown);
        assertThrows(() => empty.putNowait(1), ShutDown);
      });
    },
  },
];

const sharedMemoryCases: Case[] = [
  {
    name: "Queue: a shared queue refuses an item that cannot be cloned, and is unchanged",
    needs: ["sharedMemory"],
    fn: (ctx) => {
      const q = sharedQueue<unknown>(ctx, 2);
      assertThrows(() => q.putNowait(() => 1), TypeError, "cannot be structured-cloned");
      assertEquals(q.qsize(), 0);
      assertEquals(q.unfinishedTasks, 0);
      q.putNowait({ a: [1, 2], m: new Map([["k", 3n]]) });
      assertEquals(q.getNowait(), { a: [1, 2], m: new Map([["k", 3n]]) });
    },
  },
  {
    name: "Queue: a shared queue's small ring wraps around and keeps the order",
    needs: ["sharedMemory"],
    fn: (ctx) => {
      // Bounded by maxsize: the 200-byte ring fills, wraps, and grows only as far as 6 items need.
      const q = sharedQueue<string>(ctx, 6, 200);
      const itemAt = (n: number) => `item ${n} ${"-".repeat(n % 17)}`;
      let next = 0;
      let expected = 0;
      for (let round = 0; round < 200; round++) {
        // Fill until Full, then drain part of it.
        for (;;) {
          try {
            q.putNowait(itemAt(next));
            next++;
          } catch (error) {
            assert(error instanceof Full, String(error));
            break;
          }
        }
        assert(q.qsize() > 0);
        for (let i = 0; i < 2 && !q.empty(); i++) assertEquals(q.getNowait(), itemAt(expected++));
      }
      while (!q.empty()) assertEquals(q.getNowait(), itemAt(expected++));
      assertEquals(expected, next);
      assertThrows(() => q.getNowait(), Empty);
    },
  },
  {
    name: "Queue: a structured clone of a shared queue revives as the same queue; one made with shared: false refuses",
    needs: ["sharedMemory"],
    fn: (ctx) => {
      const q = sharedQueue<number>(ctx, 3);
      const twin = revive<Queue<number>>(structuredClone(q));
      assert(twin instanceof Queue && twin !== q);
      twin.putNowait(5);
      assertEquals(q.getNowait(), 5);
      assertEquals(twin.maxsize, 3);
      assertEquals(twin.unfinishedTasks, 1);
      q.taskDone();
      assertEquals(twin.unfinishedTasks, 0);
      const local = new Queue<number>(0, { backend: ctx.backend, shared: false });
      assertThrows(() => structuredClone(local), Error, "shared: false");
    },
  },
  {
    name: "Queue: items come out of a shared queue as structured clones of what was put",
    needs: ["sharedMemory"],
    fn: (ctx) => {
      const q = sharedQueue<unknown>(ctx);
      const shared = { n: 1 };
      const sparse = [1, , 3];
      const withUndefined = { a: undefined, b: [undefined] };
      const items: unknown[] = [
        0,
        -0,
        NaN,
        -Infinity,
        "",
        "héllo \u{1f600}",
        true,
        false,
        null,
        undefined,
        [1, "two", { three: [3] }],
        { nested: { deeper: { deepest: [1, 2, 3] } } },
        [shared, shared],
        sparse,
        withUndefined,
        [-0, NaN],
        new Date(0),
        new Map([[1, new Set([2])]]),
        new Uint8Array([1, 2, 3]),
        10n ** 30n,
        new RangeError("boom"),
        Array.from({ length: 100 }, (_, i) => ({ i })),
      ];
      for (const item of items) q.putNowait(item);
      for (const item of items) assertEquals(q.getNowait(), item);
      // What JSON would lose is kept: shared references, holes, undefined, -0.
      for (const item of [[shared, shared], sparse, withUndefined, [-0, NaN]]) q.putNowait(item);
      const pair = q.getNowait() as { n: number }[];
      assert(pair[0] === pair[1], "a shared reference stays shared");
      assert(!(1 in (q.getNowait() as unknown[])), "a hole stays a hole");
      assert(Object.hasOwn(q.getNowait() as object, "a"), "an undefined property is kept");
      assert(Object.is((q.getNowait() as number[])[0], -0), "-0 stays -0");
    },
  },
  {
    name: "Queue: 'shared' is checked, and refused on a backend without shared memory",
    fn: ({ backend }) => {
      assertThrows(() => new Queue(0, { backend, shared: 1 as unknown as boolean }), TypeError, "'shared' must be");
      class MyQueue extends Queue {}
      assertThrows(() => new MyQueue(0, { backend, shared: true }), TypeError, "a subclass of a queue");
      if (backend.capabilities.sharedMemory) {
        assertEquals(new LifoQueue(0, { backend, shared: true }).qsize(), 0);
        assertEquals(new PriorityQueue(0, { backend, shared: true }).qsize(), 0);
        assertThrows(() => new Queue(0, { backend, shared: true, sharedBytes: 10 }), RangeError, "'sharedBytes'");
        assertEquals(new Queue(0, { backend, shared: true, sharedBytes: 64 }).qsize(), 0);
      } else {
        assertThrows(() => new Queue(0, { backend, shared: true }), TypeError, "no shared memory");
        assertThrows(() => new LifoQueue(0, { backend, shared: true }), TypeError, "no shared memory");
      }
    },
  },
];

export const queueWorkerCases: Case[] = defineCases([...workerCases, ...sharedMemoryCases]);
