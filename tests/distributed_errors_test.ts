// Bad input to ./distributed gets a clear error of the class the contract
// names, saying what was received.
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { ValueError } from "@locksmith/threading";
import { connect, ConnectionError, type Manager, MemoryServer } from "@locksmith/threading/distributed";
import { deleteKeys, noSharedRedis, REDIS_URL, reportIgnored, uniquePrefix } from "./distributed/_redis.ts";

reportIgnored();

function says(error: Error, ...parts: string[]): void {
  for (const part of parts) assert(error.message.includes(part), `message lacks '${part}': ${error.message}`);
}

Deno.test("distributed: an unreachable server is a ConnectionError that names it", async () => {
  const error = await assertRejects(
    () => connect("redis://127.0.0.1:1", { connectTimeoutMs: 500 }),
    ConnectionError,
  );
  says(error, "redis://127.0.0.1:1");
});

Deno.test("distributed: a wrong URL is a TypeError that says what was received", async () => {
  says(await assertRejects(() => connect("http://127.0.0.1:6379"), TypeError), "redis:", "http:");
  says(await assertRejects(() => connect("not a url"), TypeError), 'received "not a url"');
  says(await assertRejects(() => connect("redis://127.0.0.1:6379/abc"), TypeError), 'received "abc"');
  says(await assertRejects(() => connect(42 as never), TypeError), "received number 42");
  says(await assertRejects(() => connect("memory://nowhere"), TypeError), "memory://nowhere");
});

/**
 * Uses names that are another kind of primitive (or the same kind with other settings) on the server at
 * `url`, from managers that did not make them (so the server refuses them), and returns each error's
 * class and message, in order.
 */
async function wrongKindErrors(url: string, prefix: string): Promise<string[]> {
  const seen: string[] = [];
  const saw = (error: Error) => (seen.push(`${error.constructor.name}: ${error.message}`), error);
  await using a = await connect(url, { prefix });
  await using b = await connect(url, { prefix });
  a.Lock("orders");
  says(assertThrows(() => a.Semaphore("orders"), TypeError), "orders", "already a Lock");
  // Another client learns it from the server.
  await a.Lock("orders").acquire();
  says(
    saw(await assertRejects(() => b.Semaphore("orders").acquire(), TypeError)),
    "already a Lock",
    "not a Semaphore",
  );
  // Each kind from a manager of its own (a manager refuses a second kind under one name by itself).
  const refused = async (use: (manager: Manager) => Promise<unknown>, ErrorClass: typeof TypeError) => {
    await using c = await connect(url, { prefix });
    return saw(await assertRejects(() => use(c), ErrorClass));
  };
  says(await refused((c) => c.Queue("orders").put(1), TypeError), "already a Lock", "not a Queue");
  says(await refused((c) => c.RLock("orders").acquire(), TypeError), "already a Lock", "not a RLock");
  says(await refused((c) => c.BoundedSemaphore("orders").acquire(), TypeError), "already a Lock");
  says(await refused((c) => c.Event("orders").set(), TypeError), "already a Lock", "not a Event");
  says(await refused((c) => c.Barrier("orders", 2).nWaiting, TypeError), "already a Lock", "not a Barrier");
  const notify = async (c: Manager) => {
    const cond = c.Condition("orders");
    await cond.acquire();
    try {
      await cond.notify();
    } finally {
      await cond.release();
    }
  };
  says(await refused(notify, TypeError), "already a Lock", "not a Condition");
  // And the other way round: a queue's name asked for as a lock.
  await b.Queue("jobs").put(1);
  says(saw(await assertRejects(() => a.Lock("jobs").acquire(), TypeError)), "already a Queue", "not a Lock");
  // The same kind with other settings.
  await b.Semaphore("slots", 3).acquire();
  const other = await connect(url, { prefix });
  try {
    says(
      saw(await assertRejects(() => other.Semaphore("slots", 5).acquire(), ValueError)),
      "'3'",
      "received '5'",
    );
  } finally {
    await other.close();
  }
  await a.Lock("orders").release();
  return seen;
}

Deno.test("distributed: a name already used by another kind of primitive is a clear error", async () => {
  assertEquals((await wrongKindErrors(new MemoryServer().url, "kinds")).length, 9);
});

Deno.test({
  name: "distributed: on Redis, the server's scripts refuse another kind's name with the memory engine's errors",
  ignore: noSharedRedis !== undefined,
  fn: async () => {
    const prefix = uniquePrefix("kinds");
    try {
      assertEquals(await wrongKindErrors(REDIS_URL, prefix), await wrongKindErrors(new MemoryServer().url, prefix));
    } finally {
      await deleteKeys(prefix);
    }
  },
});

Deno.test("distributed: a lease under three renewal margins is a ValueError", async () => {
  says(await assertRejects(() => connect("memory://", { leaseMs: 200 }), ValueError), "300 ms", "received 200");
  says(
    await assertRejects(() => connect("memory://", { leaseMs: 1000, renewalMarginMs: 500 }), ValueError),
    "1500 ms",
  );
  await using manager = await connect("memory://");
  says(assertThrows(() => manager.Lock("short", { leaseMs: 50 }), ValueError), "received 50");
  says(assertThrows(() => manager.Lock("bad", { leaseMs: "10" as never }), TypeError), 'received "10"');
  says(assertThrows(() => manager.Lock("opts", 7 as never), TypeError), "received number 7");
  says(assertThrows(() => manager.Lock("" as never), TypeError), 'received ""');
});

Deno.test("distributed: an item that cannot be serialized is a TypeError, and puts nothing", async () => {
  await using manager = await connect("memory://");
  const q = manager.Queue<unknown>("items");
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  for (
    const [item, part] of [
      [() => 1, "function"],
      [10n, "bigint"],
      [undefined, "undefined"],
      [new Map(), "Map"],
      [{ when: new Date(0) }, "the item.when"],
      [cyclic, "refers back to itself"],
      [NaN, "NaN"],
    ] as const
  ) {
    says(await assertRejects(() => q.put(item), TypeError), "cannot be serialized", part);
  }
  assertEquals(await q.qsize(), 0);
  await q.put({ ok: [1, "two", null, true] });
  assertEquals(await q.get(), { ok: [1, "two", null, true] });
});
