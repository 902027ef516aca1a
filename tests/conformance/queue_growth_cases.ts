/**
 * A shared queue's storage grows: Python's unbounded queues never block a
 * put and are never full, and a bounded one is full only at its `maxsize`,
 * however many bytes its items take. A shared queue's ring starts at
 * `sharedBytes` and grows (keeping the order of the items, while other
 * Workers put and take) until memory runs out.
 *
 * @module
 */
import { assertEquals, assertThrows } from "@std/assert";
import { deadline } from "@std/async/deadline";
import { Thread } from "@locksmith/threading";
import { Full, Queue, SimpleQueue } from "@locksmith/threading/queue";
import { type Case, type CaseContext, defineCases } from "./_suite.ts";
import { itemLabel, SHARED_QUEUE_TARGETS, sharedReport } from "./_shared_queue_targets.ts";

const WORKERS: Case["needs"] = ["sharedMemory", "parallelThreads", "blockingWait"];

/** More numbers than a default ring (1 MiB) held before it could grow: 80,659. */
const PAST_ONE_RING = 200_000;

/** A generous bound: a run that hangs fails instead. */
const BOUND_MS = 60_000;

function startWorker(ctx: CaseContext, exportName: string, ...args: unknown[]): Thread {
  const thread = new Thread({
    backend: ctx.backend,
    target: { module: SHARED_QUEUE_TARGETS, export: exportName },
    args,
  });
  thread.start();
  return thread;
}

export const queueGrowthCases = defineCases([
  {
    name: "Queue: a shared unbounded Queue is never full: 200000 putNowait calls, then every item in order",
    needs: ["sharedMemory"],
    fn: ({ backend }) => {
      const q = new Queue<number>(0, { backend, shared: true });
      for (let i = 0; i < PAST_ONE_RING; i++) {
        q.putNowait(i);
        if (i % 10_000 === 0) assertEquals(q.full(), false, `full after ${i} items`);
      }
      assertEquals(q.full(), false);
      assertEquals(q.qsize(), PAST_ONE_RING);
      let wrong = 0;
      for (let i = 0; i < PAST_ONE_RING; i++) if (q.getNowait() !== i) wrong++;
      assertEquals(wrong, 0, "items out of order");
      assertEquals(q.empty(), true);
    },
  },
  {
    name: "Queue: a shared queue's ring grows while it wraps, and keeps the order",
    needs: ["sharedMemory"],
    fn: ({ backend }) => {
      // A 64-byte ring: it wraps at once and must grow many times, often while wrapped.
      const q = new Queue<string>(0, { backend, shared: true, sharedBytes: 64 });
      let put = 0;
      let taken = 0;
      for (let round = 1; round <= 300; round++) {
        for (let i = 0; i < round % 37; i++) q.putNowait(itemLabel(put++));
        for (let i = 0; i < round % 29 && taken < put; i++) assertEquals(q.getNowait(), itemLabel(taken++));
      }
      assertEquals(q.qsize(), put - taken);
      while (taken < put) assertEquals(q.getNowait(), itemLabel(taken++));
      // An item larger than the ring it started with fits too.
      q.putNowait("x".repeat(100_000));
      assertEquals(q.getNowait().length, 100_000);
    },
  },
  {
    name: "Queue: a bounded shared queue is full at its maxsize, not when its first ring's bytes run out",
    needs: ["sharedMemory"],
    fn: ({ backend }) => {
      const q = new Queue<string>(1000, { backend, shared: true, sharedBytes: 64 });
      for (let i = 0; i < 1000; i++) q.putNowait("y".repeat(100));
      assertEquals(q.full(), true);
      assertThrows(() => q.putNowait("one more"), Full);
      assertEquals(q.qsize(), 1000);
    },
  },
  {
    name: "SimpleQueue: putNowait in a Worker never blocks on a shared SimpleQueue (200000 numbers)",
    needs: WORKERS,
    fn: async (ctx) => {
      const q = new SimpleQueue<number>({ backend: ctx.backend });
      const report = sharedReport(2);
      const producer = startWorker(ctx, "putNumbers", q, PAST_ONE_RING, report);
      let stuckAt = -1;
      try {
        await deadline(producer.join(), BOUND_MS);
      } catch {
        stuckAt = Atomics.load(report, 0);
      }
      // A producer stuck in a put wakes as items are taken: drain until it is done, so no Worker is left.
      let drained = 0;
      while (producer.isAlive() || !q.empty()) {
        while (!q.empty()) q.getNowait(), drained++;
        await producer.join({ timeout: 10 });
      }
      assertEquals(stuckAt, -1, `the Worker's putNowait blocked after ${stuckAt} items`);
      assertEquals([Atomics.load(report, 0), Atomics.load(report, 1)], [PAST_ONE_RING, 1]);
      assertEquals(drained, PAST_ONE_RING);
    },
  },
  {
    name: "Queue: three Worker producers grow a 64-byte shared ring while the main thread takes: each item once",
    needs: WORKERS,
    fn: async (ctx) => {
      const count = 50_000;
      const q = new Queue<number>(0, { backend: ctx.backend, shared: true, sharedBytes: 64 });
      const reports = [sharedReport(2), sharedReport(2), sharedReport(2)];
      const producers = reports.map((report) => startWorker(ctx, "putNumbers", q, count, report));
      const seen = new Int32Array(count);
      try {
        // Each producer puts 0 .. count - 1: every number must come out three times.
        for (let taken = 0; taken < 3 * count; taken++) seen[await deadline(q.get(), BOUND_MS)]++;
      } finally {
        for (const t of producers) await t.join();
      }
      const wrong: string[] = [];
      for (let i = 0; i < count && wrong.length < 10; i++) if (seen[i] !== 3) wrong.push(`${i}: ${seen[i]}`);
      assertEquals(wrong, []);
      assertEquals(reports.map((r) => Atomics.load(r, 1)), [1, 1, 1]);
      assertEquals(q.qsize(), 0);
    },
  },
  {
    name: "Queue: a shared Queue grows while a Worker takes its items: each arrives once, in order",
    needs: WORKERS,
    fn: async (ctx) => {
      const count = 50_000;
      const q = new Queue<string>(0, { backend: ctx.backend, shared: true, sharedBytes: 64 });
      const report = sharedReport(2);
      const consumer = startWorker(ctx, "takeInOrder", q, count, report);
      try {
        for (let i = 0; i < count; i++) q.putNowait(itemLabel(i));
        await deadline(consumer.join(), BOUND_MS);
      } finally {
        q.shutdown(true);
        await consumer.join();
      }
      assertEquals([Atomics.load(report, 0), Atomics.load(report, 1)], [count, 0]);
      assertEquals(q.qsize(), 0);
    },
  },
]);
