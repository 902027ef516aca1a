// Local threads, one remote waiter: 100 threads of one process (one
// manager) that wait on one distributed primitive park locally, and the
// process keeps the same connections whatever they wait for (two per
// manager: commands and wake-ups, README "Engines"). A Lock's, a
// Semaphore's and a Condition's waiting threads each have an entry of their
// own in the server's queue, in the order they arrived, and get in oldest
// first; an Event's share one registration of the process. On Redis the
// connections are counted with CLIENT LIST on a private server (only this
// test's clients are there); on memory:// the operations each client sends
// are counted, on virtual time, across several lease periods.
import { assert, assertEquals } from "@std/assert";
import { asyncBackend, explore, monotonic, pendingWaits, sleep as virtualSleep, Thread } from "@locksmith/threading";
import { connect, type Manager, MemoryServer } from "@locksmith/threading/distributed";
import type { RespConnection } from "../distributed/_resp.ts";
import { noRedisServer, PrivateRedis, raw, reportIgnored } from "./distributed/_redis.ts";

reportIgnored();
const THREADS = 100;
const PREFIX = "local";
const ignore = noRedisServer !== undefined;
const realSleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `predicate` every 5 ms (virtual ms under `explore()`) until it holds; fails after `rounds` polls. */
async function until(what: string, predicate: () => boolean | Promise<boolean>, rounds = 2000): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await predicate()) return;
    await (virtual ? virtualSleep(5) : realSleep(5));
  }
  throw new Error(`gave up waiting for ${what}`);
}
let virtual = false;

/** How many of the test's threads wait (parked locally). */
const parked = () => pendingWaits().filter((w) => w.thread.startsWith("waiter-")).length;

/** Threads of the test, started one at a time: each once the one before it has parked. */
class Waiters {
  readonly threads: Thread[] = [];
  readonly errors: unknown[] = [];

  /** @param backend The threads' backend (`undefined`: the default, the explored schedule's under `explore()`). */
  constructor(readonly backend: typeof asyncBackend | undefined) {}

  /** Starts `n` threads running `body(i)`; the next starts once this one waits (locally parked). */
  async start(n: number, body: (i: number) => Promise<unknown>): Promise<void> {
    for (let i = 0; i < n; i++) {
      const thread = new Thread({
        backend: this.backend,
        name: `waiter-${i}`,
        target: async () => {
          try {
            await body(i);
          } catch (error) {
            this.errors.push(error);
          }
        },
      });
      this.threads.push(thread);
      thread.start();
      await until(`thread ${i} to park`, () => parked() === i + 1);
    }
    assertEquals(parked(), n, "threads parked");
  }

  /** Joins them all (each join bounded), and checks none failed or is left running. */
  async join(): Promise<void> {
    for (const thread of this.threads) await thread.join(30_000);
    assertEquals(this.threads.filter((t) => t.isAlive()).map((t) => t.name), [], "threads left running");
    assertEquals(this.errors, []);
  }
}

const ascending = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Starts `n` waiters that each wait on `cond` (within `timeout`) holding its lock, and record their index once notified. */
function startConditionWaiters(
  waiters: Waiters,
  n: number,
  cond: ReturnType<Manager["Condition"]>,
  timeout: number,
  order: number[],
): Promise<void> {
  return waiters.start(n, async (i) => {
    await cond.acquire();
    try {
      if (!await cond.wait(timeout)) throw new Error(`thread ${i} was not notified`);
      order.push(i);
    } finally {
      await cond.release();
    }
  });
}

// ---------------------------------------------------------------- Redis

/** The connections the server holds, besides `self`. */
async function connections(self: RespConnection): Promise<number> {
  const list = await self.send(["CLIENT", "LIST", "TYPE", "normal"]) as string;
  return list.trim().split("\n").length - 1;
}

/**
 * A private server, a raw connection to it, a manager that holds the primitive and one whose
 * threads wait; the two managers' connections (two each) counted before `fn` runs.
 */
async function withManagers(
  fn: (ctx: { server: PrivateRedis; redis: RespConnection; holder: Manager; waiter: Manager }) => Promise<void>,
): Promise<void> {
  const server = await PrivateRedis.start();
  const redis = await raw(server.url);
  try {
    assertEquals(await connections(redis), 0);
    await using holder = await connect(server.url, { prefix: PREFIX });
    await until("the holder's two connections", async () => await connections(redis) === 2);
    await using waiter = await connect(server.url, { prefix: PREFIX });
    // Each manager holds two connections: its commands, and the wake channel's BLPOP.
    await until("the waiter's two connections", async () => await connections(redis) === 4);
    await fn({ server, redis, holder, waiter });
  } finally {
    await redis.close();
    await server.stop();
  }
}

/** The tickets in the server's list `key`, checked to be `waiter`'s, in the order they were issued. */
async function ticketsOf(redis: RespConnection, key: string, waiter: Manager): Promise<string[]> {
  const entries = await redis.send(["LRANGE", key, 0, -1]) as string[];
  const tickets = entries.map((entry) => entry.split("|")[0]);
  for (const ticket of tickets) assert(ticket.startsWith(`${waiter.clientId}.`), `not the waiter's: ${ticket}`);
  const seq = tickets.map((ticket) => parseInt(ticket.split(".")[1], 36));
  assertEquals(seq, [...seq].sort((a, b) => a - b), "the server's order is not the order of arrival");
  return tickets;
}

Deno.test({
  name: "[redis] 100 threads of one process wait on a held Lock: two connections, FIFO hand-off, nothing left queued",
  ignore,
  fn: () =>
    withManagers(async ({ redis, holder, waiter }) => {
      await holder.Lock("L").acquire();
      const lock = waiter.Lock("L");
      const order: number[] = [];
      const waiters = new Waiters(asyncBackend);
      await waiters.start(THREADS, async (i) => {
        if (!await lock.acquire(true, 30_000)) throw new Error(`thread ${i} timed out`);
        order.push(i);
        await lock.release();
      });
      // 100 threads wait: the process still holds its two connections.
      assertEquals(await connections(redis), 4);
      // Each waiting thread has its own entry in the lock's queue, in the order they came.
      assertEquals((await ticketsOf(redis, `${PREFIX}:p:L:q`, waiter)).length, THREADS);
      await holder.Lock("L").release();
      await waiters.join();
      assertEquals(order, ascending(THREADS));
      assertEquals(await connections(redis), 4);
      assertEquals(await redis.send(["EXISTS", `${PREFIX}:p:L:q`, `${PREFIX}:p:L:o`]), 0);
    }),
});

Deno.test({
  name: "[redis] 100 threads of one process wait on a Semaphore with no permits: two connections, FIFO, none left",
  ignore,
  fn: () =>
    withManagers(async ({ redis, holder, waiter }) => {
      const giver = holder.Semaphore("S", 0);
      assertEquals(await giver.value, 0);
      const sem = waiter.Semaphore("S", 0);
      const order: number[] = [];
      const waiters = new Waiters(asyncBackend);
      await waiters.start(THREADS, async (i) => {
        if (!await sem.acquire(true, 30_000)) throw new Error(`thread ${i} timed out`);
        order.push(i);
      });
      assertEquals(await connections(redis), 4);
      assertEquals((await ticketsOf(redis, `${PREFIX}:p:S:q`, waiter)).length, THREADS);
      // One permit at a time, from the other process: each goes to the oldest thread still waiting.
      for (let n = 1; n <= THREADS; n++) {
        await giver.release();
        await until(`permit ${n} to be taken`, () => order.length === n);
      }
      await waiters.join();
      assertEquals(order, ascending(THREADS));
      assertEquals(await connections(redis), 4);
      assertEquals(await redis.send(["EXISTS", `${PREFIX}:p:S:q`]), 0);
      assertEquals(await redis.send(["HLEN", `${PREFIX}:p:S:h`]), THREADS);
      await sem.release(THREADS);
      assertEquals(await redis.send(["HLEN", `${PREFIX}:p:S:h`]), 0);
    }),
});

Deno.test({
  name: "[redis] 100 threads of one process wait on a Condition: two connections, notifyAll, the lock back in order",
  ignore,
  fn: () =>
    withManagers(async ({ redis, holder, waiter }) => {
      const cond = waiter.Condition("C");
      const order: number[] = [];
      const waiters = new Waiters(asyncBackend);
      await startConditionWaiters(waiters, THREADS, cond, 30_000, order);
      assertEquals(await connections(redis), 4);
      // Each waiting thread has its own entry in the condition's queue, in the order they waited.
      assertEquals((await ticketsOf(redis, `${PREFIX}:p:C:cq`, waiter)).length, THREADS);
      const notifier = holder.Condition("C");
      await notifier.acquire();
      await notifier.notifyAll();
      // Notified, they queue for the lock behind its holder, oldest first.
      assertEquals((await ticketsOf(redis, `${PREFIX}:p:C.lock:q`, waiter)).length, THREADS);
      assertEquals(await redis.send(["EXISTS", `${PREFIX}:p:C:cq`]), 0);
      await notifier.release();
      await waiters.join();
      assertEquals(order, ascending(THREADS));
      assertEquals(await connections(redis), 4);
      assertEquals(await redis.send(["EXISTS", `${PREFIX}:p:C.lock:q`, `${PREFIX}:p:C.lock:o`]), 0);
    }),
});

Deno.test({
  name: "[redis] 100 threads of one process wait on an Event: two connections and one registration on the server",
  ignore,
  fn: () =>
    withManagers(async ({ redis, holder, waiter }) => {
      const event = waiter.Event("E");
      const woken: number[] = [];
      const waiters = new Waiters(asyncBackend);
      await waiters.start(THREADS, async (i) => {
        if (!await event.wait(30_000)) throw new Error(`thread ${i} timed out`);
        woken.push(i);
      });
      assertEquals(await connections(redis), 4);
      // The process waits once for all of its threads.
      assertEquals((await ticketsOf(redis, `${PREFIX}:p:E:w`, waiter)).length, 1);
      await holder.Event("E").set();
      await waiters.join();
      assertEquals(woken.toSorted((a, b) => a - b), ascending(THREADS));
      assertEquals(await connections(redis), 4);
      assertEquals(await redis.send(["EXISTS", `${PREFIX}:p:E:w`]), 0);
    }),
});

// ---------------------------------------------------------------- memory://, on virtual time

const LEASE = 30_000;
const WAITED = 5 * LEASE;

/** Runs `scenario` under a few explored schedules of the cooperative backend (virtual time). */
async function explored(scenario: () => Promise<void>, schedules = 3): Promise<void> {
  virtual = true;
  try {
    const result = await explore(scenario, { schedules, seed: 1 });
    if (!result.ok) {
      throw new Error(`schedule with seed ${result.failure!.seed} failed: ${result.failure!.error}`, {
        cause: result.failure!.error,
      });
    }
    assertEquals(result.schedules, schedules);
  } finally {
    virtual = false;
  }
}

/** What a client sent: how many of each operation, and the tickets they carried. */
interface Sent {
  (op: string): number;
  tickets(op: string): Set<string>;
}

/**
 * A memory server that counts the operations the waiter's client sends (and the tickets they carry), a holder and a waiter, both with a 30 s lease on virtual time.
 */
async function withMemory(
  fn: (ctx: { server: MemoryServer; holder: Manager; waiter: Manager; sent: Sent }) => Promise<void>,
): Promise<void> {
  const server = new MemoryServer();
  const options = { prefix: PREFIX, leaseMs: LEASE, backend: "cooperative" };
  await using holder = await connect(server.url, options);
  await using waiter = await connect(server.url, options);
  const seen = new Map<string, { count: number; tickets: Set<string> }>();
  // The server runs an operation synchronously inside `call(client, ...)`: that names its client.
  let caller: string | undefined;
  const call = server.call.bind(server);
  server.call = (client, generation, epoch, run) =>
    call(client, generation, epoch, () => {
      caller = client;
      try {
        return run();
      } finally {
        caller = undefined;
      }
    });
  const op = server.op.bind(server);
  server.op = (prefix, name, keys, args) => {
    if (caller === waiter.clientId) {
      const entry = seen.get(name) ?? { count: 0, tickets: new Set() };
      seen.set(name, entry);
      entry.count++;
      for (const arg of args.map(String)) if (arg.startsWith(`${waiter.clientId}.`)) entry.tickets.add(arg);
    }
    return op(prefix, name, keys, args);
  };
  const sent = Object.assign((name: string) => seen.get(name)?.count ?? 0, {
    tickets: (name: string) => seen.get(name)?.tickets ?? new Set<string>(),
  });
  await fn({ server, holder, waiter, sent });
}

/** Whether the server holds only `expected` of the keys of primitive `name`. */
function keysOf(server: MemoryServer, name: string): string[] {
  return server.keys(`${PREFIX}:p:${name}`).toSorted();
}

Deno.test("[memory] 100 threads of one process wait on a held Lock through 5 leases: one look per lease, FIFO (explored)", () =>
  explored(() =>
    withMemory(async ({ server, holder, waiter, sent }) => {
      await holder.Lock("L").acquire();
      const lock = waiter.Lock("L");
      const order: number[] = [];
      const waiters = new Waiters(undefined);
      await waiters.start(THREADS, async (i) => {
        if (!await lock.acquire(true, 2 * WAITED)) throw new Error(`thread ${i} timed out`);
        order.push(i);
        await lock.release();
      });
      // One queue entry per thread: one operation each, each with its own ticket.
      assertEquals(sent("lock.acquire"), THREADS);
      assertEquals(sent.tickets("lock.acquire").size, THREADS);
      assert(keysOf(server, "L").includes(`${PREFIX}:p:L:q`));
      // The holder renews its lease meanwhile; the process looks at its oldest entry when the lease
      // it was told of would end (at least 2/3 of a lease apart), never once per thread.
      await virtualSleep(WAITED);
      const looks = sent("lock.acquire") - THREADS;
      assert(looks >= 1 && looks <= Math.ceil(WAITED / (LEASE * 2 / 3)) + 1, `${looks} looks in ${WAITED} ms`);
      await holder.Lock("L").release();
      await waiters.join();
      assertEquals(order, ascending(THREADS));
      assertEquals(keysOf(server, "L"), [`${PREFIX}:p:L`]);
    })
  ));

Deno.test("[memory] 100 threads of one process wait on a Semaphore with no permits: one op each, FIFO (explored)", () =>
  explored(() =>
    withMemory(async ({ server, holder, waiter, sent }) => {
      const giver = holder.Semaphore("S", 0);
      const sem = waiter.Semaphore("S", 0);
      const order: number[] = [];
      const waiters = new Waiters(undefined);
      await waiters.start(THREADS, async (i) => {
        if (!await sem.acquire(true, 2 * WAITED)) throw new Error(`thread ${i} timed out`);
        order.push(i);
      });
      assertEquals(sent("sem.acquire"), THREADS);
      assertEquals(sent.tickets("sem.acquire").size, THREADS);
      await virtualSleep(WAITED);
      // With no lease held to end, the process looks at its oldest entry once a lease.
      const looks = sent("sem.acquire") - THREADS;
      assert(looks >= 1 && looks <= WAITED / LEASE + 1, `${looks} looks in ${WAITED} ms`);
      for (let n = 1; n <= THREADS; n++) {
        await giver.release();
        await until(`permit ${n} to be taken`, () => order.length === n);
      }
      await waiters.join();
      assertEquals(order, ascending(THREADS));
      await sem.release(THREADS);
      assertEquals(keysOf(server, "S"), [`${PREFIX}:p:S`]);
    })
  ));

Deno.test("[memory] 100 threads of one process wait on a Condition: one op each, the lock back in order (explored)", () =>
  explored(() =>
    withMemory(async ({ server, holder, waiter, sent }) => {
      const cond = waiter.Condition("C");
      const order: number[] = [];
      const waiters = new Waiters(undefined);
      await startConditionWaiters(waiters, THREADS, cond, 2 * WAITED, order);
      // Each waiting thread has its own entry in the condition's queue: one operation each.
      assertEquals(sent("cond.wait"), THREADS);
      // Each carries its own ticket and that of the lock it held.
      assertEquals(sent.tickets("cond.wait").size, 2 * THREADS);
      const before = sent("lock.locked");
      await virtualSleep(WAITED);
      assertEquals(sent("cond.wait"), THREADS);
      // The process looks at the lock every half lease (in case its holder died), once for all its waiters.
      const looks = sent("lock.locked") - before;
      assert(looks >= 1 && looks <= WAITED / (LEASE / 2) + 1, `${looks} looks in ${WAITED} ms`);
      const notifier = holder.Condition("C");
      await notifier.acquire();
      await notifier.notifyAll();
      await notifier.release();
      await waiters.join();
      assertEquals(order, ascending(THREADS));
      assertEquals(keysOf(server, "C"), [`${PREFIX}:p:C`, `${PREFIX}:p:C.lock`]);
    })
  ));

Deno.test("[memory] 100 notified Condition waiters of one process, their notifier crashed holding the lock: the one look gets them in (explored)", () =>
  explored(() =>
    withMemory(async ({ server, holder, waiter }) => {
      const cond = waiter.Condition("C");
      const order: number[] = [];
      const waiters = new Waiters(undefined);
      await startConditionWaiters(waiters, THREADS, cond, 10 * LEASE, order);
      const notifier = holder.Condition("C");
      await notifier.acquire();
      await notifier.notifyAll();
      const crashedAt = monotonic();
      server.crash(holder.clientId);
      await waiters.join();
      // Nobody else looks at the lock: the waiters' process found the lease over within half a lease of its end.
      assert(monotonic() - crashedAt <= LEASE + LEASE / 2 + 100, `took ${monotonic() - crashedAt} ms`);
      assertEquals(order, ascending(THREADS));
    })
  ));

Deno.test("[memory] 100 threads of one process wait on an Event through 5 leases: one registration (explored)", () =>
  explored(() =>
    withMemory(async ({ server, holder, waiter, sent }) => {
      const event = waiter.Event("E");
      let woken = 0;
      const waiters = new Waiters(undefined);
      await waiters.start(THREADS, async (i) => {
        if (!await event.wait(2 * WAITED)) throw new Error(`thread ${i} timed out`);
        woken++;
      });
      // Each wait asks the server once (the flag may be set), always with the process's one ticket.
      assertEquals(sent("event.wait"), THREADS);
      assertEquals(sent.tickets("event.wait").size, 1);
      await virtualSleep(WAITED);
      // The registration is renewed once a lease (a last resort against a lost wake-up), for all of them.
      const renewed = sent("event.wait") - THREADS;
      assert(renewed <= WAITED / LEASE + 1, `${renewed} renewals in ${WAITED} ms`);
      assertEquals(sent.tickets("event.wait").size, 1);
      assert(keysOf(server, "E").includes(`${PREFIX}:p:E:w`));
      await holder.Event("E").set();
      await waiters.join();
      assertEquals(woken, THREADS);
      assertEquals(keysOf(server, "E"), [`${PREFIX}:p:E`]);
    })
  ));
