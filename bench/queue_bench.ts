/**
 * Queue and pool throughput in one isolate, on the `async` backend:
 *
 *     deno bench -A bench/queue_bench.ts
 *
 * Each iteration moves many items or runs many tasks (the count is in the
 * group's name): divide ns/iter by it for ns per item, or divide it into
 * 1e9 for items per second. The baselines are what the library's queues
 * and pools are measured against: a plain array (no waiting possible) for
 * the queues, and `Promise.all` over the same no-op calls for the pools.
 *
 * @module
 */
import { Thread } from "@locksmith/threading";
import { Queue, SimpleQueue } from "@locksmith/threading/queue";
import { ThreadPoolExecutor } from "@locksmith/threading/futures";
import { Pool } from "@locksmith/threading/multiprocessing/dummy";

const ITEMS = 1000;
const TASKS = 1000;
const PAIRS = `put/get pairs: ${ITEMS} per iteration`;
const THREADED = `producer thread -> consumer thread through a queue: ${ITEMS} items per iteration`;
const POOLS = `no-op tasks on a pool of 4 threads: ${TASKS} per iteration`;

function noop(): void {}

// One thread puts and gets: the cost of an uncontended pair.
Deno.bench("plain array push/shift (floor: cannot wait)", { group: PAIRS, baseline: true }, () => {
  const items: number[] = [];
  for (let i = 0; i < ITEMS; i++) {
    items.push(i);
    items.shift();
  }
});

const queue = new Queue<number>();
Deno.bench("Queue: await put + await get", { group: PAIRS }, async () => {
  for (let i = 0; i < ITEMS; i++) {
    await queue.put(i);
    await queue.get();
  }
});

Deno.bench("Queue: putNowait + getNowait", { group: PAIRS }, () => {
  for (let i = 0; i < ITEMS; i++) {
    queue.putNowait(i);
    queue.getNowait();
  }
});

const bounded = new Queue<number>(16);
Deno.bench("Queue(16): await put + await get", { group: PAIRS }, async () => {
  for (let i = 0; i < ITEMS; i++) {
    await bounded.put(i);
    await bounded.get();
  }
});

const simple = new SimpleQueue<number>();
Deno.bench("SimpleQueue: await put + await get", { group: PAIRS }, async () => {
  for (let i = 0; i < ITEMS; i++) {
    await simple.put(i);
    await simple.get();
  }
});

// Two threads: every item is handed from one to the other.
async function producerConsumer(q: Queue<number> | SimpleQueue<number>): Promise<void> {
  const consumer = new Thread({
    target: async () => {
      for (let i = 0; i < ITEMS; i++) await q.get();
    },
  });
  consumer.start();
  for (let i = 0; i < ITEMS; i++) await q.put(i);
  await consumer.join();
}

// (Async functions: Deno awaits a benchmark's promise only when the function is async.)
Deno.bench("Queue (unbounded)", { group: THREADED, baseline: true }, async () => {
  await producerConsumer(new Queue<number>());
});
Deno.bench("Queue(1): every put waits for a get", { group: THREADED }, async () => {
  await producerConsumer(new Queue<number>(1));
});
Deno.bench("SimpleQueue", { group: THREADED }, async () => {
  await producerConsumer(new SimpleQueue<number>());
});

// Pools: submit TASKS no-op calls, wait for all of them.
Deno.bench("Promise.all of the calls (floor: no pool)", { group: POOLS, baseline: true }, async () => {
  await Promise.all(Array.from({ length: TASKS }, () => Promise.resolve().then(noop)));
});

const executor = new ThreadPoolExecutor({ maxWorkers: 4 });
Deno.bench("ThreadPoolExecutor: submit each, await each future", { group: POOLS }, async () => {
  const futures = Array.from({ length: TASKS }, () => executor.submit(noop));
  for (const f of futures) await f;
});

Deno.bench("ThreadPoolExecutor: map", { group: POOLS }, async () => {
  for await (const _ of executor.map(noop, Array.from({ length: TASKS }))) { /* drain */ }
});

const pool = new Pool(4);
const items = Array.from({ length: TASKS }, (_, i) => i);
Deno.bench("Pool (multiprocessing.dummy): map, default chunksize", { group: POOLS }, async () => {
  await pool.map(noop, items);
});

Deno.bench("Pool (multiprocessing.dummy): map, chunksize 1", { group: POOLS }, async () => {
  await pool.map(noop, items, 1);
});

Deno.bench("Pool (multiprocessing.dummy): applyAsync each, get each", { group: POOLS }, async () => {
  const results = items.map(() => pool.applyAsync(noop));
  for (const r of results) await r.get();
});
