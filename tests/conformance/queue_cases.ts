/**
 * Queue, LifoQueue, PriorityQueue and SimpleQueue: the behaviours of
 * CPython's `Lib/test/test_queue.py` (Python 3.13, with `shutdown`), and the
 * contract's rules (ms timeouts, signals, `...Sync` twins on threads of one
 * isolate). The base behaviours run for the three bounded kinds.
 *
 * @module
 */
import { assert, assertEquals, assertInstanceOf, assertRejects, assertThrows } from "@std/assert";
import { DeadlockError, pendingWaits, revive, ValueError } from "@locksmith/threading";
import {
  compareLikePython,
  Empty,
  Full,
  LifoQueue,
  PriorityQueue,
  Queue,
  type QueueOptions,
  ShutDown,
  SimpleQueue,
} from "@locksmith/threading/queue";
import { type Case, type CaseContext, defineCases } from "./_suite.ts";

const QUEUE_SIZE = 5;

/** Sleeps on the backend's clock until `done()` holds; fails rather than hang. */
async function until(ctx: CaseContext, done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await ctx.sleep(2);
  if (!done()) throw new Error(`Gave up waiting until ${what}`);
}

/**
 * CPython's `do_blocking_test`: runs `block()`, which must wait until a
 * thread runs `trigger()` after a pause; checks that it did wait.
 */
async function blocksUntil<T>(ctx: CaseContext, block: () => Promise<T>, trigger: () => unknown): Promise<T> {
  let triggered = false;
  const thread = ctx.bunch(async () => {
    await ctx.sleep(20);
    triggered = true;
    await trigger();
  });
  try {
    const result = await block();
    assert(triggered, "the blocking call returned before the trigger ran");
    return result;
  } finally {
    await thread.join();
  }
}

/** An aborted signal whose reason is a fresh, recognisable error. */
function abortedSignal(): AbortSignal {
  const controller = new AbortController();
  controller.abort(new Error("stop waiting"));
  return controller.signal;
}

type QueueKind = typeof Queue | typeof LifoQueue | typeof PriorityQueue;

const ORDER: Record<string, number[]> = {
  Queue: [111, 333, 222],
  LifoQueue: [222, 333, 111],
  PriorityQueue: [111, 222, 333],
};

/** CPython's `basic_queue_test`, on a queue of QUEUE_SIZE. */
async function basicQueueTest(ctx: CaseContext, q: Queue<number | string>, kind: string): Promise<void> {
  assertEquals(await q.qsize(), 0);
  assert(await q.empty());
  assert(!(await q.full()));
  await q.put(111);
  await q.put(333);
  await q.put(222);
  assertEquals([await q.get(), await q.get(), await q.get()], ORDER[kind], "didn't queue the data in order");
  for (let i = 0; i < QUEUE_SIZE - 1; i++) {
    await q.put(i);
    assert((await q.qsize()) > 0, "queue should not be empty");
  }
  assert(!(await q.full()), "queue should not be full");
  const last = 2 * QUEUE_SIZE;
  const full = 3 * 2 * QUEUE_SIZE;
  await q.put(last);
  assert(await q.full(), "queue should be full");
  assert(!(await q.empty()));
  await assertRejects(() => q.put(full, false), Full);
  await assertRejects(() => q.put(full, true, 10), Full);
  // Blocking puts, unblocked by a get.
  await blocksUntil(ctx, () => q.put(full), () => q.get());
  await blocksUntil(ctx, () => q.put(full, true, 10_000), () => q.get());
  for (let i = 0; i < QUEUE_SIZE; i++) await q.get();
  assert(await q.empty(), "queue should be empty");
  await assertRejects(() => q.get(false), Empty);
  await assertRejects(() => q.get(true, 10), Empty);
  // Blocking gets, unblocked by a put.
  assertEquals(await blocksUntil(ctx, () => q.get(), () => q.put("empty")), "empty");
  assertEquals(await blocksUntil(ctx, () => q.get(true, 10_000), () => q.put("empty")), "empty");
}

/** CPython's `queue_join_test`: two workers sum 0..99; `join` waits for every `taskDone`. */
async function queueJoinTest(ctx: CaseContext, q: Queue<number>): Promise<void> {
  let cum = 0;
  const workers = ctx.bunch(async () => {
    for (;;) {
      const x = await q.get();
      if (x < 0) {
        await q.taskDone();
        return;
      }
      cum += x;
      await ctx.sleep(0);
      await q.taskDone();
    }
  }, 2);
  for (let i = 0; i < 100; i++) await q.put(i);
  assertEquals(await q.join(), true);
  assertEquals(cum, 4950, "join() returned before all tasks were done");
  for (let i = 0; i < 2; i++) await q.put(-1);
  assertEquals(await q.join(), true); // joining twice works
  await workers.join();
}

function baseCases(Kind: QueueKind): Case[] {
  const kind = Kind.name;
  // PriorityQueue's cases run where there is one.
  const needs: Case["needs"] = kind === "PriorityQueue" ? ["priorityQueue"] : [];
  const make = <T>(ctx: CaseContext, maxsize: number, options?: unknown) =>
    (kind === "Queue"
      ? ctx.make.Queue<T>(maxsize, options)
      : kind === "LifoQueue"
      ? ctx.make.LifoQueue<T>(maxsize, options)
      : ctx.make.PriorityQueue<T>(maxsize, options)) as Queue<T>;
  const cases: Case[] = [
    {
      name: `${kind}: basic put and get, Full and Empty, blocking calls wait (twice on one queue)`,
      fn: async (ctx) => {
        const q = make<number | string>(ctx, QUEUE_SIZE);
        await basicQueueTest(ctx, q, kind);
        await basicQueueTest(ctx, q, kind);
      },
    },
    {
      name: `${kind}: join waits until every item is marked done (twice)`,
      fn: async (ctx) => {
        const q = make<number>(ctx, 0);
        await queueJoinTest(ctx, q);
        await queueJoinTest(ctx, q);
        await ctx.fails(() => q.taskDone(), ValueError);
      },
    },
    {
      name: `${kind}: taskDone called more times than put throws ValueError`,
      fn: async (ctx) => {
        const q = make(ctx, 0);
        const error = await ctx.fails(() => q.taskDone(), ValueError);
        assert(error.message.includes("taskDone() called more times than put()"), error.message);
        await q.putNowait(1);
        await q.getNowait();
        await q.taskDone();
        assertEquals(await q.unfinishedTasks, 0);
        await ctx.fails(() => q.taskDone(), ValueError);
      },
    },
    {
      name: `${kind}: a negative timeout throws ValueError; a non-blocking call ignores its timeout`,
      fn: async (ctx) => {
        const q = make(ctx, QUEUE_SIZE);
        const error = await assertRejects(() => q.put(1, true, -5), ValueError);
        assert(error.message.includes("received -5"), error.message);
        await assertRejects(() => q.get(true, -5), ValueError);
        await assertRejects(() => q.get({ timeout: -2 }), ValueError);
        // Not even checked when not blocking: the call behaves as put/get_nowait.
        await q.put(1, false, -5);
        assertEquals(await q.get(false, -5), 1);
        await assertRejects(() => q.get({ block: false, timeout: -5 }), Empty);
        // -1 waits forever, as everywhere in the library.
        await q.put(2, true, -1);
        assertEquals(await q.get(true, -1), 2);
      },
    },
    {
      name: `${kind}: putNowait and getNowait raise Full and Empty`,
      fn: async (ctx) => {
        const q = make(ctx, QUEUE_SIZE);
        for (let i = 0; i < QUEUE_SIZE; i++) await q.putNowait(1);
        const full = await ctx.fails(() => q.putNowait(1), Full);
        assert(full.message.includes(`maxsize ${QUEUE_SIZE}`), full.message);
        for (let i = 0; i < QUEUE_SIZE; i++) await q.getNowait();
        await ctx.fails(() => q.getNowait(), Empty);
      },
    },
    {
      name: `${kind}: a queue whose maxsize shrinks is full (Python issue 10110)`,
      needs: ["inProcess"],
      fn: async (ctx) => {
        const q = make(ctx, 3);
        await q.putNowait(1);
        await q.putNowait(2);
        await q.putNowait(3);
        await ctx.fails(() => q.putNowait(4), Full);
        assertEquals(await q.qsize(), 3);
        q.maxsize = 2;
        assertEquals(q.maxsize, 2);
        await ctx.fails(() => q.putNowait(4), Full);
        assertEquals(await q.qsize(), 3);
      },
    },
    {
      name: `${kind}: raising maxsize wakes a blocked put`,
      needs: ["inProcess"],
      fn: async (ctx) => {
        const q = make<number>(ctx, 1);
        await q.put(1);
        await blocksUntil(ctx, () => q.put(2), () => (q.maxsize = 2));
        assertEquals(await q.qsize(), 2);
      },
    },
    {
      name: `${kind}: waiting getters are served oldest first`,
      fn: async (ctx) => {
        const q = make<number>(ctx, 0);
        const got: number[][] = [];
        const bunch = ctx.bunch(async (i) => {
          await ctx.sleep(i * 3);
          got.push([i, await q.get()]);
        }, 3);
        await until(ctx, () => ctx.parked("get") === 3, "three getters wait");
        await q.putNowait(10);
        await q.putNowait(10);
        await q.putNowait(10);
        await bunch.join();
        assertEquals(got.map(([i]) => i), [0, 1, 2]);
      },
    },
    {
      name: `${kind}: shutdown of an empty queue makes put and get raise ShutDown`,
      fn: async (ctx) => {
        const q = make(ctx, QUEUE_SIZE);
        assertEquals(await q.isShutdown, false);
        await q.shutdown();
        assertEquals(await q.isShutdown, true);
        const error = await assertRejects(() => q.put("data"), ShutDown);
        assert(error.message.includes("shut down"), error.message);
        await assertRejects(() => q.get(), ShutDown);
        await ctx.fails(() => q.putNowait("data"), ShutDown);
        await ctx.fails(() => q.getNowait(), ShutDown);
      },
    },
    {
      name: `${kind}: after shutdown, get drains the queue, then raises ShutDown`,
      fn: async (ctx) => {
        const q = make(ctx, QUEUE_SIZE);
        await q.put("data");
        await q.shutdown();
        assertEquals(await q.get(), "data");
        await assertRejects(() => q.get(), ShutDown);
        await assertRejects(() => q.get(false), ShutDown);
        assertEquals(await q.unfinishedTasks, 1);
        await q.taskDone();
        assertEquals(await q.join(), true);
      },
    },
    {
      name: `${kind}: shutdown(true) drops the items, counts them done and ends gets at once`,
      fn: async (ctx) => {
        const q = make(ctx, QUEUE_SIZE);
        await q.put("a");
        await q.put("b");
        await q.put("c");
        await q.get(); // taken, not yet done: still counted
        await q.shutdown(true);
        assertEquals(await q.qsize(), 0);
        assertEquals(await q.unfinishedTasks, 1);
        await assertRejects(() => q.get(), ShutDown);
        await q.taskDone();
        assertEquals(await q.join(), true);
        await ctx.fails(() => q.taskDone(), ValueError);
      },
    },
    {
      name: `${kind}: shutdown may be repeated and made immediate later, never undone`,
      fn: async (ctx) => {
        const q = make(ctx, QUEUE_SIZE);
        await q.put(1);
        await q.shutdown();
        assertEquals(await q.isShutdown, true);
        assertEquals(await q.qsize(), 1);
        await q.shutdown(true);
        assertEquals(await q.isShutdown, true);
        assertEquals(await q.qsize(), 0);
        await q.shutdown(false);
        assertEquals(await q.isShutdown, true);
        await ctx.fails(() => q.shutdown("yes" as unknown as boolean), TypeError);
      },
    },
    {
      name: `${kind}: shutdown wakes blocked puts with ShutDown`,
      fn: async (ctx) => {
        const q = make<number>(ctx, 1);
        await q.put(0);
        const outcomes: unknown[] = [];
        const putters = ctx.bunch(async (i) => {
          try {
            await (i === 0 ? q.put(i + 1, { timeout: 10_000 }) : q.put(i + 1));
            outcomes.push("put");
          } catch (error) {
            outcomes.push(error);
          }
        }, 2);
        await until(ctx, () => ctx.parked("put") === 2, "two putters wait");
        await q.shutdown();
        await putters.join();
        assertEquals(outcomes.length, 2);
        for (const outcome of outcomes) assertInstanceOf(outcome, ShutDown);
        assertEquals(await q.get(), 0); // the queued item is still there
      },
    },
    {
      name: `${kind}: shutdown wakes blocked gets with ShutDown once nothing is left`,
      fn: async (ctx) => {
        const q = make<number>(ctx, 0);
        const outcomes: unknown[] = [];
        const getters = ctx.bunch(async (i) => {
          try {
            outcomes.push(await (i === 0 ? q.get({ timeout: 10_000 }) : q.get()));
          } catch (error) {
            outcomes.push(error);
          }
        }, 3);
        await until(ctx, () => ctx.parked("get") === 3, "three getters wait");
        await q.putNowait(7);
        await q.shutdown();
        await getters.join();
        assertEquals(outcomes.filter((o) => o === 7).length, 1, "one getter got the last item");
        assertEquals(outcomes.filter((o) => o instanceof ShutDown).length, 2);
      },
    },
    {
      name: `${kind}: shutdown(true) releases join; a plain shutdown does not`,
      fn: async (ctx) => {
        const q = make<number>(ctx, 0);
        await q.put(1);
        await q.put(2);
        let joined = false;
        const joiner = ctx.bunch(async () => {
          joined = await q.join();
        });
        await ctx.settle();
        await q.shutdown();
        await ctx.settle();
        assertEquals(joined, false, "a plain shutdown released join()");
        await q.shutdown(true);
        await joiner.join();
        assertEquals(joined, true);
      },
    },
    {
      name: `${kind}: join takes a timeout and a signal`,
      fn: async (ctx) => {
        const q = make(ctx, 0);
        assertEquals(await q.join(5), true);
        await q.putNowait("x");
        assertEquals(await q.join(5), false);
        assertEquals(await q.join({ timeout: 5 }), false);
        const controller = new AbortController();
        const joining = q.join({ signal: controller.signal });
        controller.abort(new Error("enough"));
        await assertRejects(() => joining, Error, "enough");
        assertEquals(pendingWaits(), []);
        await q.getNowait();
        await q.taskDone();
        assertEquals(await q.join(), true);
      },
    },
    {
      name: `${kind}: an already-aborted signal rejects at once, even when the call could succeed`,
      fn: async (ctx) => {
        const q = make(ctx, QUEUE_SIZE);
        await assertRejects(() => q.put(1, { signal: abortedSignal() }), Error, "stop waiting");
        assertEquals(await q.qsize(), 0);
        await q.putNowait(1);
        await assertRejects(() => q.get({ signal: abortedSignal() }), Error, "stop waiting");
        await assertRejects(() => q.get({ block: false, signal: abortedSignal() }), Error, "stop waiting");
        await assertRejects(() => q.join({ signal: abortedSignal() }), Error, "stop waiting");
        assertEquals(await q.qsize(), 1);
      },
    },
    {
      name: `${kind}: an aborted get leaves no waiter behind and loses no item`,
      fn: async (ctx) => {
        const q = make<number>(ctx, 0);
        const controller = new AbortController();
        const aborted = q.get({ signal: controller.signal });
        let got: number | undefined;
        const other = ctx.bunch(async () => {
          got = await q.get();
        });
        await until(ctx, () => ctx.parked("get") === 2, "two getters wait");
        controller.abort(new Error("gave up"));
        await assertRejects(() => aborted, Error, "gave up");
        await q.putNowait(5); // must reach the other getter, not the aborted one
        await other.join();
        assertEquals(got, 5);
        assertEquals(await q.qsize(), 0);
      },
    },
    {
      name: `${kind}: an aborted put leaves no waiter behind and puts nothing`,
      fn: async (ctx) => {
        const q = make<number>(ctx, 1);
        await q.put(1);
        const controller = new AbortController();
        const putting = q.put(2, { signal: controller.signal });
        await until(ctx, () => ctx.parked("put") > 0, "the putter waits");
        controller.abort(new Error("gave up"));
        await assertRejects(() => putting, Error, "gave up");
        assertEquals(pendingWaits(), []);
        assertEquals(await q.get(), 1);
        assertEquals(await q.qsize(), 0);
      },
    },
    {
      name: `${kind}: a timed-out get leaves no waiter behind`,
      fn: async (ctx) => {
        const q = make<number>(ctx, 0);
        await assertRejects(() => q.get(true, 5), Empty);
        assertEquals(pendingWaits(), []);
        let got: number | undefined;
        const getter = ctx.bunch(async () => {
          got = await q.get();
        });
        await ctx.settle();
        await q.putNowait(9);
        await getter.join();
        assertEquals(got, 9);
      },
    },
    {
      name: `${kind}: the Sync twins cannot wait for threads of this isolate`,
      needs: ["syncTwins"],
      fn: async (ctx) => {
        const q = make<number>(ctx, 1);
        q.putSync(1);
        assertThrows(() => q.putSync(2, false), Full);
        assertThrows(() => q.putSync(2, true, 50), Full);
        const putForever = assertThrows(() => q.putSync(2), DeadlockError);
        assert(putForever.message.includes(kind), putForever.message);
        assertEquals(q.getSync(), 1);
        assertThrows(() => q.getSync(false), Empty);
        assertThrows(() => q.getSync(true, 50), Empty);
        assertThrows(() => q.getSync(), DeadlockError);
        assertEquals(q.joinSync(10), false);
        assertThrows(() => q.joinSync(), DeadlockError);
        await q.taskDone();
        assertEquals(q.joinSync(), true);
        assertEquals(pendingWaits(), []);
      },
    },
    {
      name: `${kind}: bad arguments throw TypeError or ValueError`,
      fn: async (ctx) => {
        assertThrows(() => make(ctx, "5" as unknown as number), TypeError);
        const error = assertThrows(() => make(ctx, 1.5), ValueError);
        assert(error.message.includes("received 1.5"), error.message);
        assertThrows(() => make(ctx, 2 ** 40), ValueError);
        assertThrows(() => make(ctx, 0, 7 as unknown as QueueOptions), TypeError);
        assertEquals(make(ctx, Infinity).maxsize, 0);
        assertEquals(await make(ctx, -3).full(), false);
        await assertRejects(() => make(ctx, 1).put(1, "no" as unknown as boolean), TypeError);
      },
    },
    {
      name: `${kind}: many producers and consumers move every item exactly once`,
      fn: async (ctx) => {
        const q = make<number>(ctx, 10);
        const inputs = Array.from({ length: 500 }, (_, i) => i);
        const seq = [...inputs];
        const results: number[] = [];
        const producers = ctx.bunch(async () => {
          for (let item = seq.pop(); item !== undefined; item = seq.pop()) await q.put(item);
        }, 5);
        const consumers = ctx.bunch(async () => {
          for (;;) {
            const item = await q.get();
            if (item < 0) return;
            results.push(item);
          }
        }, 5);
        await producers.join();
        for (let i = 0; i < 5; i++) await q.put(-1);
        await consumers.join();
        assertEquals(results.sort((a, b) => a - b), inputs);
        assertEquals(await q.empty(), true);
      },
    },
    {
      name: `${kind}: a queue that cannot be shared refuses to be posted to a Worker, saying why`,
      needs: ["inProcess"],
      fn: (ctx) => {
        // On a backend with shared memory every kind is shareable, unless made with { shared: false }.
        const sharedMemory = ctx.backend.capabilities.sharedMemory;
        const q = sharedMemory ? make(ctx, 0, { ...ctx.options, shared: false }) : make(ctx, 0);
        q.putNowait(1);
        const error = assertThrows(() => structuredClone(q)) as Error;
        assert(error.message.includes(`Cannot share ${kind}#`), error.message);
        assert(error.message.includes("keeps its items in the isolate"), error.message);
        const why = !sharedMemory ? "has no shared memory" : "shared: false";
        assert(error.message.includes(why), error.message);
        assertEquals(q.getNowait(), 1);
      },
    },
  ];
  return cases.map((c) => ({ ...c, needs: [...needs, ...(c.needs ?? [])] }));
}

export const queueCases: Case[] = defineCases([
  ...baseCases(Queue),
  ...baseCases(LifoQueue),
  ...baseCases(PriorityQueue),
  {
    name: "Queue: on shared memory, a queue keeps items in its isolate until first handed over, then shares them",
    needs: ["sharedMemory"],
    fn: async ({ options }) => {
      const q = new Queue<{ n: number }>(0, options);
      const first = { n: 1 };
      q.putNowait(first);
      // Not shared yet: the same object comes back, and a forever wait is a deadlock.
      assert(q.getNowait() === first);
      assertThrows(() => q.getSync(), DeadlockError);
      q.putNowait(first);
      q.putNowait({ n: 2 });
      const twin = revive<Queue<{ n: number }>>(structuredClone(q));
      assert(twin instanceof Queue && twin !== q);
      assertEquals(twin.qsize(), 2);
      // Shared: items are clones, in order, whichever side takes them.
      const back = twin.getNowait();
      assertEquals(back, first);
      assert(back !== first);
      assertEquals(q.getNowait(), { n: 2 });
      q.putNowait({ n: 3 });
      assertEquals(await twin.get(), { n: 3 });
      assertEquals(q.unfinishedTasks, 3 + 1);
      // A blocking wait now really waits (another Worker could put): it times out with Empty.
      assertThrows(() => q.getSync(true, 5), Empty);
      // Handing it over again carries the same queue.
      const third = revive<Queue<{ n: number }>>(structuredClone(q));
      third.putNowait({ n: 4 });
      assertEquals(twin.getNowait(), { n: 4 });
    },
  },
  {
    name: "SimpleQueue: shareable where memory is shared (a clone revives as the same queue), refused elsewhere",
    needs: ["simpleQueue"],
    fn: async ({ backend, options }) => {
      const q = new SimpleQueue<{ n: number }>(options);
      const item = { n: 1 };
      q.putNowait(item);
      if (!backend.capabilities.sharedMemory) {
        const error = assertThrows(() => structuredClone(q)) as Error;
        assert(error.message.includes("Cannot share SimpleQueue#"), error.message);
        assert(error.message.includes("has no shared memory"), error.message);
        assert(q.getNowait() === item);
        return;
      }
      assert(q.getNowait() === item); // still in this isolate: the same object
      q.putNowait(item);
      const twin = revive<SimpleQueue<{ n: number }>>(structuredClone(q));
      assertInstanceOf(twin, SimpleQueue);
      assertEquals(twin.qsize(), 1);
      const back = twin.getNowait();
      assertEquals(back, item);
      assert(back !== item);
      twin.putNowait({ n: 2 });
      assertEquals(await q.get(), { n: 2 });
      assertEquals(q.empty() && twin.empty(), true);
      assertThrows(() => q.getSync(true, 5), Empty);
    },
  },
  {
    name: "Queue: a queue whose items cannot be shared stays as it was when handed over; any number of items can go",
    needs: ["sharedMemory"],
    fn: ({ options }) => {
      const q = new Queue<unknown>(0, options);
      const fn = () => 1;
      q.putNowait("a");
      q.putNowait(fn);
      const error = assertThrows(() => structuredClone(q)) as Error;
      assert(error.message.includes("cannot be structured-cloned"), error.message);
      assertEquals(q.qsize(), 2);
      assertEquals(q.getNowait(), "a");
      assert(q.getNowait() === fn);
      assertThrows(() => q.getSync(), DeadlockError);
      // More items than a small ring's first bytes hold: the ring grows to take them all, in order.
      const small = new Queue<string>(0, { ...options, sharedBytes: 64 });
      for (let i = 0; i < 10; i++) small.putNowait(`${i}`.repeat(10));
      const twin = revive<Queue<string>>(structuredClone(small));
      assertEquals(twin.qsize(), 10);
      for (let i = 0; i < 10; i++) assertEquals(twin.getNowait(), `${i}`.repeat(10));
      twin.putNowait("y");
      assertEquals(small.getNowait(), "y");
    },
  },
  {
    name: "PriorityQueue: orders entries as Python orders tuples, numbers and strings",
    needs: ["priorityQueue"],
    fn: ({ options }) => {
      const q = new PriorityQueue<unknown>(0, options);
      const entries = [[2, "b"], [1, "z"], [1, "a"], [2], [0.5, "x"], [1n, "m"], [true, "t"]];
      for (const entry of entries) q.putNowait(entry);
      const out: unknown[] = [];
      while (!q.empty()) out.push(q.getNowait());
      assertEquals(out, [[0.5, "x"], [1, "a"], [1n, "m"], [true, "t"], [1, "z"], [2], [2, "b"]]);
      // Code points, not UTF-16 units: an astral character sorts after U+FFFF.
      const s = new PriorityQueue<string>(0, options);
      for (const x of ["\u{1F600}", "\uFFFF", "a", "ab"]) s.putNowait(x);
      assertEquals([s.getNowait(), s.getNowait(), s.getNowait(), s.getNowait()], ["a", "ab", "\uFFFF", "\u{1F600}"]);
      assertEquals(compareLikePython(null, null), 0);
    },
  },
  {
    name: "PriorityQueue: items Python could not order are refused, leaving the queue intact",
    needs: ["priorityQueue"],
    fn: async ({ options }) => {
      const q = new PriorityQueue<unknown>(0, options);
      q.putNowait([1, "a"]);
      q.putNowait([2, "b"]);
      const error = assertThrows(() => q.putNowait("text"), TypeError);
      assert(error.message.includes("compare"), error.message);
      await assertRejects(() => q.put({}), TypeError);
      assertEquals(q.qsize(), 2);
      assertEquals(q.unfinishedTasks, 2);
      assertEquals(q.getNowait(), [1, "a"]);
      assertEquals(q.getNowait(), [2, "b"]);
    },
  },
  {
    name: "PriorityQueue: a comparator that throws on put or get leaves the queue intact (FailingQueue)",
    needs: ["priorityQueue"],
    fn: async (ctx) => {
      let failNext = false;
      const compare = (a: number, b: number) => {
        if (failNext) {
          failNext = false;
          throw new Error("You Lose");
        }
        return a - b;
      };
      const q = new PriorityQueue<number>(QUEUE_SIZE, { ...ctx.options, compare });
      for (let i = 0; i < QUEUE_SIZE - 1; i++) q.putNowait(i);
      failNext = true;
      await assertRejects(() => q.put(99, false), Error, "You Lose");
      failNext = true;
      await assertRejects(() => q.put(99, true, 100), Error, "You Lose");
      assertEquals(q.qsize(), QUEUE_SIZE - 1);
      assertEquals(q.unfinishedTasks, QUEUE_SIZE - 1);
      await q.put(100);
      assert(q.full());
      // A blocking put that fails once a get makes room: nothing is added.
      const putting = q.put(50);
      await until(ctx, () => pendingWaits().some((w) => w.op === "put"), "the putter waits");
      assertEquals(q.getNowait(), 0); // pops with working comparisons, and wakes the putter
      failNext = true; // the putter's own comparison fails when it resumes
      await assertRejects(() => putting, Error, "You Lose");
      assertEquals(q.qsize(), QUEUE_SIZE - 1);
      // Failing gets, non-blocking and timed: the item stays.
      failNext = true;
      await assertRejects(() => q.get(false), Error, "You Lose");
      failNext = true;
      await assertRejects(() => q.get(true, 100), Error, "You Lose");
      assertEquals(q.qsize(), QUEUE_SIZE - 1);
      await q.put(50);
      const left: number[] = [];
      while (!q.empty()) left.push(q.getNowait());
      assertEquals(left, [1, 2, 3, 50, 100]);
    },
  },
  {
    name: "SimpleQueue: put, get, putNowait, getNowait, qsize and empty",
    needs: ["simpleQueue"],
    fn: async ({ options }) => {
      const q = new SimpleQueue<number>(options);
      assert(q.empty());
      assertEquals(q.qsize(), 0);
      await q.put(1);
      assert(!q.empty());
      assertEquals(q.qsize(), 1);
      await q.put(2);
      q.putNowait(3);
      await q.put(4);
      assertEquals(q.qsize(), 4);
      assertEquals(await q.get(), 1);
      assertEquals(q.qsize(), 3);
      assertEquals(q.getNowait(), 2);
      assertEquals(await q.get(false), 3);
      assertEquals(await q.get(true, 100), 4);
      assert(q.empty());
      await assertRejects(() => q.get(false), Empty);
      await assertRejects(() => q.get(true, 1), Empty);
      assertThrows(() => q.getNowait(), Empty);
      assertEquals(q.qsize(), 0);
    },
  },
  {
    name: "SimpleQueue: a negative timeout throws ValueError; put ignores block and timeout",
    needs: ["simpleQueue"],
    fn: async ({ options }) => {
      const q = new SimpleQueue<number>(options);
      await q.put(1, true, -5);
      await q.put(2, false, 10);
      await assertRejects(() => q.get(true, -5), ValueError);
      assertEquals(await q.get(false, -5), 1);
      assertEquals(q.getSync(), 2);
      assertThrows(() => q.getSync(true, 10), Empty);
      assertThrows(() => q.getSync(), DeadlockError);
    },
  },
  {
    name: "SimpleQueue: one producer and one consumer keep the order",
    needs: ["simpleQueue"],
    fn: async (ctx) => {
      const q = new SimpleQueue<number | null>(ctx.options);
      const inputs = Array.from({ length: 100 }, (_, i) => i);
      const results: number[] = [];
      const consumer = ctx.bunch(async () => {
        for (let v = await q.get(); v !== null; v = await q.get()) results.push(v);
      });
      const producer = ctx.bunch(async () => {
        for (const v of inputs) {
          await q.put(v);
          if (v % 7 === 0) await ctx.sleep(0);
        }
        await q.put(null);
      });
      await producer.join();
      await consumer.join();
      assertEquals(results, inputs);
    },
  },
  {
    name: "SimpleQueue: many threads, blocking, non-blocking and timed consumers, get every item once",
    needs: ["simpleQueue"],
    fn: async (ctx) => {
      for (const mode of ["block", "nonblock", "timeout"] as const) {
        const q = new SimpleQueue<number | null>(ctx.options);
        const n = 10;
        const inputs = Array.from({ length: 300 }, (_, i) => i);
        const seq = [...inputs].reverse();
        const results: number[] = [];
        const take = async (): Promise<number | null> => {
          if (mode === "block") return await q.get();
          for (;;) {
            try {
              return mode === "nonblock" ? await q.get(false) : await q.get(true, 1);
            } catch (error) {
              if (!(error instanceof Empty)) throw error;
              if (mode === "nonblock") await ctx.sleep(0);
            }
          }
        };
        const feeders = ctx.bunch(async () => {
          for (let v = seq.pop(); v !== undefined; v = seq.pop()) {
            q.putNowait(v);
            if (v % 5 === 0) await ctx.sleep(0); // let the others run, as Python's random sleeps do
          }
          q.putNowait(null);
        }, n);
        const consumers = ctx.bunch(async () => {
          for (let v = await take(); v !== null; v = await take()) results.push(v);
        }, n);
        await feeders.join();
        await consumers.join();
        assertEquals(results.sort((a, b) => a - b), inputs, mode);
        assert(q.empty());
      }
    },
  },
  {
    name: "SimpleQueue: an aborted get leaves no waiter behind and loses no item",
    needs: ["simpleQueue"],
    fn: async (ctx) => {
      const q = new SimpleQueue<number>(ctx.options);
      await assertRejects(() => q.get({ signal: abortedSignal() }), Error, "stop waiting");
      const controller = new AbortController();
      const aborted = q.get({ signal: controller.signal });
      let got: number | undefined;
      const other = ctx.bunch(async () => {
        got = await q.get();
      });
      await until(ctx, () => pendingWaits().length === 2, "two getters wait");
      controller.abort(new Error("gave up"));
      await assertRejects(() => aborted, Error, "gave up");
      q.putNowait(3);
      await other.join();
      assertEquals(got, 3);
    },
  },
]);
