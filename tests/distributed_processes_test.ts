// Cross-process correctness on the shared Redis server (a key prefix per
// test, deleted after it): Deno subprocesses share a Lock, a Queue, a
// Barrier and a Semaphore by name.
import { assert, assertEquals } from "@std/assert";
import { connect } from "@locksmith/threading/distributed";
import { Child } from "./distributed/_spawn.ts";
import { deleteKeys, noSharedRedis, REDIS_URL, reportIgnored, uniquePrefix } from "./distributed/_redis.ts";

reportIgnored();
const ignore = noSharedRedis !== undefined;

async function withPrefix(label: string, fn: (prefix: string) => Promise<void>): Promise<void> {
  const prefix = uniquePrefix(label);
  try {
    await fn(prefix);
  } finally {
    await deleteKeys(prefix);
  }
}

async function finish(children: Child[]): Promise<void> {
  for (const child of children) {
    const status = await child.exited();
    assertEquals(status.code, 0, child.stderr);
  }
}

Deno.test({
  name: "[redis processes] 4 processes x 2000 increments of a counter in a file, under one Lock: exact",
  ignore,
  fn: () =>
    withPrefix("counter", async (prefix) => {
      const file = await Deno.makeTempFile({ prefix: "locksmith-counter-" });
      try {
        await Deno.writeTextFile(file, "0");
        const children = [0, 1, 2, 3].map(() =>
          new Child("counter", { url: REDIS_URL, prefix, name: "counter", count: 2000, file })
        );
        await finish(children);
        assertEquals(Number(await Deno.readTextFile(file)), 8000);
      } finally {
        await Deno.remove(file);
      }
    }),
});

Deno.test({
  name: "[redis processes] a bounded Queue, 3 producer and 3 consumer processes, 30,000 items: each delivered once",
  ignore,
  fn: () =>
    withPrefix("queue", async (prefix) => {
      const args = { url: REDIS_URL, prefix, name: "jobs", maxsize: 100 };
      const consumers = [0, 1, 2].map(() => new Child("consume", args));
      const producers = [0, 1, 2].map((id) => new Child("produce", { ...args, id, items: 10_000 }));
      await finish(producers);
      {
        await using manager = await connect(REDIS_URL, { prefix });
        const jobs = manager.Queue<string>("jobs", 100);
        for (let i = 0; i < 3; i++) await jobs.put("stop");
      }
      await finish(consumers);
      const got = consumers.flatMap((c) =>
        c.events.filter((e) => e.event === "got").flatMap((e) => e.items as string[])
      );
      assertEquals(got.length, 30_000);
      const expected = [0, 1, 2].flatMap((id) => Array.from({ length: 10_000 }, (_, i) => `${id}:${i}`));
      assertEquals(got.toSorted(), expected.toSorted());
      // Each producer's items arrive in the order it put them (FIFO).
      for (const consumer of consumers) {
        const mine = consumer.events.filter((e) => e.event === "got").flatMap((e) => e.items as string[]);
        for (const id of [0, 1, 2]) {
          const seq = mine.filter((item) => item.startsWith(`${id}:`)).map((item) => Number(item.split(":")[1]));
          assertEquals(seq, seq.toSorted((a, b) => a - b));
        }
      }
    }),
});

Deno.test({
  name: "[redis processes] with acknowledge, an item whose consumer is killed before taskDone() is delivered again",
  ignore,
  fn: () =>
    withPrefix("redeliver", async (prefix) => {
      await using manager = await connect(REDIS_URL, { prefix, leaseMs: 1000 });
      const jobs = manager.Queue<string>("jobs", 0, { acknowledge: true });
      await jobs.put("first");
      await jobs.put("second");
      const consumer = new Child("take", { url: REDIS_URL, prefix, name: "jobs", leaseMs: 1000 });
      assertEquals((await consumer.next("took")).item, "first");
      consumer.kill("SIGKILL");
      await consumer.exited();
      // "second" was never taken; "first" comes back (at the front) once the dead consumer's heartbeat lapses.
      const got = [await jobs.get(true, 5000), await jobs.get(true, 5000)];
      assertEquals(got.toSorted(), ["first", "second"]);
      await jobs.taskDone();
      await jobs.taskDone();
      assertEquals(await jobs.join(1000), true);
      assertEquals(await jobs.qsize(), 0);
    }),
});

Deno.test({
  name: "[redis processes] a Barrier of 4 processes for 100 phases",
  ignore,
  fn: () =>
    withPrefix("barrier", async (prefix) => {
      const children = [0, 1, 2, 3].map(() =>
        new Child("barrier", { url: REDIS_URL, prefix, name: "phase", parties: 4, phases: 100 })
      );
      await finish(children);
      const indices = children.map((c) => c.events.find((e) => e.event === "done")!.indices as number[]);
      for (let phase = 0; phase < 100; phase++) {
        assertEquals(indices.map((mine) => mine[phase]).toSorted(), [0, 1, 2, 3], `phase ${phase}`);
      }
    }),
});

Deno.test({
  name: "[redis processes] a Semaphore(3) across 6 processes never admits a fourth",
  ignore,
  fn: () =>
    withPrefix("semaphore", async (prefix) => {
      const children = [0, 1, 2, 3, 4, 5].map(() =>
        new Child("semaphore", { url: REDIS_URL, prefix, name: "slots", count: 30, holdMs: 3 })
      );
      await finish(children);
      const most = Math.max(...children.map((c) => c.events.find((e) => e.event === "done")!.most as number));
      assert(most <= 3, `${most} processes were inside at once`);
      assertEquals(most, 3, "the semaphore never let three in at once: the test proves nothing");
    }),
});
