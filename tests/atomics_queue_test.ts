// A shared Queue on the `atomics` backend across real Workers: many
// producers and consumers, taskDone/join, shutdown, items that cannot be
// cloned, and handles through structured clone. The thread bodies are in
// `workers/queue_targets.ts`.
import { assert, assertEquals, assertThrows } from "@std/assert";
import { monotonic, pendingWaits, revive, runningThreads, sleep, Thread } from "../mod.ts";
import { Queue, ShutDown } from "../queue.ts";

const atomics = { backend: "atomics" } as const;
const targets = new URL("./workers/queue_targets.ts", import.meta.url).href;

function start(exportName: string, args: unknown[]): Thread {
  const thread = new Thread({ ...atomics, target: { module: targets, export: exportName }, args });
  thread.start();
  return thread;
}

async function joinAll(threads: Thread[]): Promise<void> {
  for (const t of threads) await t.join();
  assertEquals(threads.filter((t) => t.isAlive()).map((t) => t.name), []);
  assertEquals(runningThreads(), [], "threads left running");
  assertEquals(pendingWaits(), [], "waiters left behind");
}

/** Waits until `report[slot] >= value` (a generous bound only keeps a broken run from hanging). */
async function waitFor(report: Int32Array, slot: number, value: number): Promise<void> {
  const deadline = monotonic() + 30_000;
  while (Atomics.load(report, slot) < value) {
    if (monotonic() > deadline) throw new Error(`report[${slot}] never reached ${value}: ${report[slot]}`);
    await sleep(1);
  }
}

Deno.test("[atomics] Queue: 4 producer and 4 consumer Workers move 100000 items, each exactly once", async () => {
  const total = 100_000;
  const producers = 4;
  const consumers = 4;
  const q = new Queue<number | null>(256, { ...atomics, shared: true });
  const seen = new Int32Array(new SharedArrayBuffer(total * 4));
  const threads: Thread[] = [];
  for (let c = 0; c < consumers; c++) threads.push(start("consume", [q, seen]));
  const share = total / producers;
  const producing: Thread[] = [];
  for (let p = 0; p < producers; p++) producing.push(start("produce", [q, p * share, (p + 1) * share]));
  for (const t of producing) await t.join();
  for (let c = 0; c < consumers; c++) await q.put(null);
  assertEquals(await q.join(), true);
  await joinAll([...threads, ...producing]);
  // The multiset: every item counted once, none twice, nothing else.
  const wrong: string[] = [];
  for (let i = 0; i < total && wrong.length < 10; i++) if (seen[i] !== 1) wrong.push(`${i}: ${seen[i]}`);
  assertEquals(wrong, []);
  assertEquals(q.qsize(), 0);
  assertEquals(q.unfinishedTasks, 0);
});

Deno.test("[atomics] Queue: join waits for taskDone calls made in Workers", async () => {
  const q = new Queue<number>(0, { ...atomics, shared: true });
  const report = new Int32Array(new SharedArrayBuffer(8));
  const count = 40;
  const threads = [start("slowConsume", [q, count / 2, report]), start("slowConsume", [q, count / 2, report])];
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
  await joinAll(threads);
});

Deno.test("[atomics] Queue: shutdown wakes getSync and putSync blocked in Workers with ShutDown", async () => {
  const empty = new Queue<number>(1, { ...atomics, shared: true });
  const full = new Queue<number>(1, { ...atomics, shared: true });
  full.putNowait(0);
  const report = new Int32Array(new SharedArrayBuffer(16));
  const threads = [
    start("waitForShutdown", [empty, report, 0]),
    start("waitForShutdown", [empty, report, 1]),
    start("waitForShutdown", [full, report, 2, 7]),
  ];
  for (let slot = 0; slot < 3; slot++) await waitFor(report, slot, 1);
  await sleep(100); // let them reach their waits
  assertEquals([report[0], report[1], report[2]], [1, 1, 1], "nothing ended before shutdown");
  empty.shutdown();
  full.shutdown(true);
  for (let slot = 0; slot < 3; slot++) await waitFor(report, slot, 2);
  assertEquals([report[0], report[1], report[2]], [2, 2, 2]);
  assertEquals(full.qsize(), 0);
  assertThrows(() => empty.putNowait(1), ShutDown);
  await joinAll(threads);
});

Deno.test("[atomics] Queue: an item that cannot be cloned is refused, and the queue is unchanged", () => {
  const q = new Queue<unknown>(2, { ...atomics, shared: true });
  assertThrows(() => q.putNowait(() => 1), TypeError, "cannot be structured-cloned");
  assertEquals(q.qsize(), 0);
  assertEquals(q.unfinishedTasks, 0);
  q.putNowait({ a: [1, 2], m: new Map([["k", 3n]]) });
  assertEquals(q.getNowait(), { a: [1, 2], m: new Map([["k", 3n]]) });
});

Deno.test("[atomics] Queue: an item larger than the ring is a RangeError", () => {
  const q = new Queue<unknown>(0, { ...atomics, shared: true, sharedBytes: 256 });
  assertThrows(() => q.putNowait("x".repeat(1000)), RangeError, "larger than the queue's ring");
  assertEquals(q.qsize(), 0);
});

Deno.test("[atomics] Queue: a small ring wraps around and keeps the order", () => {
  const q = new Queue<string>(0, { ...atomics, shared: true, sharedBytes: 200 });
  let next = 0;
  let expected = 0;
  for (let round = 0; round < 200; round++) {
    // Fill until the bytes run out (reported as Full), then drain part of it.
    for (;;) {
      try {
        q.putNowait(`item ${next} ${"-".repeat(next % 17)}`);
        next++;
      } catch {
        break;
      }
    }
    assert(q.qsize() > 0);
    for (let i = 0; i < 2 && !q.empty(); i++) {
      assertEquals(q.getNowait(), `item ${expected} ${"-".repeat(expected % 17)}`);
      expected++;
    }
  }
  while (!q.empty()) {
    assertEquals(q.getNowait(), `item ${expected} ${"-".repeat(expected % 17)}`);
    expected++;
  }
  assertEquals(expected, next);
});

Deno.test("[atomics] Queue: a structured clone revives as the same queue; a local queue refuses", () => {
  const q = new Queue<number>(3, { ...atomics, shared: true });
  const twin = revive<Queue<number>>(structuredClone(q));
  assert(twin instanceof Queue && twin !== q);
  twin.putNowait(5);
  assertEquals(q.getNowait(), 5);
  assertEquals(twin.maxsize, 3);
  assertEquals(twin.unfinishedTasks, 1);
  q.taskDone();
  const local = new Queue<number>(0, atomics);
  assertThrows(() => structuredClone(local), Error, "shared: true");
  assertThrows(() => new Queue(0, { shared: true, backend: "async" }), TypeError, "no shared memory");
  assertThrows(() => new Queue(0, { ...atomics, shared: 1 as unknown as boolean }), TypeError, "'shared' must be");
});

Deno.test("[atomics] Queue: items come out as structured clones of what was put", () => {
  const q = new Queue<unknown>(0, { ...atomics, shared: true });
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
});

Deno.test("[atomics] Queue: a putSync in a Worker sleeps while the ring's bytes are full, until a get", async () => {
  // No maxsize: only the 256 bytes of the ring limit it.
  const q = new Queue<number>(0, { ...atomics, shared: true, sharedBytes: 256 });
  let count = 0;
  for (; !q.full(); count++) {
    try {
      q.putNowait(count);
    } catch {
      break;
    }
  }
  assert(q.full(), "the ring filled up");
  const report = new Int32Array(new SharedArrayBuffer(16));
  const thread = start("waitForShutdown", [q, report, 0, -1]);
  await waitFor(report, 0, 1);
  await sleep(100);
  assertEquals(q.qsize(), count, "the putter waits");
  assertEquals(q.getNowait(), 0);
  const deadline = monotonic() + 30_000;
  while (q.qsize() < count && monotonic() < deadline) await sleep(1);
  assertEquals(q.qsize(), count, "the woken putter filled the freed bytes");
  q.shutdown(true);
  await waitFor(report, 0, 2);
  assertEquals(report[0], 2);
  await joinAll([thread]);
});
