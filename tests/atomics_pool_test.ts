// multiprocessing's Pool over Workers of the `atomics` backend: tasks and
// results cross through shared queues, module-referenced calls run in
// Workers, in parallel. The functions are in `workers/pool_targets.ts`.
import { assert, assertEquals, assertRejects } from "@std/assert";
import { Pool } from "../multiprocessing/mod.ts";
import { mainThread, pendingWaits, runningThreads } from "../mod.ts";

const targets = new URL("./workers/pool_targets.ts", import.meta.url).href;
const ref = (name: string) => ({ module: targets, export: name });

Deno.test("[atomics] multiprocessing Pool: map runs module functions in Workers and keeps the order", async () => {
  const pool = new Pool(2);
  try {
    assertEquals(pool.backend.name, "atomics");
    const items = Array.from({ length: 200 }, (_, i) => i - 100);
    assertEquals(await pool.map(ref("square"), items), items.map((x) => x * x));
    assertEquals(await pool.map(ref("square"), items, 7), items.map((x) => x * x));
    assertEquals(await pool.apply(ref("square"), [12]), 144);
  } finally {
    pool.close();
    await pool.join();
  }
  assertEquals(runningThreads(), []);
  assertEquals(pendingWaits(), []);
});

Deno.test("[atomics] multiprocessing Pool: CPU-bound calls are spread over both Workers", async () => {
  const pool = new Pool(2);
  try {
    // Each call burns 50 ms of CPU; the names say which Workers ran them.
    const names = await pool.map(ref("burn"), [50, 50, 50, 50, 50, 50, 50, 50], 1);
    assertEquals(names.length, 8);
    const distinct = new Set(names);
    assertEquals(distinct.size, 2, `ran on ${[...distinct].join(", ")}`);
    assert(!distinct.has(mainThread().name));
  } finally {
    pool.close();
    await pool.join();
  }
});

Deno.test("[atomics] multiprocessing Pool: an error raised in a Worker rejects the call; the pool goes on", async () => {
  const pool = new Pool(2);
  try {
    await assertRejects(() => pool.apply(ref("fail"), [3]), RangeError, "bad item 3");
    await assertRejects(() => pool.apply(ref("unsendable"), []), TypeError, "Cannot send the result");
    assertEquals(await pool.map(ref("square"), [1, 2, 3]), [1, 4, 9]);
  } finally {
    pool.terminate();
    await pool.join();
  }
  assertEquals(runningThreads(), []);
});
