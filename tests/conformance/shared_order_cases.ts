/**
 * `LifoQueue` and `PriorityQueue` shared with Workers, as `Queue` is: on a
 * backend with shared memory they can be handed to another thread, and their
 * order holds exactly across every thread that holds them (Python's are
 * thread-safe across all threads).
 *
 * @module
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { deadline } from "@std/async/deadline";
import { revive, Thread } from "@locksmith/threading";
import { compareLikePython, LifoQueue, PriorityQueue, Queue } from "@locksmith/threading/queue";
import { type Case, type CaseContext, defineCases } from "./_suite.ts";
import { SHARED_QUEUE_TARGETS, sharedReport } from "./_shared_queue_targets.ts";

const WORKERS: Case["needs"] = ["sharedMemory", "parallelThreads", "blockingWait"];

/** A generous bound: a run that hangs fails instead. */
const BOUND_MS = 60_000;

/** Runs `body` with a way to start Workers; afterwards shuts `queues` down and joins every Worker. */
async function withWorkers(
  ctx: CaseContext,
  queues: readonly { shutdown(immediate: boolean): void }[],
  body: (start: (exportName: string, ...args: unknown[]) => Thread) => Promise<void>,
): Promise<void> {
  const threads: Thread[] = [];
  try {
    await body((exportName, ...args) => {
      const thread = new Thread({
        backend: ctx.backend,
        target: { module: SHARED_QUEUE_TARGETS, export: exportName },
        args,
      });
      threads.push(thread);
      thread.start();
      return thread;
    });
  } finally {
    for (const q of queues) q.shutdown(true);
    for (const t of threads) await t.join();
  }
}

/** Takes `count` items from `out`, waiting for each at most the bound. */
async function take(out: Queue<unknown>, count: number): Promise<unknown[]> {
  const items: unknown[] = [];
  for (let i = 0; i < count; i++) items.push(await deadline(out.get(), BOUND_MS));
  return items;
}

/** `count` `[priority, label]` entries in a shuffled order (a fixed one: the run is repeatable). */
function shuffledEntries(count: number): [number, string][] {
  const entries: [number, string][] = [];
  for (let i = 0; i < count; i++) entries.push([(i * 7919) % 101, `e${i}`]);
  return entries;
}

export const sharedOrderCases = defineCases([
  {
    name: "LifoQueue: handed to a Worker, it is the same stack there: last in, first out across Workers",
    needs: WORKERS,
    fn: async (ctx) => {
      const q = new LifoQueue<number>(0, ctx.options);
      const out = new Queue<unknown>(0, { ...ctx.options, shared: true });
      for (let i = 1; i <= 100; i++) q.putNowait(i);
      await withWorkers(ctx, [q, out], async (start) => {
        await deadline(start("drainInto", q, 60, out).join(), BOUND_MS);
        assertEquals(await take(out, 60), Array.from({ length: 60 }, (_, i) => 100 - i));
        const report = sharedReport(1);
        await deadline(start("putEach", q, [101, 102, 103], report).join(), BOUND_MS);
        assertEquals(Atomics.load(report, 0), 1);
        assertEquals(q.qsize(), 43);
        const rest: number[] = [];
        while (!q.empty()) rest.push(q.getNowait());
        assertEquals(rest, [103, 102, 101, ...Array.from({ length: 40 }, (_, i) => 40 - i)]);
        assertEquals(q.unfinishedTasks, 103);
      });
    },
  },
  {
    name: "PriorityQueue: handed to Workers, it hands out the smallest entry first, whoever put it",
    needs: WORKERS,
    fn: async (ctx) => {
      const q = new PriorityQueue<[number, string | number]>(0, ctx.options);
      const out = new Queue<unknown>(0, { ...ctx.options, shared: true });
      const entries = shuffledEntries(300);
      for (const entry of entries) q.putNowait(entry);
      await withWorkers(ctx, [q, out], async (start) => {
        await deadline(start("drainInto", q, entries.length, out).join(), BOUND_MS);
        const sorted = [...entries].sort(compareLikePython);
        assertEquals(await take(out, entries.length), sorted);
        // Three Workers put and take at once: every entry is there once, and they come out in order.
        const per = 2000;
        const workers = [0, 1, 2].map((w) =>
          start("churnPriorities", q, Array.from({ length: per }, (_, i) => (i * 31 + w * 17) % 997), w)
        );
        for (const t of workers) await deadline(t.join(), BOUND_MS);
        assertEquals(q.qsize(), 3 * per);
        const drained: [number, number][] = [];
        while (!q.empty()) drained.push(q.getNowait() as [number, number]);
        const expected = [0, 1, 2].flatMap((w) =>
          Array.from({ length: per }, (_, i) => [(i * 31 + w * 17) % 997, w] as [number, number])
        ).sort(compareLikePython);
        assertEquals(drained, expected);
      });
    },
  },
  {
    name: "LifoQueue and PriorityQueue: a structured clone revives as the same queue, order and growth included",
    needs: ["sharedMemory"],
    fn: ({ backend }) => {
      const lifo = new LifoQueue<string>(0, { backend, sharedBytes: 64 });
      lifo.putNowait("bottom");
      const lifoTwin = revive<LifoQueue<string>>(structuredClone(lifo));
      assert(lifoTwin instanceof LifoQueue && lifoTwin !== lifo);
      // Far more than 64 bytes: the storage grows, in whichever thread puts.
      for (let i = 0; i < 20_000; i++) (i % 2 === 0 ? lifo : lifoTwin).putNowait(`item ${i}`);
      for (let i = 19_999; i >= 0; i--) assertEquals((i % 3 === 0 ? lifo : lifoTwin).getNowait(), `item ${i}`);
      assertEquals(lifoTwin.getNowait(), "bottom");
      assertEquals(lifo.empty(), true);

      const heap = new PriorityQueue<[number, string]>(0, { backend, shared: true, sharedBytes: 64 });
      const heapTwin = revive<PriorityQueue<[number, string]>>(structuredClone(heap));
      assert(heapTwin instanceof PriorityQueue);
      const entries = shuffledEntries(5000);
      entries.forEach((entry, i) => (i % 2 === 0 ? heap : heapTwin).putNowait(entry));
      const sorted = [...entries].sort(compareLikePython);
      for (let i = 0; i < sorted.length; i++) assertEquals((i % 2 === 0 ? heapTwin : heap).getNowait(), sorted[i]);
      assertEquals(heap.qsize(), 0);
      assertEquals(heapTwin.unfinishedTasks, 5000);
    },
  },
  {
    name: "PriorityQueue: a shared heap gives what the isolate's heap gives over 20000 mixed puts and gets",
    needs: ["sharedMemory"],
    fn: ({ backend }) => {
      // A 64-byte arena: records are freed out of order, so it slides its live records down and grows.
      const shared = new PriorityQueue<[number, number, string]>(0, { backend, shared: true, sharedBytes: 64 });
      const local = new PriorityQueue<[number, number, string]>(0, { backend, shared: false });
      let seed = 12345;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      for (let op = 0; op < 20_000; op++) {
        if (local.empty() || random() < 0.55) {
          const entry: [number, number, string] = [Math.floor(random() * 50), op, "x".repeat(op % 40)];
          shared.putNowait(entry);
          local.putNowait(entry);
        } else {
          assertEquals(shared.getNowait(), local.getNowait(), `get number ${op}`);
        }
        assertEquals(shared.qsize(), local.qsize());
      }
      while (!local.empty()) assertEquals(shared.getNowait(), local.getNowait());
      assertEquals(shared.empty(), true);
    },
  },
  {
    name: "PriorityQueue: a shared one refuses an entry it cannot order, and is unchanged",
    needs: ["sharedMemory"],
    fn: ({ backend }) => {
      const q = new PriorityQueue<unknown>(0, { backend, shared: true });
      for (const entry of [[2, "b"], [1, "a"], [3, "c"]]) q.putNowait(entry);
      assertThrows(() => q.putNowait([1, { not: "orderable" }]), TypeError);
      assertThrows(() => q.putNowait(() => 1), TypeError);
      assertEquals(q.qsize(), 3);
      assertEquals(q.unfinishedTasks, 3);
      assertEquals([q.getNowait(), q.getNowait(), q.getNowait()], [[1, "a"], [2, "b"], [3, "c"]]);
    },
  },
  {
    name: "PriorityQueue: one with a compare function of its own cannot be handed to another thread, and says why",
    needs: ["sharedMemory"],
    fn: ({ backend }) => {
      const byLength = (a: string, b: string) => a.length - b.length;
      const q = new PriorityQueue<string>(0, { backend, compare: byLength });
      q.putNowait("ccc");
      q.putNowait("a");
      assertThrows(() => structuredClone(q), Error, "'compare' function");
      assertThrows(() => new PriorityQueue(0, { backend, compare: byLength, shared: true }), TypeError, "'compare'");
      assertEquals([q.getNowait(), q.getNowait()], ["a", "ccc"]);
    },
  },
]);
