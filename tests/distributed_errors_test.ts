// Bad input to ./distributed gets a clear error of the class the contract
// names, saying what was received.
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { ValueError } from "@locksmith/threading";
import { connect, ConnectionError, MemoryServer } from "@locksmith/threading/distributed";

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

Deno.test("distributed: a name already used by another kind of primitive is a clear error", async () => {
  const server = new MemoryServer();
  await using a = await connect(server.url);
  await using b = await connect(server.url);
  a.Lock("orders");
  says(assertThrows(() => a.Semaphore("orders"), TypeError), "orders", "already a Lock");
  // Another client learns it from the server.
  await a.Lock("orders").acquire();
  says(await assertRejects(() => b.Semaphore("orders").acquire(), TypeError), "already a Lock", "not a Semaphore");
  {
    await using c = await connect(server.url);
    says(await assertRejects(() => c.Queue("orders").put(1), TypeError), "already a Lock");
  }
  // The same kind with other settings.
  await b.Semaphore("slots", 3).acquire();
  const other = await connect(server.url);
  try {
    says(await assertRejects(() => other.Semaphore("slots", 5).acquire(), ValueError), "'3'", "received '5'");
  } finally {
    await other.close();
  }
  await a.Lock("orders").release();
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
